/**
 * What JSON.parse would silently change in a policy text: a key written twice (the last one
 * wins, the first is lost: ECMA-404 leaves duplicate names undefined, RFC 8259 §4 says names
 * "SHOULD be unique") and a number an IEEE-754 double cannot hold (`9007199254740993`,
 * `1.00000000000000001`, `1e400`). fix refuses to rewrite such a policy rather than guess.
 * Positions come from jsonc-parser's syntax tree, so the check sees every key as written.
 */
import type { Node } from 'jsonc-parser';
import { parseTree } from 'jsonc-parser';
import { childPath } from './parse.js';

export type InexactJson =
  | { kind: 'duplicate-key'; key: string; count: number; path: string }
  | { kind: 'inexact-number'; literal: string; path: string };

/** Sign, significant digits without leading or trailing zeros, and the exponent of the last digit. */
function decimalOf(literal: string): { negative: boolean; digits: string; exponent: number } {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (!m) return { negative: false, digits: literal, exponent: Number.NaN };
  const frac = m[3] ?? '';
  let digits = `${m[2]}${frac}`;
  let exponent = Number(m[4] ?? '0') - frac.length;
  const trailing = /0*$/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(0, digits.length - trailing).replace(/^0+/, '');
  exponent += trailing;
  // Zero is zero whatever its sign or spelling.
  if (digits === '') return { negative: false, digits: '', exponent: 0 };
  return { negative: m[1] === '-', digits, exponent };
}

/**
 * True when the literal means exactly the number JSON.parse makes of it, written back the
 * shortest way that reads the same (ECMA-262 Number::toString): `1.0`, `1e2` and `0.1` are
 * exact in that sense, `9007199254740993` (becomes ...992) and `1e400` (Infinity) are not.
 */
export function isExactNumber(literal: string): boolean {
  const value = Number(literal);
  if (!Number.isFinite(value)) return false;
  const a = decimalOf(literal);
  const b = decimalOf(String(value).replace(/e\+/, 'e'));
  return a.negative === b.negative && a.digits === b.digits && a.exponent === b.exponent;
}

function walk(node: Node, path: string, text: string): InexactJson | undefined {
  if (node.type === 'number') {
    const literal = text.slice(node.offset, node.offset + node.length);
    return isExactNumber(literal) ? undefined : { kind: 'inexact-number', literal, path };
  }
  if (node.type === 'object') {
    const counts = new Map<string, number>();
    for (const prop of node.children ?? []) {
      const key = String(prop.children?.[0]?.value);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, count] of counts) if (count > 1) return { kind: 'duplicate-key', key, count, path };
    for (const prop of node.children ?? []) {
      const value = prop.children?.[1];
      const found = value && walk(value, childPath(path, String(prop.children?.[0]?.value)), text);
      if (found) return found;
    }
    return undefined;
  }
  if (node.type === 'array') {
    for (const [i, child] of (node.children ?? []).entries()) {
      const found = walk(child, childPath(path, i), text);
      if (found) return found;
    }
  }
  return undefined;
}

/** The first thing JSON.parse would change in `text` (already known to be valid JSON), or undefined. */
export function findInexactJson(text: string): InexactJson | undefined {
  const root = parseTree(text);
  return root ? walk(root, '$', text) : undefined;
}

/** "has two "Statement" keys at $", "holds the number 1e400 at $.x, which JSON cannot represent exactly". */
export function describeInexactJson(found: InexactJson): string {
  if (found.kind === 'duplicate-key') {
    const times = found.count === 2 ? 'two' : String(found.count);
    return `has ${times} ${JSON.stringify(found.key)} keys at ${found.path}`;
  }
  const shown = found.literal.length > 40 ? `${found.literal.slice(0, 40)}... (${found.literal.length} characters)` : found.literal;
  return `holds the number ${shown} at ${found.path}, which JSON cannot represent exactly`;
}
