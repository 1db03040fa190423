/**
 * Text edits on a policy, positioned by jsonc-parser's syntax tree and applied with its
 * applyEdits. The edit contents are ours: jsonc-parser's own `modify` re-formats the lines it
 * touches when given formatting options (changing neighbouring bytes), and without them its
 * removal of the last array element assumes a line break before `]` (3.3.1 turns `[1, 2]` into
 * `[12]`), so removals are computed here from the element positions instead.
 */
import type { Node } from 'jsonc-parser';
import { applyEdits } from 'jsonc-parser';

export interface TextEdit {
  offset: number;
  length: number;
  content: string;
}

/** How the document is written, so that what ecr-doctor adds looks like the rest. */
export interface Layout {
  /** One line: ours are written without whitespace too. */
  compact: boolean;
  eol: '\n' | '\r\n';
  /** One level of indentation as the document writes it (two spaces when it cannot tell). */
  unit: string;
  /** The whitespace before `node` on its line, or undefined when something else precedes it there. */
  indentAt(node: Node): string | undefined;
}

export function layoutOf(text: string): Layout {
  const unit = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  return {
    compact: !/[\r\n]/.test(text),
    eol: text.includes('\r\n') ? '\r\n' : '\n',
    // JSON.stringify takes at most ten characters of indentation.
    unit: unit.slice(0, 10),
    indentAt(node) {
      const lineStart = Math.max(text.lastIndexOf('\n', node.offset - 1) + 1, 0);
      const before = text.slice(lineStart, node.offset);
      return /^[ \t]*$/.test(before) && (lineStart > 0 || node.offset === 0) ? before : undefined;
    },
  };
}

/** `statements` as JSON (one statement, or an array of them when `asArray`), indented to sit at `indent`. */
export function statementText(statements: Record<string, unknown>[], indent: string, layout: Layout, asArray = true): string {
  const value = asArray ? statements : statements[0];
  if (layout.compact) return JSON.stringify(value);
  return JSON.stringify(value, null, layout.unit).split('\n').join(`${layout.eol}${indent}`);
}

/**
 * Edits that remove the flagged elements of `array` with their separators, leaving every other
 * byte. Each one is computed on the original positions and none overlaps another: an element
 * goes with everything up to the next element; a run at the end goes with everything from the
 * last kept element; when all go, the array becomes `[]`.
 */
export function removalEdits(elements: readonly Node[], remove: readonly boolean[], array: Node): TextEdit[] {
  const n = elements.length;
  if (n === 0 || !remove.some(Boolean)) return [];
  if (remove.every(Boolean)) return [{ offset: array.offset + 1, length: array.length - 2, content: '' }];
  let firstOfTrailingRun = n;
  while (firstOfTrailingRun > 0 && remove[firstOfTrailingRun - 1]) firstOfTrailingRun--;
  const edits: TextEdit[] = [];
  if (firstOfTrailingRun < n) {
    const keptBefore = elements[firstOfTrailingRun - 1]!;
    const lastRemoved = elements[n - 1]!;
    const from = keptBefore.offset + keptBefore.length;
    edits.push({ offset: from, length: lastRemoved.offset + lastRemoved.length - from, content: '' });
  }
  for (let i = 0; i < firstOfTrailingRun; i++) {
    if (!remove[i]) continue;
    const el = elements[i]!;
    const next = elements[i + 1]!;
    edits.push({ offset: el.offset, length: next.offset - el.offset, content: '' });
  }
  return edits;
}

export function applyTextEdits(text: string, edits: TextEdit[]): string {
  return edits.length ? applyEdits(text, edits) : text;
}
