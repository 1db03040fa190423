/**
 * AWS policy evaluation for one request (IAM User Guide, "Policy evaluation logic", single
 * account and cross-account). SCPs, RCPs and session policies are out of scope: the caller
 * cannot read them from a member account and must report them as a possibility.
 */
import type { ContextValue } from './conditions.js';
import { accountOf, partitionOf } from './matchers.js';
import type { PolicyDocument } from './parse.js';
import { evaluateStatement, type CallerIdentity, type PrincipalVia, type StatementMiss, type StatementStatus } from './statement.js';

export type { ContextValue } from './conditions.js';

export type RequestPrincipal =
  | { kind: 'service'; service: string }
  | { kind: 'role'; roleArn: string; account: string; sessionName?: string };

export interface AccessRequest {
  principal: RequestPrincipal;
  action: string;
  resource: string;
  /** Keys are case-insensitive. */
  context: Record<string, ContextValue>;
  /** What a key missing from `context` means (see ConditionOptions); default 'absent'. */
  unlistedKeys?: 'absent' | 'unknown';
}

export interface NamedDocument {
  name: string;
  policy: PolicyDocument;
}

export interface EvaluationInput {
  request: AccessRequest;
  resourcePolicy?: PolicyDocument;
  /** What to call the resource policy in references; default "repository policy". */
  resourcePolicyName?: string;
  /** Owner of the resource; default: the account in the resource ARN, else the caller's. */
  resourceAccount?: string;
  identityPolicies?: NamedDocument[];
  permissionsBoundary?: NamedDocument;
  /**
   * Further resource-side policies that bind the request with the same force as `resourcePolicy`:
   * their Denies deny and their Allows grant, and each statement is named by its own policy (an
   * ECR registry policy under scope V2, say). The caller decides whether one applies.
   */
  extraResourcePolicies?: NamedDocument[];
}

export type Decision = 'allowed' | 'implicit-deny' | 'explicit-deny' | 'undecidable';
export type PolicyKind = 'resource' | 'identity' | 'boundary';

export interface StatementRef {
  policy: string;
  index: number;
  sid?: string;
  kind: PolicyKind;
  effect: 'Allow' | 'Deny';
}

/** Why a candidate statement did not apply: the first reason, and which statement. */
export interface NonMatch extends StatementMiss {
  statement: StatementRef;
}

export interface Evaluation {
  decision: Decision;
  deciding: StatementRef[];
  nonMatches: NonMatch[];
  undecidable: { statement: StatementRef; operator?: string; key?: string; why: string }[];
  parts: { identity?: Decision; resource?: Decision; boundary?: Decision };
  /** What was asked, for explanations. */
  request: { principal: string; action: string; resource: string };
  crossAccount: boolean;
  /** Which policies were given. */
  inputs: { resourcePolicyName: string; resourcePolicy?: string; identityPolicies: string[]; boundary?: string; extraResourcePolicies?: string[] };
}

export const DEFAULT_RESOURCE_POLICY_NAME = 'repository policy';

interface Evaluated {
  ref: StatementRef;
  status: StatementStatus;
}

type World = 'optimistic' | 'pessimistic';

/** Vias that grant a role in its own account whatever its identity policies and boundary say. */
const UNBOUNDED: readonly (PrincipalVia | undefined)[] = ['wildcard', 'session', 'not-principal'];

