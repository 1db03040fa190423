/**
 * Issue 12, item 2: the merge edits the policy text. For policies written with arbitrary
 * whitespace, line endings, string escapes, key order and number spellings, every byte outside
 * ecr-doctor's own statements is unchanged; the result parses, holds our statements and is
 * idempotent. A key written twice or a number a double cannot hold is refused, naming the path.
 */
import fc from 'fast-check';
import type { Node } from 'jsonc-parser';
import { getNodeValue, parseTree } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { canonical, mergeOwnedStatements } from '../../src/policy/merge.js';
import { parsePolicy } from '../../src/policy/parse.js';

const owns = (sid: string): boolean => sid.startsWith('EcrDoctor');

/** A number as written in the text; the value it stands for is exact (1.0, 1e2, -0, 0.5 ...). */
class Num {
  constructor(readonly literal: string) {}
}
/** An object whose key order is as given (and may repeat a key, for the refusal property). */
class Obj {
  constructor(readonly entries: [string, Styled][]) {}
}
type Styled = string | boolean | null | Num | Obj | Styled[];

interface Style {
  ws: string[];
  escapes: number[];
}

/** Renders a Styled value with whitespace and escapes drawn cyclically from `style`. */
function render(value: Styled, style: Style): string {
  let w = 0;
  let e = 0;
  const ws = () => style.ws[w++ % style.ws.length]!;
  const str = (s: string) =>
    `"${[...s]
      .map((ch) => {
        const pick = style.escapes[e++ % style.escapes.length]!;
        if (ch === '"' || ch === '\\') return `\\${ch}`;
        const hex = ch.charCodeAt(0).toString(16).padStart(4, '0');
        if (ch.charCodeAt(0) < 0x20 || pick % 4 === 0) return `\\u${pick % 8 === 0 ? hex.toUpperCase() : hex}`;
        if (ch === '/' && pick % 2 === 1) return '\\/';
        return ch;
      })
      .join('')}"`;
  const go = (v: Styled): string => {
    if (typeof v === 'string') return str(v);
    if (v instanceof Num) return v.literal;
    if (v instanceof Obj) return `{${v.entries.map(([k, x]) => `${ws()}${str(k)}${ws()}:${ws()}${go(x)}${ws()}`).join(',')}}`;
    if (Array.isArray(v)) return `[${v.map((x) => `${ws()}${go(x)}${ws()}`).join(',')}]`;
    return String(v);
  };
  return `${ws()}${go(value)}${ws()}`;
}

const text = fc.string({ minLength: 1, maxLength: 10, unit: fc.constantFrom('a', 'é', '/', '"', '\\', '\t', 'ü', '€', 'x', ':', '*', ' ') });
const exactNumber = fc.oneof(
  fc.integer({ min: -1e6, max: 1e6 }).map(String),
  fc.constantFrom('1.0', '1e2', '1E+2', '0.5', '-0', '2.50', '1e-3', '0.1', '123456789012345680', '9007199254740992', '1e21'),
).map((l) => new Num(l));
const stringList: fc.Arbitrary<Styled> = fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 3 }));

function obj(entries: fc.Arbitrary<[string, Styled][]>): fc.Arbitrary<Obj> {
  return entries.chain((es) => fc.shuffledSubarray(es, { minLength: es.length, maxLength: es.length })).map((es) => new Obj(es));
}

const foreignStatement: fc.Arbitrary<Obj> = fc
  .record({
    sid: fc.option(text.filter((s) => !owns(s)), { nil: undefined }),
    effect: fc.constantFrom('Allow', 'Deny'),
    action: stringList,
    condition: fc.option(fc.tuple(text, fc.oneof(exactNumber, text, fc.boolean())), { nil: undefined }),
  })
  .chain((r) => {
    const es: [string, Styled][] = [['Effect', r.effect], ['Action', r.action], ['Principal', '*']];
    if (r.sid !== undefined) es.push(['Sid', r.sid]);
    if (r.condition) es.push(['Condition', new Obj([['NumericLessThan', new Obj([[`aws:${r.condition[0]}`, r.condition[1]]])]])]);
    return obj(fc.constant(es));
  });

const OURS = (sid: string) => ({ Sid: sid, Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: ['ecr:BatchGetImage'], Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } } });
const oldOwned = fc.constantFrom('EcrDoctorCodeBuildPull', 'EcrDoctorOld').map((sid) => new Obj([['Sid', sid], ['Effect', 'Allow'], ['Principal', '*'], ['Action', 'ecr:BatchGetImage']]));

const policyValue: fc.Arbitrary<Obj> = fc
  .record({
    statements: fc.array(fc.oneof({ weight: 4, arbitrary: foreignStatement }, { weight: 1, arbitrary: oldOwned }), { maxLength: 5 }),
    form: fc.constantFrom('array', 'object'),
    id: fc.option(text, { nil: undefined }),
  })
  .chain(({ statements, form, id }) => {
    const es: [string, Styled][] = [['Version', '2012-10-17']];
    if (id !== undefined) es.push(['Id', id]);
    es.push(['Statement', form === 'object' && statements.length === 1 ? statements[0]! : statements]);
    return obj(fc.constant(es));
  });

const style: fc.Arbitrary<Style> = fc.record({
  ws: fc.array(fc.constantFrom('', ' ', '  ', '\t', '\n', '\r\n', '\n    ', '\r\n\t\t', ' \n '), { minLength: 1, maxLength: 12 }),
  escapes: fc.array(fc.nat({ max: 15 }), { minLength: 1, maxLength: 8 }),
});

