import { LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import { UsageError } from '../model/errors.js';

export interface YamlFile {
  doc: Document.Parsed;
  lines: LineCounter;
  file: string;
}

/**
 * The EB CLI reads buildspec.yml and .elasticbeanstalk/*.yml with PyYAML's `safe_load`
 * (ebcli/core/fileoperations.py, `_get_yaml_dict`). PyYAML speaks YAML 1.1 and lets a later
 * duplicate key win, so we parse the same way: `Timeout: 010` and `yes` then mean what they
 * mean to `eb deploy`. Multiple documents are an error there too ("expected a single document").
 */
export function parseYamlFile(text: string, file: string): YamlFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', uniqueKeys: false, prettyErrors: true, lineCounter: lines });
  const error = doc.errors[0];
  if (error !== undefined) throw toUsageError(error, file);
  return { doc, lines, file };
}

/** The document as plain data; alias bombs and similar end as a usage error, not a crash. */
export function toPlainData(yaml: YamlFile): unknown {
  try {
    return yaml.doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new UsageError(`${yaml.file}: ${firstLine(error instanceof Error ? error.message : String(error))}`);
  }
}

/** `file:line:col` for an offset into the text; col is 1-based like the yaml package's own. */
export function locate(yaml: YamlFile, offset: number | undefined): string {
  if (offset === undefined) return yaml.file;
  const pos = yaml.lines.linePos(offset);
  return `${yaml.file}:${pos.line}:${pos.col}`;
}

function toUsageError(error: YAMLError, file: string): UsageError {
  const pos = error.linePos?.[0];
  const where = pos === undefined ? file : `${file}:${pos.line}:${pos.col}`;
  return new UsageError(
    `${where}: ${firstLine(error.message)}`,
    'fix the YAML syntax; eb deploy (PyYAML) cannot read this file either',
  );
}

function firstLine(message: string): string {
  // prettyErrors appends " at line N, column M:" and a code excerpt; our prefix already says where.
  const line = message.split('\n', 1)[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}
