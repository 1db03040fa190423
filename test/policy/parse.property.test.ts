/** Issue 4, item 4: whatever comes in, the parser returns a policy or a typed error with a JSON path. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicy, type ParseResult } from '../../src/policy/parse.js';

/** Splits `$.a["b:c"][2]` into ['a', 'b:c', 2]. */
function pathSegments(path: string): (string | number)[] {
  expect(path.startsWith('$')).toBe(true);
  const out: (string | number)[] = [];
  const re = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  let at = 1;
  for (let m = re.exec(path); m !== null; m = re.exec(path)) {
    expect(m.index, `unparseable path ${path}`).toBe(at);
    at = re.lastIndex;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3] as string) as string);
  }
  expect(at, `unparseable path ${path}`).toBe(path.length);
  return out;
}

/** Every segment but the last must exist in the value: the path points at the fault or its parent. */
function expectPathInto(value: unknown, path: string): void {
  const segments = pathSegments(path);
  let node: unknown = value;
  for (const seg of segments.slice(0, -1)) {
    expect(node !== null && typeof node === 'object', `path ${path} walks through a non-container`).toBe(true);
    node = (node as Record<string | number, unknown>)[seg];
    expect(node, `path ${path} names a missing element`).not.toBeUndefined();
  }
}

function expectTyped(r: ParseResult): void {
  if (r.ok) {
    expect(Array.isArray(r.policy.statements)).toBe(true);
    for (const s of r.policy.statements) expect(['Allow', 'Deny']).toContain(s.effect);
  } else {
    expect(Object.keys(r.error).sort()).toEqual(['message', 'path']);
    expect(r.error.message.length).toBeGreaterThan(0);
    expect(r.error.path.startsWith('$')).toBe(true);
  }
}

/** Policy-shaped values where any part may be of the wrong type. */
const maybe = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: fc.jsonValue() });
const strings = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }));
const statementish = fc.dictionary(
  fc.constantFrom('Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition', 'Conditon'),
  maybe(
    fc.oneof(
      fc.constantFrom('Allow', 'Deny', '*'),
      strings,
      fc.record({ AWS: strings }),
      fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.boolean(), fc.integer(), fc.array(fc.string())))),
    ),
  ),
  { maxKeys: 6 },
);
const policyish = fc.record(
  {
    Version: maybe(fc.constantFrom('2012-10-17', '2008-10-17')),
    Id: maybe(fc.string()),
    Statement: maybe(fc.oneof(statementish, fc.array(maybe(statementish), { maxLength: 4 }))),
  },
  { requiredKeys: [] },
);

describe('parsePolicy robustness', () => {
  it('never throws on arbitrary JSON values, and agrees with itself on their text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const direct = parsePolicy(value);
        expectTyped(direct);
        // A string argument is JSON text by contract; the rest is a parsed value.
        if (typeof value === 'string') return;
        if (!direct.ok) expectPathInto(value, direct.error.path);
        const viaText = parsePolicy(JSON.stringify(value) ?? 'null');
        expect(viaText.ok).toBe(direct.ok);
        if (!viaText.ok && !direct.ok) expect(viaText.error).toEqual(direct.error);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on arbitrary strings; invalid JSON is reported at "$"', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary', maxLength: 40 })), (text) => {
        const r = parsePolicy(text);
        expectTyped(r);
        let isJson = true;
        try {
          JSON.parse(text);
        } catch {
          isJson = false;
        }
        if (!isJson) expect(r).toEqual({ ok: false, error: { path: '$', message: expect.stringMatching(/^not valid JSON: /) } });
      }),
      { numRuns: 1000 },
    );
  });

  it('on policy-shaped values, either reads every statement or points at the faulty element', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(policyish, (value) => {
        const r = parsePolicy(value);
        expectTyped(r);
        if (r.ok) {
          accepted += 1;
          const st = value.Statement;
          expect(r.policy.statements).toHaveLength(Array.isArray(st) ? st.length : 1);
          expect(r.policy.raw).toBe(value);
        } else {
          rejected += 1;
          expectPathInto(value, r.error.path);
        }
      }),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(20);
    expect(rejected).toBeGreaterThan(200);
  });

  it('never throws on values that are not JSON at all', () => {
    const odd: unknown[] = [undefined, () => 1, Symbol('x'), 10n, new Date(0), new Map(), { Statement: [{ Effect: 'Allow', Action: 'a', Condition: { X: { k: NaN } } }] }];
    for (const v of odd) expectTyped(parsePolicy(v));
    const cyclic: Record<string, unknown> = { Statement: [] };
    (cyclic['Statement'] as unknown[]).push(cyclic);
    expectTyped(parsePolicy(cyclic));
  });
});