export function evaluateAccess(input: EvaluationInput): Evaluation {
  const { request } = input;
  const caller = describeCaller(request.principal, input.permissionsBoundary !== undefined);
  const context = new Map<string, ContextValue>();
  for (const [k, v] of Object.entries(request.context)) context.set(k.toLowerCase(), v);
  const isRole = request.principal.kind === 'role';
  const resourceAccount = input.resourceAccount ?? accountOf(request.resource) ?? caller.account;
  const crossAccount = isRole && resourceAccount !== undefined && resourceAccount !== caller.account;
  const rpName = input.resourcePolicyName ?? DEFAULT_RESOURCE_POLICY_NAME;

  const run = (doc: PolicyDocument, name: string, kind: PolicyKind): Evaluated[] =>
    doc.statements.map((st) => {
      const ref: StatementRef = { policy: name, index: st.index, kind, effect: st.effect };
      if (st.sid !== undefined) ref.sid = st.sid;
      const status = evaluateStatement(st, {
        caller,
        action: request.action,
        resource: request.resource,
        context,
        checkPrincipal: kind === 'resource',
        variables: doc.version === '2012-10-17',
        ...(request.unlistedKeys ? { unlistedKeys: request.unlistedKeys } : {}),
      });
      return { ref, status };
    });

  const rp = [
    ...(input.resourcePolicy ? run(input.resourcePolicy, rpName, 'resource') : []),
    ...(input.extraResourcePolicies ?? []).flatMap((d) => run(d.policy, d.name, 'resource')),
  ];
  const ids = isRole ? (input.identityPolicies ?? []).flatMap((d) => run(d.policy, d.name, 'identity')) : [];
  const pb = isRole && input.permissionsBoundary ? run(input.permissionsBoundary.policy, input.permissionsBoundary.name, 'boundary') : [];
  const hasBoundary = isRole && input.permissionsBoundary !== undefined;

  const holds = (e: Evaluated, world: World): boolean => {
    if (e.status.status === 'match') return true;
    if (e.status.status === 'no-match') return false;
    return world === 'optimistic' ? e.ref.effect === 'Allow' : e.ref.effect === 'Deny';
  };
  const allows = (es: Evaluated[], w: World): Evaluated[] => es.filter((e) => e.ref.effect === 'Allow' && holds(e, w));
  const denies = (es: Evaluated[], w: World): Evaluated[] => es.filter((e) => e.ref.effect === 'Deny' && holds(e, w));
  const viaOf = (e: Evaluated): PrincipalVia | undefined => (e.status.status === 'no-match' ? undefined : e.status.via);

  /** The resource policy's own grant: in the same account a bare account principal grants nothing. */
  const resourceGrants = (w: World): { unbounded: Evaluated[]; bounded: Evaluated[] } => {
    const all = allows(rp, w);
    if (!isRole) return { unbounded: all, bounded: [] };
    if (crossAccount) return { unbounded: [], bounded: all };
    return {
      unbounded: all.filter((e) => UNBOUNDED.includes(viaOf(e))),
      bounded: all.filter((e) => viaOf(e) === 'role'),
    };
  };

  const decide = (w: World): { decision: Decision; deciding: Evaluated[] } => {
    const d = [...denies(rp, w), ...denies(ids, w), ...denies(pb, w)];
    if (d.length > 0) return { decision: 'explicit-deny', deciding: d };
    const { unbounded, bounded } = resourceGrants(w);
    if (!isRole) return unbounded.length > 0 ? { decision: 'allowed', deciding: unbounded } : { decision: 'implicit-deny', deciding: [] };
    const idAllows = allows(ids, w);
    const pbAllows = allows(pb, w);
    const boundaryOk = !hasBoundary || pbAllows.length > 0;
    const granted: Evaluated[] = [];
    if (crossAccount) {
      // Cross account: both sides must allow (IAM User Guide, "Cross-account policy evaluation logic").
      if (idAllows.length > 0 && boundaryOk && bounded.length > 0) granted.push(...idAllows, ...pbAllows, ...bounded);
    } else {
      granted.push(...unbounded);
      if (boundaryOk && bounded.length > 0) granted.push(...bounded);
      if (boundaryOk && idAllows.length > 0) granted.push(...idAllows);
      if (granted.length > unbounded.length) granted.push(...pbAllows);
    }
    return granted.length > 0 ? { decision: 'allowed', deciding: granted } : { decision: 'implicit-deny', deciding: [] };
  };

  const partOf = (w: World, es: Evaluated[], grants: (w: World) => Evaluated[]): Decision =>
    denies(es, w).length > 0 ? 'explicit-deny' : grants(w).length > 0 ? 'allowed' : 'implicit-deny';
  const both = (f: (w: World) => Decision): Decision => combine(f('optimistic'), f('pessimistic'));

  const opt = decide('optimistic');
  const pess = decide('pessimistic');
  const decision = combine(opt.decision, pess.decision);
  let deciding: Evaluated[] = [];
  if (decision === 'allowed') deciding = pess.deciding;
  else if (decision === 'explicit-deny') deciding = opt.deciding;

  const parts: Evaluation['parts'] = {
    resource: both((w) => partOf(w, rp, (x) => {
      const g = resourceGrants(x);
      return [...g.unbounded, ...g.bounded];
    })),
  };
  if (isRole) parts.identity = both((w) => partOf(w, ids, (x) => allows(ids, x)));
  if (hasBoundary) parts.boundary = both((w) => partOf(w, pb, (x) => allows(pb, x)));

  const everything = [...rp, ...ids, ...pb];
  const nonMatches: NonMatch[] = [];
  for (const e of everything) {
    if (e.status.status === 'no-match') nonMatches.push({ statement: e.ref, ...e.status.miss });
    else if (isRole && !crossAccount && e.ref.kind === 'resource' && e.ref.effect === 'Allow' && viaOf(e) === 'account') {
      nonMatches.push({
        statement: e.ref,
        element: 'principal',
        detail: `it names only the account ${caller.account ?? ''}, which within the same account leaves the decision to the role's own policies`,
      });
    }
  }
  const undecidable: Evaluation['undecidable'] = [];
  for (const e of everything) {
    if (e.status.status === 'unknown') for (const u of e.status.unknowns) undecidable.push({ statement: e.ref, ...u });
  }

  const inputs: Evaluation['inputs'] = { resourcePolicyName: rpName, identityPolicies: isRole ? (input.identityPolicies ?? []).map((d) => d.name) : [] };
  if (input.resourcePolicy) inputs.resourcePolicy = rpName;
  if (isRole && input.permissionsBoundary) inputs.boundary = input.permissionsBoundary.name;
  if (input.extraResourcePolicies?.length) inputs.extraResourcePolicies = input.extraResourcePolicies.map((d) => d.name);

  return {
    decision,
    deciding: deciding.map((e) => e.ref),
    nonMatches,
    undecidable,
    parts,
    request: { principal: caller.display, action: request.action, resource: request.resource },
    crossAccount,
    inputs,
  };
}

