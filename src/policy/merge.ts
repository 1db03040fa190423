/**
 * Writes the tool's own statements into a live policy without touching anything else.
 * SetRepositoryPolicy replaces the whole document (DOMAIN.md §4), so every statement the tool
 * does not own must come back exactly as it was.
 */
import { parsePolicy } from './parse.js';

/** ECR's limit on `policyText` (SetRepositoryPolicy API reference). */
export const MAX_POLICY_LENGTH = 10240;

export type MergeResult =
  | {
      ok: true;
      text: string;
      changed: boolean;
      added: string[];
      replaced: string[];
      removed: string[];
      kept: number;
      /** Statements in the result; 0 means the policy should be deleted rather than written. */
      statementCount: number;
      /** True when the pretty form was over the limit and the compact form is returned. */
      compact: boolean;
    }
  | { ok: false; reason: 'invalid-policy' | 'too-large'; message: string };

type Json = Record<string, unknown>;

export function mergeOwnedStatements(
  currentText: string | undefined,
  owned: Record<string, unknown>[],
  ownedSids: (sid: string) => boolean,
): MergeResult {
  const wanted = new Map<string, Json>();
  for (const [i, st] of owned.entries()) {
    const sid = st['Sid'];
    if (typeof sid !== 'string' || !ownedSids(sid)) {
      return invalid(`owned statement #${i} must carry a Sid the tool recognises as its own (got ${JSON.stringify(sid)})`);
    }
    if (wanted.has(sid)) return invalid(`two owned statements share the Sid ${JSON.stringify(sid)}`);
    wanted.set(sid, st);
  }

  let current: Json | undefined;
  if (currentText !== undefined && currentText.trim() !== '') {
    const parsed = parsePolicy(currentText);
    if (!parsed.ok) return invalid(`the current policy cannot be read (${parsed.error.path}: ${parsed.error.message})`);
    // JSON.parse would round a whole number past 2^53 and write it back changed: refuse rather than alter it.
    if (/[:[,]\s*-?\d{16,}\s*[,}\]]/.test(currentText)) return invalid('the current policy holds a number too large to write back unchanged; edit it by hand');
    current = parsed.policy.raw;
  }

  const existing: unknown[] = current === undefined ? [] : toArray(current['Statement']);
  const statements: unknown[] = [];
  const added: string[] = [];
  const replaced: string[] = [];
  const removed: string[] = [];
  const placed = new Set<string>();
  let kept = 0;
  for (const st of existing) {
    const sid = isObject(st) && typeof st['Sid'] === 'string' ? st['Sid'] : undefined;
    if (sid === undefined || !ownedSids(sid)) {
      statements.push(st);
      kept += 1;
      continue;
    }
    const next = wanted.get(sid);
    if (next === undefined || placed.has(sid)) {
      removed.push(sid);
      continue;
    }
    placed.add(sid);
    statements.push(next);
    if (canonical(next) !== canonical(st)) replaced.push(sid);
  }
  for (const [sid, st] of wanted) {
    if (placed.has(sid)) continue;
    statements.push(st);
    added.push(sid);
  }

  const nothingToDo = added.length === 0 && replaced.length === 0 && removed.length === 0;
  const doc: Json =
    current === undefined
      ? { Version: '2012-10-17', Statement: statements }
      : nothingToDo
        ? current
        : { ...current, Statement: statements };

  const check = parsePolicy(doc);
  if (!check.ok) return invalid(`the merged policy would not be valid (${check.error.path}: ${check.error.message})`);

  const pretty = JSON.stringify(doc, null, 2);
  const compactText = JSON.stringify(doc);
  if (compactText.length > MAX_POLICY_LENGTH) {
    return {
      ok: false,
      reason: 'too-large',
      message:
        `the merged policy would be ${compactText.length} characters even without whitespace, over the ` +
        `${MAX_POLICY_LENGTH}-character limit of an ECR repository policy; remove statements that are no longer needed first`,
    };
  }
  const useCompact = pretty.length > MAX_POLICY_LENGTH;
  return {
    ok: true,
    text: useCompact ? compactText : pretty,
    changed: current === undefined ? statements.length > 0 : canonical(doc) !== canonical(current),
    added,
    replaced,
    removed,
    kept,
    statementCount: statements.length,
    compact: useCompact,
  };
}

function invalid(message: string): MergeResult {
  return { ok: false, reason: 'invalid-policy', message };
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toArray(statement: unknown): unknown[] {
  if (Array.isArray(statement)) return [...statement];
  return statement === undefined ? [] : [statement];
}

/** JSON with object keys sorted: equal for documents that differ only in key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}
