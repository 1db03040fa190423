/** fast-check arbitraries for whole evaluation requests over the vocabulary in vocabulary.ts. */
import fc from 'fast-check';
import type { ContextValue, EvaluationInput } from '../../src/policy/evaluate.js';
import { parsePolicy } from '../../src/policy/parse.js';
import {
  ACTION_PATTERNS,
  KEYS,
  LIKELY_PRINCIPALS,
  PRINCIPAL_ELEMENTS,
  REPO_A,
  REPO_A2,
  REPO_B,
  REQUEST_ACTIONS,
  RESOURCE_PATTERNS,
  ROLE_A,
  ROLE_B,
  A,
  B,
  CODEBUILD,
  SESSION_NAME,
  baseOperatorsFor,
  type KeySpec,
} from './vocabulary.js';

type Json = Record<string, unknown>;

/** One value as a bare string or a one-element array, as policies in the wild do. */
function oneOrMany<T>(values: T[]): fc.Arbitrary<T | T[]> {
  return values.length === 1 ? fc.constantFrom<T | T[]>(values[0] as T, values) : fc.constant(values);
}

function someOf<T>(pool: readonly T[], maxLength: number): fc.Arbitrary<T[]> {
  return fc.subarray([...pool], { minLength: 1, maxLength });
}

function operatorFor(spec: KeySpec): fc.Arbitrary<string> {
  const bases = baseOperatorsFor(spec);
  const prefix =
    spec.kind === 'multi'
      ? fc.constantFrom('ForAnyValue:', 'ForAllValues:', 'ForAnyValue:', 'ForAllValues:', '')
      : spec.kind === 'bool'
        ? fc.constant('')
        : fc.constantFrom('', '', '', '', 'ForAnyValue:', 'ForAllValues:');
  return fc.tuple(prefix, fc.constantFrom(...bases), fc.boolean()).map(([p, b, ifExists]) => `${p}${b}${ifExists ? 'IfExists' : ''}`);
}

const conditionEntry: fc.Arbitrary<[string, string, string | string[]]> = fc.constantFrom(...KEYS).chain((spec) =>
  fc.oneof(
    { weight: 9, arbitrary: fc.tuple(operatorFor(spec), fc.constant(spec.key), someOf(spec.policyValues, 2).chain(oneOrMany)) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('Null'), fc.constant(spec.key), fc.constantFrom<string | string[]>('true', 'false')) },
  ),
);

const conditionArb: fc.Arbitrary<Json> = fc.array(conditionEntry, { minLength: 1, maxLength: 2 }).map((entries) => {
  const out: Record<string, Record<string, string | string[]>> = {};
  for (const [op, key, values] of entries) (out[op] ??= {})[key] = values;
  return out;
});

