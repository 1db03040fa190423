/**
 * Known divergences (fixtures/known-divergences.json) and, for each, a rewrite that turns a case
 * into one where our engine should reach the oracle's answer. A generated disagreement counts
 * as known only when the rewrite makes our engine agree: being near the construct is not enough.
 */
import { readFileSync } from 'node:fs';
import type { GeneratedCase } from './generators.js';
import { ROLE_A, ROLE_B } from './vocabulary.js';

export interface KnownDivergence {
  id: string;
  summary: string;
  ours: string;
  oracle: string;
  restsOn: string;
  quote: string;
  handCases: string[];
}

export const KNOWN_DIVERGENCES: readonly KnownDivergence[] = (
  JSON.parse(readFileSync(new URL('../../fixtures/known-divergences.json', import.meta.url), 'utf8')) as { divergences: KnownDivergence[] }
).divergences;

type Json = Record<string, unknown>;
type Rewrite = (c: GeneratedCase) => GeneratedCase;

/** The oracle's reading of an ARN: at least five colon-separated parts (it does not need a sixth). */
function oracleSeesArn(v: string): boolean {
  return v.split(':').length >= 5;
}

/**
 * arn-negated-operator-invalid-arn: on a present key, the oracle fails ArnNot* conditions whose
 * values include a non-ARN. Replacing the values by the request's own value gives a condition
 * that our engine also fails when the key is present, whatever the prefix or IfExists.
 */
const rewriteArnNegated: Rewrite = (c) => {
  const fix = (policy: Json | undefined): Json | undefined => {
    if (!policy) return policy;
    const copy = structuredClone(policy);
    const statements = Array.isArray(copy['Statement']) ? (copy['Statement'] as Json[]) : [copy['Statement'] as Json];
    for (const st of statements) {
      const cond = st['Condition'] as Record<string, Record<string, string | string[]>> | undefined;
      if (!cond) continue;
      for (const [op, keys] of Object.entries(cond)) {
        if (!/^(ForAnyValue:|ForAllValues:)?ArnNot(Equals|Like)(IfExists)?$/i.test(op)) continue;
        for (const [key, raw] of Object.entries(keys)) {
          const values = Array.isArray(raw) ? raw : [raw];
          const actual = Object.entries(c.context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
          if (typeof actual !== 'string') continue;
          if (values.some((v) => !oracleSeesArn(v))) keys[key] = [actual];
        }
      }
    }
    return copy;
  };
  const out: GeneratedCase = { ...c, identity: c.identity.map((p) => fix(p) as Json) };
  const rp = fix(c.resourcePolicy);
  const pb = fix(c.boundary);
  if (rp) out.resourcePolicy = rp;
  if (pb) out.boundary = pb;
  return out;
};

/**
 * role-arn-path-ignored: the oracle matches a role principal by account and name only. Writing
 * the caller's exact role ARN wherever an entry has its account and name gives our engine the
 * oracle's reading.
 */
const rewriteRolePath: Rewrite = (c) => {
  if (c.caller === 'service') return c;
  const roleArn = c.caller === 'role-a' ? ROLE_A : ROLE_B;
  const [, , , , account, resource] = roleArn.split(':');
  const name = resource?.slice(resource.lastIndexOf('/') + 1);
  const samePrincipal = (v: unknown): unknown => {
    if (typeof v !== 'string') return v;
    const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(v);
    return m && m[1] === account && m[2] === name ? roleArn : v;
  };
  if (!c.resourcePolicy) return c;
  const rp = structuredClone(c.resourcePolicy);
  const statements = Array.isArray(rp['Statement']) ? (rp['Statement'] as Json[]) : [rp['Statement'] as Json];
  for (const st of statements) {
    for (const el of ['Principal', 'NotPrincipal']) {
      const p = st[el];
      if (p && typeof p === 'object' && !Array.isArray(p) && 'AWS' in p) {
        const aws = (p as Json)['AWS'];
        (p as Json)['AWS'] = Array.isArray(aws) ? aws.map(samePrincipal) : samePrincipal(aws);
      }
    }
  }
  return { ...c, resourcePolicy: rp };
};

export const REWRITES: Record<string, Rewrite> = {
  'arn-negated-operator-invalid-arn': rewriteArnNegated,
  'role-arn-path-ignored': rewriteRolePath,
};
