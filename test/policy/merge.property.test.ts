/** Issue 4, item 3: merge keeps what is not ours, is idempotent, stays parseable and within size. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_POLICY_LENGTH, canonical, mergeOwnedStatements } from '../../src/policy/merge.js';
import { parsePolicy } from '../../src/policy/parse.js';

type Json = Record<string, unknown>;
const OWNED_SIDS = ['EcrDoctorCodeBuildPull', 'EcrDoctorRolePull', 'EcrDoctorLegacy'] as const;
const owns = (sid: string): boolean => sid.startsWith('EcrDoctor');

/** An object whose keys come in a random order: key order must survive the merge. */
function shuffledObject(entries: fc.Arbitrary<[string, unknown][]>): fc.Arbitrary<Json> {
  return entries.chain((es) => fc.shuffledSubarray(es, { minLength: es.length, maxLength: es.length })).map((es) => Object.fromEntries(es));
}

const text = fc.string({ minLength: 1, maxLength: 12 });
const stringList = fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 4 }));
const principal = fc.oneof(
  fc.constant('*'),
  fc.record({ AWS: stringList }),
  fc.record({ Service: stringList }, { requiredKeys: [] }).filter((r) => Object.keys(r).length > 0),
);
const condition = fc.dictionary(
  fc.constantFrom('StringEquals', 'ArnLike', 'Bool', 'ForAnyValue:StringLike', 'NumericLessThan'),
  fc.dictionary(text, fc.oneof(text, fc.boolean(), fc.integer(), fc.array(text, { maxLength: 3 })), { minKeys: 1, maxKeys: 2 }),
  { minKeys: 1, maxKeys: 2 },
);

/** A statement the tool does not own: no Sid, or any Sid not starting with EcrDoctor. */
const foreignStatement: fc.Arbitrary<Json> = fc
  .record({
    sid: fc.option(text.filter((s) => !owns(s)), { nil: undefined }),
    effect: fc.constantFrom('Allow', 'Deny'),
    principal: fc.option(principal, { nil: undefined }),
    action: stringList,
    resource: fc.option(stringList, { nil: undefined }),
    condition: fc.option(condition, { nil: undefined }),
  })
  .chain((r) => {
    const entries: [string, unknown][] = [['Effect', r.effect], ['Action', r.action]];
    if (r.sid !== undefined) entries.push(['Sid', r.sid]);
    if (r.principal !== undefined) entries.push(['Principal', r.principal]);
    if (r.resource !== undefined) entries.push(['Resource', r.resource]);
    if (r.condition !== undefined) entries.push(['Condition', r.condition]);
    return shuffledObject(fc.constant(entries));
  });

function ownedStatement(sid: string): fc.Arbitrary<Json> {
  return fc
    .record({ actions: fc.subarray(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], { minLength: 1 }), account: fc.constantFrom('111122223333', '444455556666') })
    .map(({ actions, account }) => ({
      Sid: sid,
      Effect: 'Allow',
      Principal: { Service: 'codebuild.amazonaws.com' },
      Action: actions,
      Condition: { StringEquals: { 'aws:SourceAccount': account } },
    }));
}
const anyOwned = fc.constantFrom(...OWNED_SIDS).chain(ownedStatement);

/** A live policy: foreign and (older) owned statements mixed, Statement as object or array, optional Id. */
const currentPolicy: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 6,
    arbitrary: fc
      .record({
        version: fc.constantFrom('2012-10-17', '2008-10-17', undefined),
        id: fc.option(text, { nil: undefined }),
        statements: fc.array(fc.oneof({ weight: 3, arbitrary: foreignStatement }, { weight: 1, arbitrary: anyOwned }), { maxLength: 8 }),
        asObject: fc.boolean(),
        pad: fc.nat({ max: 9000 }),
      })
      .map(({ version, id, statements, asObject, pad }) => {
        const doc: Json = {};
        if (id !== undefined) doc['Id'] = id;
        if (version !== undefined) doc['Version'] = version;
        // Now and then a big foreign statement, so that the size limit is reached too.
        const big = pad > 6000 ? [{ Sid: 'Big', Effect: 'Allow', Principal: '*', Action: [`x:${'a'.repeat(pad)}`] }] : [];
        const all = [...statements, ...big];
        doc['Statement'] = asObject && all.length === 1 ? all[0] : all;
        return JSON.stringify(doc);
      }),
  },
);

