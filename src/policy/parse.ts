/**
 * Policy grammar: turns JSON text (or an already parsed value) into a normalised document, or
 * a typed error with the JSON path at fault. Never throws.
 *
 * Accepted forms follow what AWS stores and what is seen in the wild (DOMAIN.md §4):
 * `Statement` object or array; `Principal` "*", a string/array of AWS principals, or a map;
 * element values as a string or an array of strings; Version 2012-10-17, 2008-10-17 or absent.
 */

export interface Principals {
  AWS?: string[];
  Service?: string[];
  Federated?: string[];
  CanonicalUser?: string[];
}

export interface PolicyStatement {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  principal?: '*' | Principals;
  notPrincipal?: '*' | Principals;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  /** operator (as written, e.g. "ForAnyValue:StringLikeIfExists") -> key -> values (as strings; booleans/numbers stringified) */
  condition?: Record<string, Record<string, string[]>>;
  raw: Record<string, unknown>;
}

export interface PolicyDocument {
  version?: string;
  id?: string;
  statements: PolicyStatement[];
  raw: Record<string, unknown>;
}

export interface PolicyParseError {
  path: string;
  message: string;
}

export type ParseResult = { ok: true; policy: PolicyDocument } | { ok: false; error: PolicyParseError };

export const POLICY_VERSIONS: readonly string[] = ['2012-10-17', '2008-10-17'];

const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const PRINCIPAL_KEYS = ['AWS', 'Service', 'Federated', 'CanonicalUser'] as const;

