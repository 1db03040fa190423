/**
 * Writes the tool's own statements into a live policy without touching anything else.
 * SetRepositoryPolicy replaces the whole document (DOMAIN.md §4), so every statement the tool
 * does not own must come back exactly as it was: byte for byte, not merely equal as JSON. The
 * policy text is therefore edited, never re-serialised: jsonc-parser's syntax tree gives the
 * position of every statement, and only fix's own statements are inserted, replaced or removed
 * (text-edits.ts). A policy JSON.parse would change (a key written twice, a number a double
 * cannot hold) is refused before anything is computed from it (json-exact.ts).
 */
import type { Node } from 'jsonc-parser';
import { getNodeValue, parseTree } from 'jsonc-parser';
import { describeInexactJson, findInexactJson } from './json-exact.js';
import { parsePolicy } from './parse.js';
import { applyTextEdits, layoutOf, removalEdits, statementText } from './text-edits.js';
import type { Layout, TextEdit } from './text-edits.js';

/** ECR's limit on `policyText` (SetRepositoryPolicy API reference). */
export const MAX_POLICY_LENGTH = 10240;

export type MergeRefusal = 'invalid-policy' | 'duplicate-key' | 'inexact-number' | 'too-large';

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
      /** True when ecr-doctor's statements are written without whitespace (a compact policy, or the size limit). */
      compact: boolean;
    }
  | {
      ok: false;
      reason: MergeRefusal;
      /** A whole clause: "the current policy has two "Statement" keys at $; ...". */
      message: string;
      /** The same without its subject, for callers that name the policy: "has two "Statement" keys at $; ...". */
      predicate: string;
    };

type Json = Record<string, unknown>;
type Refused = Extract<MergeResult, { ok: false }>;

function refuse(reason: MergeRefusal, predicate: string): Refused {
  return { ok: false, reason, message: `the current policy ${predicate}`, predicate };
}

function invalid(message: string): Refused {
  return { ok: false, reason: 'invalid-policy', message, predicate: message };
}

/**
 * Why ecr-doctor will not edit this policy text, or undefined: not JSON, not a policy, or
 * something JSON.parse would silently change. Used at plan time and again at apply time.
 */
export function refusePolicyText(text: string): Refused | undefined {
  try {
    JSON.parse(text);
  } catch (e) {
    return refuse('invalid-policy', `cannot be read ($: not valid JSON: ${e instanceof Error ? e.message : String(e)})`);
  }
  const inexact = findInexactJson(text);
  if (inexact) return refuse(inexact.kind, `${describeInexactJson(inexact)}; ecr-doctor will not rewrite it (edit it by hand first)`);
  const parsed = parsePolicy(text);
  if (!parsed.ok) return refuse('invalid-policy', `cannot be read (${parsed.error.path}: ${parsed.error.message}); ecr-doctor will not rewrite it`);
  return undefined;
}

type Action = { kind: 'keep' } | { kind: 'remove' } | { kind: 'replace'; statement: Json };

export function mergeOwnedStatements(currentText: string | undefined, owned: Record<string, unknown>[], ownedSids: (sid: string) => boolean): MergeResult {
  const wanted = new Map<string, Json>();
  for (const [i, st] of owned.entries()) {
    const sid = st['Sid'];
    if (typeof sid !== 'string' || !ownedSids(sid)) {
      return invalid(`owned statement #${i} must carry a Sid the tool recognises as its own (got ${JSON.stringify(sid)})`);
    }
    if (wanted.has(sid)) return invalid(`two owned statements share the Sid ${JSON.stringify(sid)}`);
    wanted.set(sid, st);
  }
  if (currentText === undefined || currentText.trim() === '') return freshPolicy([...wanted.values()]);

  const refusal = refusePolicyText(currentText);
  if (refusal) return refusal;
  const root = parseTree(currentText)!;
  const statementProp = root.children?.find((p) => p.children?.[0]?.value === 'Statement');
  const statementNode = statementProp?.children?.[1];
  const elements: Node[] = statementNode === undefined ? [] : statementNode.type === 'array' ? (statementNode.children ?? []) : [statementNode];

  const added: string[] = [];
  const replaced: string[] = [];
  const removed: string[] = [];
  const placed = new Set<string>();
  let kept = 0;
  const actions: Action[] = elements.map((el) => {
    const st: unknown = getNodeValue(el);
    const sid = isObject(st) && typeof st['Sid'] === 'string' ? st['Sid'] : undefined;
    if (sid === undefined || !ownedSids(sid)) {
      kept += 1;
      return { kind: 'keep' };
    }
    const next = wanted.get(sid);
    if (next === undefined || placed.has(sid)) {
      removed.push(sid);
      return { kind: 'remove' };
    }
    placed.add(sid);
    if (canonical(next) === canonical(st)) return { kind: 'keep' };
    replaced.push(sid);
    return { kind: 'replace', statement: next };
  });
  const appended = [...wanted].filter(([sid]) => !placed.has(sid)).map(([sid, st]) => (added.push(sid), st));
  const statementCount = elements.length - removed.length + appended.length;
  const summary = { added, replaced, removed, kept, statementCount };
  if (added.length === 0 && replaced.length === 0 && removed.length === 0) return { ok: true, text: currentText, changed: false, compact: false, ...summary };

  const layout = layoutOf(currentText);
  const edit = (style: Layout) => editText(currentText, root, statementProp, elements, actions, appended, style);
  let text = edit(layout);
  let compact = layout.compact;
  if (text.length > MAX_POLICY_LENGTH && !compact) {
    text = edit({ ...layout, compact: true });
    compact = true;
  }
  if (text.length > MAX_POLICY_LENGTH) {
    return {
      ok: false,
      reason: 'too-large',
      message:
        `the merged policy would be ${text.length} characters even without whitespace, over the ${MAX_POLICY_LENGTH}-character limit ` +
        `of an ECR repository policy; remove statements that are no longer needed first (ecr-doctor never reformats statements it did not write)`,
      predicate: `would be ${text.length} characters after the merge, over the ${MAX_POLICY_LENGTH}-character limit of an ECR repository policy`,
    };
  }
  const check = parsePolicy(text);
  if (!check.ok) return invalid(`the merged policy would not be valid (${check.error.path}: ${check.error.message})`);
  return { ok: true, text, changed: true, compact, ...summary };
}