/**
 * Unknown statements are resolved both ways: Allows matching and Denies not (optimistic), then
 * the reverse. Decisions only move one way between the two, so equal ends mean a decided
 * outcome. 'undecidable' only when allowed-or-not depends on it; an unknown Deny on top of
 * nothing that allows stays an implicit deny (the undecidable list says the Deny may apply).
 */
function combine(optimistic: Decision, pessimistic: Decision): Decision {
  if (optimistic === pessimistic) return optimistic;
  return optimistic === 'allowed' ? 'undecidable' : optimistic;
}

function describeCaller(p: RequestPrincipal, hasBoundary: boolean): CallerIdentity {
  if (p.kind === 'service') return { display: p.service, service: p.service, hasBoundary: false };
  const partition = partitionOf(p.roleArn);
  const roleName = p.roleArn.slice(p.roleArn.lastIndexOf('/') + 1);
  const caller: CallerIdentity = {
    display: p.roleArn,
    roleArn: p.roleArn,
    account: p.account,
    rootArn: `arn:${partition}:iam::${p.account}:root`,
    hasBoundary,
  };
  if (p.sessionName !== undefined) caller.sessionArn = `arn:${partition}:sts::${p.account}:assumed-role/${roleName}/${p.sessionName}`;
  return caller;
}