const wanted: fc.Arbitrary<Json[]> = fc.subarray([...OWNED_SIDS]).chain((sids) => (sids.length === 0 ? fc.constant([]) : fc.tuple(...sids.map(ownedStatement))));

function foreignOf(text: string | undefined): unknown[] {
  if (text === undefined) return [];
  const st = (JSON.parse(text) as Json)['Statement'];
  const list = Array.isArray(st) ? st : [st];
  return list.filter((s) => !(typeof (s as Json)['Sid'] === 'string' && owns((s as Json)['Sid'] as string)));
}

describe('mergeOwnedStatements properties', () => {
  it('keeps every foreign statement byte for byte, writes exactly the owned ones, stays parseable, is idempotent, or refuses as too large', () => {
    let merged = 0;
    let refused = 0;
    fc.assert(
      fc.property(currentPolicy, wanted, (current, owned) => {
        const r = mergeOwnedStatements(current, owned, owns);
        if (!r.ok) {
          expect(r.reason).toBe('too-large');
          expect(r.message).toContain('10240-character limit');
          // The refusal is honest: even the compact document would be over the limit (statement
          // order does not change its length; an object-form Statement saves the two brackets).
          const base: Json = current === undefined ? { Version: '2012-10-17' } : (JSON.parse(current) as Json);
          const compact = JSON.stringify({ ...base, Statement: [...foreignOf(current), ...owned] });
          expect(compact.length).toBeGreaterThan(MAX_POLICY_LENGTH - 2);
          refused += 1;
          return;
        }
        merged += 1;
        expect(r.text.length).toBeLessThanOrEqual(MAX_POLICY_LENGTH);
        const parsed = parsePolicy(r.text);
        expect(parsed.ok).toBe(true);
        const out = JSON.parse(r.text) as Json;
        const outStatements = (Array.isArray(out['Statement']) ? out['Statement'] : [out['Statement']]) as Json[];

        // Foreign statements: all there, same order, same serialisation (key order included).
        const foreignIn = foreignOf(current).map((s) => JSON.stringify(s));
        const foreignOut = outStatements.filter((s) => !(typeof s['Sid'] === 'string' && owns(s['Sid']))).map((s) => JSON.stringify(s));
        expect(foreignOut).toEqual(foreignIn);
        expect(r.kept).toBe(foreignIn.length);

        // Owned statements: exactly the ones asked for, once each.
        const ownedOut = outStatements.filter((s) => typeof s['Sid'] === 'string' && owns(s['Sid']));
        expect(ownedOut.map((s) => canonical(s)).sort()).toEqual(owned.map((s) => canonical(s)).sort());

        // Other top-level keys survive.
        if (current !== undefined) {
          const before = JSON.parse(current) as Json;
          for (const k of Object.keys(before)) if (k !== 'Statement') expect(out[k]).toEqual(before[k]);
        } else {
          expect(out['Version']).toBe('2012-10-17');
        }

        // Idempotent: a second merge changes nothing and writes the same text.
        const again = mergeOwnedStatements(r.text, owned, owns);
        expect(again.ok && again.changed).toBe(false);
        expect(again.ok && again.text).toBe(r.text);
        expect(again.ok && [again.added, again.replaced, again.removed]).toEqual([[], [], []]);
      }),
      { numRuns: 400, seed: 4242 },
    );
    // Both outcomes must actually be exercised.
    expect(merged).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(5);
  });
});