/** No policy yet: the canonical new document, pretty unless that is over the limit. */
function freshPolicy(statements: Json[]): MergeResult {
  const doc = { Version: '2012-10-17', Statement: statements };
  const pretty = JSON.stringify(doc, null, 2);
  const compactText = JSON.stringify(doc);
  if (compactText.length > MAX_POLICY_LENGTH) {
    return {
      ok: false,
      reason: 'too-large',
      message: `the merged policy would be ${compactText.length} characters even without whitespace, over the ${MAX_POLICY_LENGTH}-character limit of an ECR repository policy`,
      predicate: `would be ${compactText.length} characters, over the ${MAX_POLICY_LENGTH}-character limit of an ECR repository policy`,
    };
  }
  const check = parsePolicy(doc);
  if (!check.ok) return invalid(`the merged policy would not be valid (${check.error.path}: ${check.error.message})`);
  const useCompact = pretty.length > MAX_POLICY_LENGTH;
  const sids = statements.map((s) => String(s['Sid']));
  return { ok: true, text: useCompact ? compactText : pretty, changed: statements.length > 0, added: sids, replaced: [], removed: [], kept: 0, statementCount: statements.length, compact: useCompact };
}

/**
 * The edits, computed on the original tree and applied last position first so that no edit
 * moves another: each foreign statement, and every byte between them, stays where it was.
 */
function editText(text: string, root: Node, statementProp: Node | undefined, elements: Node[], actions: Action[], appended: Json[], layout: Layout): string {
  const statementNode = statementProp?.children?.[1];
  if (statementNode === undefined) {
    // No Statement key: add one after the last key, in the document's own layout.
    const last = root.children?.at(-1);
    const indent = layout.indentAt(last ?? root) ?? '';
    const value = statementText(appended, indent, layout);
    const property = `"Statement":${layout.compact ? '' : ' '}${value}`;
    const edit: TextEdit = last
      ? { offset: last.offset + last.length, length: 0, content: `,${layout.compact ? '' : layout.eol + indent}${property}` }
      : { offset: root.offset + 1, length: 0, content: layout.compact ? property : `${layout.eol}${layout.unit}${property}${layout.eol}` };
    return applyTextEdits(text, [edit]);
  }
  const propertyIndent = layout.indentAt(statementProp!) ?? '';
  if (statementNode.type !== 'array') {
    // One statement written as an object: what stays of it, and ours, become an array.
    const original = text.slice(statementNode.offset, statementNode.offset + statementNode.length);
    const action = actions[0]!;
    const pieces = [
      ...(action.kind === 'keep' ? [original] : action.kind === 'replace' ? [statementText([action.statement], propertyIndent, layout, false)] : []),
      ...appended.map((st) => statementText([st], propertyIndent, layout, false)),
    ];
    const content = pieces.length === 1 && action.kind === 'replace' && appended.length === 0 ? pieces[0]! : `[${pieces.join(layout.compact ? ',' : ', ')}]`;
    return applyTextEdits(text, [{ offset: statementNode.offset, length: statementNode.length, content }]);
  }
  // First the statements that go or change, each edit on the original positions (they never overlap)...
  const edits: TextEdit[] = removalEdits(elements, actions.map((a) => a.kind === 'remove'), statementNode);
  for (const [i, el] of elements.entries()) {
    const action = actions[i]!;
    if (action.kind === 'replace') edits.push({ offset: el.offset, length: el.length, content: statementText([action.statement], layout.indentAt(el) ?? propertyIndent, layout, false) });
  }
  const out = applyTextEdits(text, edits);
  if (!appended.length) return out;
  // ...then ours at the end, placed after what is now the last statement.
  const array = parseTree(out)?.children?.find((p) => p.children?.[0]?.value === 'Statement')?.children?.[1];
  if (array?.type !== 'array') return out;
  const last = array.children?.at(-1);
  if (last === undefined) {
    const inner = `${propertyIndent}${layout.unit}`;
    const body = appended.map((st) => statementText([st], inner, layout, false)).join(layout.compact ? ',' : `,${layout.eol}${inner}`);
    const content = layout.compact ? body : `${layout.eol}${inner}${body}${layout.eol}${propertyIndent}`;
    return applyTextEdits(out, [{ offset: array.offset + 1, length: array.length - 2, content }]);
  }
  const indent = layout.indentAt(last);
  const separator = layout.compact ? ',' : indent === undefined ? ', ' : `,${layout.eol}${indent}`;
  const content = appended.map((st) => `${separator}${statementText([st], indent ?? propertyIndent, layout, false)}`).join('');
  return applyTextEdits(out, [{ offset: last.offset + last.length, length: 0, content }]);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON with object keys sorted: equal for documents that differ only in key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}
