/** Does one statement apply to one request? First reason only when it does not. */
import { evaluateConditions, type ActualValue, type ContextValue } from './conditions.js';
import { matchesAction, matchesResource } from './matchers.js';
import type { PolicyStatement, Principals } from './parse.js';

/**
 * How a resource-policy statement named the caller. It matters for a role in its own account:
 * naming the session, "*" or (NotPrincipal) grants outright; naming the role ARN grants within
 * the permissions boundary; naming only the account delegates to IAM and grants nothing
 * (IAM User Guide, "Policy evaluation logic", resource-based policies).
 */
export type PrincipalVia = 'wildcard' | 'service' | 'session' | 'role' | 'account' | 'not-principal';

/** Every name the caller is known by. */
export interface CallerIdentity {
  display: string;
  service?: string;
  sessionArn?: string;
  roleArn?: string;
  account?: string;
  rootArn?: string;
  hasBoundary: boolean;
}

export interface StatementMiss {
  element: 'action' | 'principal' | 'resource' | 'condition';
  detail: string;
  operator?: string;
  key?: string;
  expected?: string[];
  actual?: ActualValue;
}

export type StatementStatus =
  | { status: 'match'; via?: PrincipalVia }
  | { status: 'no-match'; miss: StatementMiss }
  | { status: 'unknown'; via?: PrincipalVia; unknowns: { operator?: string; key?: string; why: string }[] };

export interface StatementQuery {
  caller: CallerIdentity;
  action: string;
  resource: string;
  context: ReadonlyMap<string, ContextValue>;
  /** Principal elements are only read in resource policies. */
  checkPrincipal: boolean;
  /** Policy variables exist only in Version 2012-10-17. */
  variables: boolean;
  unlistedKeys?: 'absent' | 'unknown';
}

const list = (values: string[]): string => values.map((v) => JSON.stringify(v)).join(', ');

export function evaluateStatement(st: PolicyStatement, q: StatementQuery): StatementStatus {
  if (st.action && !st.action.some((p) => matchesAction(p, q.action))) {
    return miss('action', `action ${q.action} is not in its Action list (${list(st.action)})`);
  }
  if (st.notAction && st.notAction.some((p) => matchesAction(p, q.action))) {
    return miss('action', `action ${q.action} is excluded by its NotAction (${list(st.notAction)})`);
  }

  let via: PrincipalVia | undefined;
  if (q.checkPrincipal) {
    if (st.principal !== undefined) {
      via = matchPrincipal(st.principal, q.caller);
      if (!via) return miss('principal', `its Principal does not name ${q.caller.display}`);
    } else if (st.notPrincipal !== undefined) {
      // "The NotPrincipal element with a Deny effect will always deny any IAM principal that has
      // a permissions boundary policy attached" (IAM User Guide, "Permissions boundaries").
      const boundaryQuirk = st.effect === 'Deny' && q.caller.roleArn !== undefined && q.caller.hasBoundary;
      const excludedVia = boundaryQuirk ? undefined : matchPrincipal(st.notPrincipal, q.caller);
      // A Deny whose NotPrincipal names a role (or its account) but not the assumed-role session:
      // the IAM guide ("NotPrincipal") says the role ARN, the session ARN and the account must all
      // be listed, or the session "might" be denied. CodeBuild's session name is random, so say so.
      if (st.effect === 'Deny' && q.caller.sessionArn !== undefined && (excludedVia === 'role' || excludedVia === 'account')) {
        return { status: 'unknown', via: 'not-principal', unknowns: [{ why: `its NotPrincipal names ${q.caller.roleArn} but not the assumed-role session, which AWS may still deny` }] };
      }
      if (excludedVia) return miss('principal', `its NotPrincipal excludes ${q.caller.display}`);
      via = 'not-principal';
    } else {
      return miss('principal', 'it has no Principal element');
    }
  }

  const unknowns: { operator?: string; key?: string; why: string }[] = [];
  const resourceResult = checkResource(st, q);
  if (resourceResult === 'unknown') unknowns.push({ why: `its Resource uses a policy variable, which this engine does not resolve` });
  else if (resourceResult !== 'ok') return resourceResult;

  if (st.condition) {
    const c = evaluateConditions(st.condition, q.context, q.unlistedKeys ? { variables: q.variables, unlistedKeys: q.unlistedKeys } : { variables: q.variables });
    if (c.result === 'no-match') {
      return {
        status: 'no-match',
        miss: { element: 'condition', detail: c.detail, operator: c.operator, key: c.key, expected: c.expected, actual: c.actual },
      };
    }
    if (c.result === 'unknown') unknowns.push(...c.unknowns);
  }
  if (unknowns.length > 0) return via ? { status: 'unknown', via, unknowns } : { status: 'unknown', unknowns };
  return via ? { status: 'match', via } : { status: 'match' };
}

function miss(element: StatementMiss['element'], detail: string): StatementStatus {
  return { status: 'no-match', miss: { element, detail } };
}

function checkResource(st: PolicyStatement, q: StatementQuery): 'ok' | 'unknown' | StatementStatus {
  const patterns = st.resource ?? st.notResource;
  if (!patterns) return 'ok';
  const hasVar = (p: string): boolean => q.variables && p.includes('${');
  const hit = patterns.some((p) => !hasVar(p) && matchesResource(p, q.resource));
  const maybe = patterns.some(hasVar);
  if (st.resource) {
    if (hit) return 'ok';
    if (maybe) return 'unknown';
    return miss('resource', `resource ${q.resource} is not matched by its Resource (${list(patterns)})`);
  }
  if (hit) return miss('resource', `resource ${q.resource} is excluded by its NotResource (${list(patterns)})`);
  return maybe ? 'unknown' : 'ok';
}

const VIA_STRENGTH: readonly PrincipalVia[] = ['account', 'role', 'service', 'session', 'wildcard'];

/** The strongest way `p` names the caller, or undefined when it does not. */
export function matchPrincipal(p: '*' | Principals, caller: CallerIdentity): PrincipalVia | undefined {
  if (p === '*') return 'wildcard';
  let best: PrincipalVia | undefined;
  const offer = (v: PrincipalVia): void => {
    if (!best || VIA_STRENGTH.indexOf(v) > VIA_STRENGTH.indexOf(best)) best = v;
  };
  for (const entry of p.AWS ?? []) {
    // {"AWS": "*"} is the same as "*" (IAM User Guide, "Principal", all principals).
    if (entry === '*') offer('wildcard');
    else if (caller.sessionArn !== undefined && entry === caller.sessionArn) offer('session');
    else if (caller.roleArn !== undefined && entry === caller.roleArn) offer('role');
    else if (caller.account !== undefined && (entry === caller.account || entry === caller.rootArn)) offer('account');
  }
  // Service principal names are matched exactly, as written.
  if (caller.service !== undefined && (p.Service ?? []).includes(caller.service)) offer('service');
  return best;
}