/** Thrown internally only; parsePolicy turns it into a result. */
class ParseFailure extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export function parsePolicy(input: string | unknown): ParseResult {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      return fail('$', `not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  try {
    return { ok: true, policy: readDocument(value) };
  } catch (e) {
    if (e instanceof ParseFailure) return fail(e.path, e.message);
    // A bug in the parser must still not escape as an exception (issue 4, item 4).
    return fail('$', `could not read the policy: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function fail(path: string, message: string): ParseResult {
  return { ok: false, error: { path, message } };
}

/** `$.a.b`, `$.a["aws:SourceArn"]`, `$.Statement[1]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function readDocument(value: unknown): PolicyDocument {
  if (!isPlainObject(value)) throw new ParseFailure('$', `a policy must be a JSON object, not ${describe(value)}`);
  const doc: PolicyDocument = { statements: [], raw: value };
  if ('Version' in value) {
    const v = value['Version'];
    if (typeof v !== 'string') throw new ParseFailure('$.Version', `Version must be a string, not ${describe(v)}`);
    if (!POLICY_VERSIONS.includes(v)) {
      throw new ParseFailure('$.Version', `Version must be "2012-10-17" or "2008-10-17", not ${JSON.stringify(v)}`);
    }
    doc.version = v;
  }
  if ('Id' in value) {
    const id = value['Id'];
    if (typeof id !== 'string') throw new ParseFailure('$.Id', `Id must be a string, not ${describe(id)}`);
    doc.id = id;
  }
  if (!('Statement' in value)) throw new ParseFailure('$.Statement', 'a policy needs a Statement');
  const st = value['Statement'];
  if (isPlainObject(st)) {
    doc.statements.push(readStatement(st, 0, '$.Statement'));
  } else if (Array.isArray(st)) {
    st.forEach((s, i) => doc.statements.push(readStatement(s, i, childPath('$.Statement', i))));
  } else {
    throw new ParseFailure('$.Statement', `Statement must be an object or an array, not ${describe(st)}`);
  }
  return doc;
}

function readStatement(value: unknown, index: number, path: string): PolicyStatement {
  if (!isPlainObject(value)) throw new ParseFailure(path, `a statement must be an object, not ${describe(value)}`);
  for (const key of Object.keys(value)) {
    // An unknown element (a typo such as "Conditon") would silently widen the statement; AWS
    // rejects such a policy, so it cannot be live as written.
    if (!STATEMENT_KEYS.has(key)) throw new ParseFailure(childPath(path, key), `unknown statement element "${key}"`);
  }
  const effect = value['Effect'];
  if (effect === undefined) throw new ParseFailure(childPath(path, 'Effect'), 'a statement needs an Effect');
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw new ParseFailure(childPath(path, 'Effect'), `Effect must be "Allow" or "Deny", not ${JSON.stringify(effect)}`);
  }
  const st: PolicyStatement = { index, effect, raw: value };
  if ('Sid' in value) {
    const sid = value['Sid'];
    if (typeof sid !== 'string') throw new ParseFailure(childPath(path, 'Sid'), `Sid must be a string, not ${describe(sid)}`);
    st.sid = sid;
  }
  if ('Principal' in value && 'NotPrincipal' in value) {
    throw new ParseFailure(childPath(path, 'NotPrincipal'), 'a statement cannot have both Principal and NotPrincipal');
  }
  if ('Principal' in value) st.principal = readPrincipal(value['Principal'], childPath(path, 'Principal'));
  if ('NotPrincipal' in value) st.notPrincipal = readPrincipal(value['NotPrincipal'], childPath(path, 'NotPrincipal'));

  const hasAction = 'Action' in value;
  const hasNotAction = 'NotAction' in value;
  if (hasAction && hasNotAction) {
    throw new ParseFailure(childPath(path, 'NotAction'), 'a statement cannot have both Action and NotAction');
  }
  if (!hasAction && !hasNotAction) throw new ParseFailure(path, 'a statement needs an Action or a NotAction');
  if (hasAction) st.action = readStrings(value['Action'], childPath(path, 'Action'));
  if (hasNotAction) st.notAction = readStrings(value['NotAction'], childPath(path, 'NotAction'));

  if ('Resource' in value && 'NotResource' in value) {
    throw new ParseFailure(childPath(path, 'NotResource'), 'a statement cannot have both Resource and NotResource');
  }
  if ('Resource' in value) st.resource = readStrings(value['Resource'], childPath(path, 'Resource'));
  if ('NotResource' in value) st.notResource = readStrings(value['NotResource'], childPath(path, 'NotResource'));
  if ('Condition' in value) st.condition = readCondition(value['Condition'], childPath(path, 'Condition'));
  return st;
}

function readStrings(value: unknown, path: string): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) throw new ParseFailure(path, `expected a string or an array of strings, not ${describe(value)}`);
  return value.map((v, i) => {
    if (typeof v !== 'string') throw new ParseFailure(childPath(path, i), `expected a string, not ${describe(v)}`);
    return v;
  });
}

function readPrincipal(value: unknown, path: string): '*' | Principals {
  if (value === '*') return '*';
  // A bare string or array (outside the map) is read as AWS principals: seen in hand-written
  // policies, and how the string form is documented for the AWS key.
  if (typeof value === 'string' || Array.isArray(value)) return { AWS: readStrings(value, path) };
  if (!isPlainObject(value)) throw new ParseFailure(path, `expected "*" or a principal map, not ${describe(value)}`);
  const out: Principals = {};
  const keys = Object.keys(value);
  if (keys.length === 0) throw new ParseFailure(path, 'a principal map needs at least one of AWS, Service, Federated, CanonicalUser');
  for (const key of keys) {
    const known = PRINCIPAL_KEYS.find((k) => k === key);
    if (known === undefined) {
      throw new ParseFailure(childPath(path, key), `unknown principal type "${key}" (expected AWS, Service, Federated or CanonicalUser)`);
    }
    out[known] = readStrings(value[key], childPath(path, key));
  }
  return out;
}

function readCondition(value: unknown, path: string): Record<string, Record<string, string[]>> {
  if (!isPlainObject(value)) throw new ParseFailure(path, `Condition must be an object, not ${describe(value)}`);
  const out: Record<string, Record<string, string[]>> = {};
  for (const [operator, block] of Object.entries(value)) {
    const opPath = childPath(path, operator);
    if (!isPlainObject(block)) throw new ParseFailure(opPath, `a condition operator needs an object of keys, not ${describe(block)}`);
    const keys: Record<string, string[]> = {};
    for (const [key, raw] of Object.entries(block)) {
      keys[key] = readConditionValues(raw, childPath(opPath, key));
    }
    out[operator] = keys;
  }
  return out;
}

function readConditionValues(value: unknown, path: string): string[] {
  const one = (v: unknown, p: string): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return String(v);
    throw new ParseFailure(p, `a condition value must be a string, number or boolean, not ${describe(v)}`);
  };
  if (Array.isArray(value)) return value.map((v, i) => one(v, childPath(path, i)));
  return [one(value, path)];
}