const actionPatterns = someOf(ACTION_PATTERNS, 3);
const actionElement = fc.tuple(fc.constantFrom('Action', 'Action', 'Action', 'NotAction'), actionPatterns.chain(oneOrMany));
/** Patterns that cover the pull actions. */
const friendlyActions = fc.tuple(fc.constant('Action'), someOf(['ecr:*', '*', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:Batch*', 'ecr:Get*'], 3).chain(oneOrMany));

/**
 * Half the statements are "friendly" (likely to name the caller and the action, few conditions),
 * half draw from the whole vocabulary; so allows, implicit denies and explicit denies all occur often.
 */
function statementArb(kind: 'resource' | 'identity', caller: Caller): fc.Arbitrary<Json> {
  return fc.boolean().chain((friendly) =>
    fc
      .record({
        sid: fc.option(fc.constantFrom('S1', 'Pull', 'DenyOthers'), { nil: undefined }),
        effect: fc.constantFrom('Allow', 'Allow', 'Allow', 'Deny'),
        notPrincipal: fc.boolean(),
        principal: fc.constantFrom(...(friendly ? LIKELY_PRINCIPALS[caller] : PRINCIPAL_ELEMENTS)),
        action: friendly ? friendlyActions : actionElement,
        resourceKind:
          kind === 'resource'
            ? fc.constantFrom('none', 'none', 'Resource', 'NotResource')
            : friendly
              ? fc.constant('Resource')
              : fc.constantFrom('Resource', 'Resource', 'Resource', 'NotResource'),
        resources: (friendly ? someOf(RESOURCE_PATTERNS.slice(0, 3), 2) : someOf(RESOURCE_PATTERNS, 2)).chain(oneOrMany),
        condition: fc.oneof({ weight: friendly ? 1 : 2, arbitrary: conditionArb }, { weight: friendly ? 2 : 1, arbitrary: fc.constant(undefined) }),
      })
      .map((r) => {
        const st: Json = {};
        if (r.sid !== undefined) st['Sid'] = r.sid;
        st['Effect'] = r.effect;
        if (kind === 'resource') {
          // NotPrincipal with Allow is "not supported" (IAM User Guide, NotPrincipal): Deny only.
          if (r.notPrincipal && r.effect === 'Deny') st['NotPrincipal'] = r.principal;
          else st['Principal'] = r.principal;
        }
        st[r.action[0]] = r.action[1];
        if (r.resourceKind !== 'none') st[r.resourceKind] = r.resources;
        if (r.condition !== undefined) st['Condition'] = r.condition;
        return st;
      }),
  );
}

function policyArb(kind: 'resource' | 'identity', caller: Caller, maxStatements: number): fc.Arbitrary<Json> {
  return fc
    .tuple(fc.constantFrom('2012-10-17', '2012-10-17', '2008-10-17'), fc.array(statementArb(kind, caller), { minLength: 1, maxLength: maxStatements }))
    .map(([version, statements]) => ({ Version: version, Statement: statements.length === 1 && version === '2008-10-17' ? statements[0] : statements }));
}

const contextArb: fc.Arbitrary<Record<string, ContextValue>> = fc
  .tuple(...KEYS.map((spec) => fc.option(fc.constantFrom(...spec.requestValues), { nil: undefined, freq: 2 })))
  .map((values) => {
    const ctx: Record<string, ContextValue> = {};
    values.forEach((v, i) => {
      const spec = KEYS[i];
      if (v === undefined || !spec) return;
      ctx[spec.key] = Array.isArray(v) ? [...(v as readonly string[])] : (v as string | boolean);
    });
    return ctx;
  });

type Caller = 'service' | 'role-a' | 'role-b';

export interface GeneratedCase {
  caller: Caller;
  action: string;
  resource: string;
  context: Record<string, ContextValue>;
  resourcePolicy?: Json;
  identity: Json[];
  boundary?: Json;
}

export const generatedCaseArb: fc.Arbitrary<GeneratedCase> = fc
  .constantFrom<GeneratedCase['caller']>('service', 'role-a', 'role-a', 'role-b')
  .chain((caller) =>
    fc.record({
      caller: fc.constant(caller),
      action: fc.constantFrom(REQUEST_ACTIONS[0], REQUEST_ACTIONS[0], REQUEST_ACTIONS[1], ...REQUEST_ACTIONS),
      resource: caller === 'service' ? fc.constantFrom(REPO_A, REPO_A2) : caller === 'role-a' ? fc.constantFrom(REPO_A, REPO_A, REPO_A2, REPO_B) : fc.constant(REPO_A),
      context: contextArb,
      resourcePolicy: fc.option(policyArb('resource', caller, 3), { nil: undefined, freq: 5 }),
      identity: caller === 'service' ? fc.constant<Json[]>([]) : fc.array(policyArb('identity', caller, 2), { maxLength: 2 }),
      boundary: caller === 'service' ? fc.constant(undefined) : fc.oneof({ weight: 1, arbitrary: policyArb('identity', caller, 2) }, { weight: 3, arbitrary: fc.constant(undefined) }),
    }),
  )
  .map((c) => {
    const out: GeneratedCase = { caller: c.caller, action: c.action, resource: c.resource, context: c.context, identity: c.identity };
    if (c.resourcePolicy !== undefined) out.resourcePolicy = c.resourcePolicy;
    if (c.boundary !== undefined) out.boundary = c.boundary;
    return out;
  });

function parsed(value: Json, what: string) {
  const r = parsePolicy(value);
  if (!r.ok) throw new Error(`generated ${what} does not parse: ${r.error.path}: ${r.error.message}`);
  return r.policy;
}

export function toEvaluationInput(c: GeneratedCase): EvaluationInput {
  const principal: EvaluationInput['request']['principal'] =
    c.caller === 'service'
      ? { kind: 'service', service: CODEBUILD }
      : c.caller === 'role-a'
        ? { kind: 'role', roleArn: ROLE_A, account: A, sessionName: SESSION_NAME }
        : { kind: 'role', roleArn: ROLE_B, account: B, sessionName: SESSION_NAME };
  const input: EvaluationInput = { request: { principal, action: c.action, resource: c.resource, context: c.context } };
  if (c.resourcePolicy) input.resourcePolicy = parsed(c.resourcePolicy, 'resource policy');
  if (c.identity.length > 0) input.identityPolicies = c.identity.map((p, i) => ({ name: `identity-${i}`, policy: parsed(p, 'identity policy') }));
  if (c.boundary) input.permissionsBoundary = { name: 'boundary', policy: parsed(c.boundary, 'boundary') };
  return input;
}
