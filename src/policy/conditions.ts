/**
 * The Condition element. Semantics follow the IAM User Guide ("Condition operators",
 * "Single-valued vs. multivalued context keys") and were checked against an independent
 * evaluator (test/oracle):
 * - a key absent from the request: positive operators are false; negated operators
 *   (StringNotEquals, StringNotLike, ArnNotEquals, ArnNotLike, ...) and `...IfExists` are true;
 * - `ForAnyValue:` is false for an absent key or an empty set, even with `IfExists` (re:Post
 *   "ForAnyValue:StringEqualsIfExists behaving unexpectedly"); `ForAllValues:` is true for both;
 * - a single-valued operator never matches a multi-valued request key;
 * - several values for one key are OR-ed (negated operators: the request value must match none),
 *   several keys and several operators are AND-ed.
 * Operators we do not implement, and context values the caller marks unknown, make the
 * outcome 'unknown' rather than a guess.
 */
import { matchesArnPattern, matchesGlob } from './matchers.js';

/** A request value; `null` says the key is known to be absent, `{unknown: true}` that its value is not known. */
export type ContextValue = string | string[] | boolean | null | { unknown: true };
export type ActualValue = string | string[] | boolean | null;

export type ConditionOutcome =
  | { result: 'match' }
  | { result: 'no-match'; operator: string; key: string; expected: string[]; actual: ActualValue; detail: string }
  | { result: 'unknown'; unknowns: { operator: string; key: string; why: string }[] };

type BaseName =
  | 'StringEquals'
  | 'StringNotEquals'
  | 'StringEqualsIgnoreCase'
  | 'StringNotEqualsIgnoreCase'
  | 'StringLike'
  | 'StringNotLike'
  | 'ArnEquals'
  | 'ArnLike'
  | 'ArnNotEquals'
  | 'ArnNotLike'
  | 'Bool'
  | 'Null';

interface BaseOperator {
  name: BaseName;
  negated: boolean;
  compare: (policyValue: string, requestValue: string) => boolean;
}

const eq = (p: string, v: string): boolean => p === v;
const eqIgnoreCase = (p: string, v: string): boolean => p.toLowerCase() === v.toLowerCase();
const like = (p: string, v: string): boolean => matchesGlob(p, v, false);
const bool = (p: string, v: string): boolean => {
  const a = p.toLowerCase();
  const b = v.toLowerCase();
  return (a === 'true' || a === 'false') && a === b;
};

const BASE_OPERATORS: readonly BaseOperator[] = [
  { name: 'StringEquals', negated: false, compare: eq },
  { name: 'StringNotEquals', negated: true, compare: eq },
  { name: 'StringEqualsIgnoreCase', negated: false, compare: eqIgnoreCase },
  { name: 'StringNotEqualsIgnoreCase', negated: true, compare: eqIgnoreCase },
  { name: 'StringLike', negated: false, compare: like },
  { name: 'StringNotLike', negated: true, compare: like },
  { name: 'ArnEquals', negated: false, compare: matchesArnPattern },
  { name: 'ArnLike', negated: false, compare: matchesArnPattern },
  { name: 'ArnNotEquals', negated: true, compare: matchesArnPattern },
  { name: 'ArnNotLike', negated: true, compare: matchesArnPattern },
  { name: 'Bool', negated: false, compare: bool },
  { name: 'Null', negated: false, compare: eq },
];

const NOT_EVALUATED = [
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'IpAddress',
  'NotIpAddress',
  'BinaryEquals',
].map((s) => s.toLowerCase());

export type SetOperator = 'ForAnyValue' | 'ForAllValues';

/**
 * An operator we do not evaluate (Numeric, Date, IpAddress, Binary) can still be decided when its
 * key is absent from the request: that rule does not depend on the operator's type.
 */
export interface AbsentKeyRule {
  negated: boolean;
  ifExists: boolean;
  set?: SetOperator;
}

export type ParsedOperator =
  | { ok: true; set?: SetOperator; base: BaseOperator; ifExists: boolean }
  | { ok: false; why: string; absentKey?: AbsentKeyRule };

export function parseOperator(written: string): ParsedOperator {
  let rest = written;
  let set: SetOperator | undefined;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const prefix = rest.slice(0, colon).toLowerCase();
    if (prefix === 'foranyvalue') set = 'ForAnyValue';
    else if (prefix === 'forallvalues') set = 'ForAllValues';
    else return { ok: false, why: `"${written}" is not a known condition operator` };
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  if (rest.toLowerCase().endsWith('ifexists')) {
    ifExists = true;
    rest = rest.slice(0, -'ifexists'.length);
  }
  const lower = rest.toLowerCase();
  const base = BASE_OPERATORS.find((b) => b.name.toLowerCase() === lower);
  if (base) {
    if (base.name === 'Null' && (ifExists || set)) return { ok: false, why: `"${written}" is not a valid condition operator` };
    return set ? { ok: true, set, base, ifExists } : { ok: true, base, ifExists };
  }
  if (NOT_EVALUATED.includes(lower)) {
    const negated = lower.includes('not');
    return { ok: false, why: `condition operator ${written} is not evaluated by this engine`, absentKey: set ? { negated, ifExists, set } : { negated, ifExists } };
  }
  return { ok: false, why: `"${written}" is not a known condition operator` };
}

