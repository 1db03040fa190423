import { readFile } from 'node:fs/promises';
import { describeFsError } from '../model/fs-error-words.js';
import { showPath } from '../model/safe-text.js';
import type { Facts } from '../model/facts.js';
import { UsageError } from '../model/errors.js';
import { FactsShapeError, validateFacts } from './validate-facts.js';

/** Where JSON.parse stopped, as line:column, for a one-line error about a hand-edited or truncated file. */
function jsonErrorPosition(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return '';
  const offset = Number(m[1]);
  const before = text.slice(0, offset).split('\n');
  return ` at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

export function parseSnapshot(text: string, file: string): Facts {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const where = jsonErrorPosition(text, message) || (text.trim() === '' ? ' (the file is empty)' : ' (it ends too early or has a syntax error)');
    throw new UsageError(`snapshot ${showPath(file)} is not valid JSON${where}`, 'write one with: ecr-doctor snapshot --project NAME --output FILE');
  }
  try {
    return validateFacts(value);
  } catch (e) {
    if (e instanceof FactsShapeError) throw new UsageError(`snapshot ${showPath(file)} is not an ecr-doctor snapshot: ${e.path} ${e.problem}`);
    throw e;
  }
}

export async function readSnapshot(file: string): Promise<Facts> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read snapshot ${showPath(file)}: ${describeFsError(e)}`);
  }
  return parseSnapshot(text, file);
}