const wanted = fc.subarray(['EcrDoctorCodeBuildPull', 'EcrDoctorRolePull']).map((sids) => sids.map(OURS));

function statementNodes(t: string): { array: Node | undefined; value: Node | undefined; elements: Node[] } {
  const root = parseTree(t)!;
  const value = root.children?.find((p) => p.children?.[0]?.value === 'Statement')?.children?.[1];
  const elements = value === undefined ? [] : value.type === 'array' ? (value.children ?? []) : [value];
  return { array: value, value, elements };
}

const isOwned = (n: Node) => {
  const v = getNodeValue(n) as Record<string, unknown>;
  return typeof v['Sid'] === 'string' && owns(v['Sid']);
};

describe('mergeOwnedStatements edits the text (property)', () => {
  it('keeps every byte outside its own statements, parses, holds ours, and is idempotent', () => {
    let withForeign = 0;
    fc.assert(
      fc.property(policyValue, style, wanted, (value, s, owned) => {
        const current = render(value, s);
        const r = mergeOwnedStatements(current, owned, owns);
        if (!r.ok) throw new Error(`refused: ${r.message}\n${current}`);
        expect(parsePolicy(r.text).ok).toBe(true);

        const before = statementNodes(current);
        const after = statementNodes(r.text);
        const slice = (t: string, n: Node) => t.slice(n.offset, n.offset + n.length);
        // Foreign statements: the same bytes, in the same order.
        const foreignBefore = before.elements.filter((n) => !isOwned(n));
        const foreignAfter = after.elements.filter((n) => !isOwned(n));
        expect(foreignAfter.map((n) => slice(r.text, n))).toEqual(foreignBefore.map((n) => slice(current, n)));
        if (foreignBefore.length) withForeign += 1;

        expect(before.value).toBeDefined();
        if (before.value) {
          // Everything before and after the Statement value is untouched.
          expect(r.text.startsWith(current.slice(0, before.value.offset))).toBe(true);
          expect(r.text.endsWith(current.slice(before.value.offset + before.value.length))).toBe(true);
          if (before.value.type === 'array') {
            // Between two foreign statements that were neighbours, the separator is untouched.
            for (let i = 0; i + 1 < before.elements.length; i++) {
              const [a, b] = [before.elements[i]!, before.elements[i + 1]!];
              if (isOwned(a) || isOwned(b)) continue;
              const j = foreignBefore.indexOf(a);
              const [a2, b2] = [foreignAfter[j]!, foreignAfter[j + 1]!];
              expect(r.text.slice(a2.offset + a2.length, b2.offset)).toBe(current.slice(a.offset + a.length, b.offset));
            }
            // With nothing of ours before, the whole text up to the last statement is unchanged.
            const last = before.elements.at(-1);
            if (last && !before.elements.some(isOwned)) {
              expect(r.text.slice(0, last.offset + last.length)).toBe(current.slice(0, last.offset + last.length));
              expect(r.text.endsWith(current.slice(last.offset + last.length))).toBe(true);
            }
          }
        }

        // Ours: exactly the ones asked for.
        const ownedAfter = after.elements.filter(isOwned).map((n) => canonical(getNodeValue(n)));
        expect(ownedAfter.sort()).toEqual(owned.map((o) => canonical(o)).sort());

        // Idempotent: the second merge writes the same text and reports no change.
        const again = mergeOwnedStatements(r.text, owned, owns);
        expect(again.ok && again.changed).toBe(false);
        expect(again.ok && again.text).toBe(r.text);
      }),
      { numRuns: 500, seed: 1212 },
    );
    expect(withForeign).toBeGreaterThan(200);
  });

  it('refuses a policy with a key written twice or a number a double cannot hold, naming the JSON path', () => {
    const inexact = fc.constantFrom('9007199254740993', '9007199254740993.5', '1.00000000000000001', '1e400', '-1e999', '0.10000000000000000001');
    fc.assert(
      fc.property(policyValue, style, inexact, fc.boolean(), (value, s, literal, duplicate) => {
        const statement = new Obj([['Effect', 'Deny'], ...(duplicate ? ([['Effect', 'Allow']] as [string, Styled][]) : []), ['Action', 'ecr:*'], ['Principal', '*'], ...(duplicate ? [] : ([['Condition', new Obj([['NumericLessThan', new Obj([['aws:n', new Num(literal)]])]])]] as [string, Styled][]))]);
        const entries = value.entries.filter(([k]) => k !== 'Statement');
        const current = render(new Obj([...entries, ['Statement', [statement]]]), s);
        const r = mergeOwnedStatements(current, [OURS('EcrDoctorCodeBuildPull')], owns);
        expect(r.ok).toBe(false);
        if (r.ok) return;
        if (duplicate) {
          expect(r).toMatchObject({ reason: 'duplicate-key', message: 'the current policy has two "Effect" keys at $.Statement[0]; ecr-doctor will not rewrite it (edit it by hand first)' });
        } else {
          expect(r.reason).toBe('inexact-number');
          expect(r.message).toContain(`holds the number ${literal} at $.Statement[0].Condition.NumericLessThan["aws:n"], which JSON cannot represent exactly`);
        }
      }),
      { numRuns: 200, seed: 77 },
    );
  });
});
