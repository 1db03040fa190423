import { LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import { UsageError } from '../model/errors.js';
import { escapeControl } from '../model/safe-text.js';

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
  rejectForbiddenCharacters(text, file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', uniqueKeys: false, prettyErrors: true, lineCounter: lines });
  const error = doc.errors[0];
  if (error !== undefined) throw toUsageError(error, file);
  return { doc, lines, file };
}

/**
 * The characters YAML 1.1 allows in a stream (spec 1.1 §5.1, c-printable). PyYAML's Reader
 * refuses anything else ("unacceptable character #x0000: special characters are not allowed"),
 * so `eb deploy` cannot read a buildspec holding a NUL or another control character; the yaml
 * package would take it. U+FEFF (a byte order mark) is inside the allowed range.
 */
// eslint-disable-next-line no-control-regex
const NOT_YAML_11 = /[^\t\n\r\u0020-\u007e\u0085\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

function rejectForbiddenCharacters(text: string, file: string): void {
  const m = NOT_YAML_11.exec(text);
  if (!m) return;
  const before = text.slice(0, m.index);
  const line = before.split('\n').length;
  const col = m.index - before.lastIndexOf('\n');
  const code = m[0].codePointAt(0) ?? 0;
  throw new UsageError(
    `${file}:${line}:${col}: the file holds ${escapeControl(m[0]) === m[0] ? 'a lone surrogate' : escapeControl(m[0])} (#x${code.toString(16).padStart(4, '0')}), a character YAML 1.1 does not allow: is it a binary file?`,
    'save the buildspec as plain UTF-8 text; eb deploy (PyYAML) refuses it too',
  );
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