export interface ConditionOptions {
  /** Policy variables (`${aws:username}`) exist only in Version 2012-10-17 policies. */
  variables: boolean;
  /**
   * What a key missing from the context means: 'absent' (the context is complete), or 'unknown'
   * (the caller modelled only some keys; the rest may be on the real request, e.g.
   * aws:RequestedRegion, aws:PrincipalTag/*, ecr:ResourceTag/*).
   */
  unlistedKeys?: 'absent' | 'unknown';
}

/** `context` keys must already be lower-cased (condition keys are case-insensitive). */
export function evaluateConditions(
  condition: Record<string, Record<string, string[]>>,
  context: ReadonlyMap<string, ContextValue>,
  options: ConditionOptions,
): ConditionOutcome {
  const unknowns: { operator: string; key: string; why: string }[] = [];
  for (const [operator, keys] of Object.entries(condition)) {
    const op = parseOperator(operator);
    for (const [key, expected] of Object.entries(keys)) {
      const listed = context.get(key.toLowerCase());
      if (listed === undefined && options.unlistedKeys === 'unknown') {
        unknowns.push({ operator, key, why: `whether the request carries ${key} is not known` });
        continue;
      }
      const value = listed === null ? undefined : listed;
      if (!op.ok) {
        if (op.absentKey && value === undefined) {
          if (absentKeyHolds(op.absentKey)) continue;
          return { result: 'no-match', operator, key, expected, actual: null, detail: `condition ${operator} ${key} needs ${key} but the request has no ${key}` };
        }
        unknowns.push({ operator, key, why: op.why });
        continue;
      }
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        unknowns.push({ operator, key, why: `the value of ${key} is not known` });
        continue;
      }
      if (options.variables && expected.some((v) => v.includes('${'))) {
        unknowns.push({ operator, key, why: `the condition uses a policy variable, which this engine does not resolve` });
        continue;
      }
      const actual: ActualValue = value === undefined ? null : value;
      if (!testKey(op, expected, actual)) {
        return { result: 'no-match', operator, key, expected, actual, detail: describeMiss(operator, op, key, expected, actual) };
      }
    }
  }
  return unknowns.length > 0 ? { result: 'unknown', unknowns } : { result: 'match' };
}

/** The absent-key rule of the module comment, for any operator type. */
function absentKeyHolds(rule: AbsentKeyRule): boolean {
  if (rule.set === 'ForAnyValue') return false;
  if (rule.set === 'ForAllValues') return true;
  return rule.ifExists || rule.negated;
}

function testKey(op: Extract<ParsedOperator, { ok: true }>, expected: string[], actual: ActualValue): boolean {
  const { base } = op;
  if (base.name === 'Null') {
    const absent = actual === null;
    return expected.some((v) => (v.toLowerCase() === 'true' ? absent : !absent));
  }
  const one = (v: string): boolean => {
    const hit = expected.some((p) => base.compare(p, v));
    return base.negated ? !hit : hit;
  };
  if (op.set === 'ForAnyValue') {
    if (actual === null) return false;
    return toList(actual).some(one);
  }
  if (op.set === 'ForAllValues') {
    if (actual === null) return true;
    return toList(actual).every(one);
  }
  if (actual === null) return op.ifExists || base.negated;
  if (Array.isArray(actual)) return false;
  return one(String(actual));
}

function toList(actual: string | string[] | boolean): string[] {
  return Array.isArray(actual) ? actual : [String(actual)];
}

const quote = (v: string): string => JSON.stringify(v);

function describeMiss(
  written: string,
  op: Extract<ParsedOperator, { ok: true }>,
  key: string,
  expected: string[],
  actual: ActualValue,
): string {
  const head = `condition ${written} ${key}`;
  if (op.base.name === 'Null') {
    const wantsAbsent = expected.some((v) => v.toLowerCase() === 'true');
    return wantsAbsent
      ? `${head} expects the key to be absent but the request has ${formatActual(key, actual)}`
      : `${head} expects the key to be present but the request has no ${key}`;
  }
  const list = expected.map(quote).join(', ');
  let wants: string;
  if (op.base.negated) wants = expected.length === 1 ? `a value other than ${list}` : `none of ${list}`;
  else wants = expected.length === 1 ? list : `one of ${list}`;
  if (op.set === 'ForAllValues') wants = `every value to be ${wants}`;
  if (op.set === 'ForAnyValue') wants = `at least one value to be ${wants}`;
  let tail = formatActual(key, actual);
  if (!op.set && Array.isArray(actual)) tail += ', and a single-valued operator never matches a multi-valued key';
  return `${head} expects ${wants} but the request has ${tail}`;
}

export function formatActual(key: string, actual: ActualValue): string {
  if (actual === null) return `no ${key}`;
  if (Array.isArray(actual)) return actual.length === 0 ? `an empty list for ${key}` : actual.map(quote).join(', ');
  return quote(String(actual));
}
