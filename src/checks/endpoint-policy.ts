import type { VpcEndpointInfo } from '../model/facts.js';
import type { StatementRef } from '../policy/index.js';
import { evaluateAccess, parsePolicy } from '../policy/index.js';

export type EndpointOutcome = 'allowed' | 'explicit-deny' | 'implicit-deny' | 'undecidable';

export interface EndpointVerdict {
  endpoint: VpcEndpointInfo;
  action: string;
  resource: string;
  outcome: EndpointOutcome;
  /** The Deny statements that block, for explicit-deny. */
  statements: StatementRef[];
  why?: string;
}

export interface EndpointCaller {
  roleArn: string;
  account: string;
}

/**
 * Whether an endpoint's policy lets the service role's request through. An endpoint policy is a
 * filter, not a grant (Amazon VPC User Guide, "Control access to VPC endpoints using endpoint
 * policies"): the request passes when an Allow matches its principal, action and resource and no
 * Deny does; the role's own policies are judged elsewhere (build-role-can-pull). So only the
 * resource-policy half of the engine's answer is read, with an owner account that is never the
 * caller's, which makes every matching principal form count (role ARN, account root, "*").
 */
export function judgeEndpointPolicy(endpoint: VpcEndpointInfo, caller: EndpointCaller | undefined, vpcId: string, action: string, resource: string): EndpointVerdict {
  const base = { endpoint, action, resource, statements: [] as StatementRef[] };
  // No policy text: AWS applies the full-access default (DescribeVpcEndpoints returns it when set).
  if (!endpoint.policy) return { ...base, outcome: 'allowed' };
  const parsed = parsePolicy(endpoint.policy);
  if (!parsed.ok) return { ...base, outcome: 'undecidable', why: `its policy cannot be read (${parsed.error.path} ${parsed.error.message})` };
  if (!caller) return { ...base, outcome: 'undecidable', why: 'the service role is not known' };
  const name = `endpoint policy of ${endpoint.id}`;
  const evaluation = evaluateAccess({
    request: {
      principal: { kind: 'role', roleArn: caller.roleArn, account: caller.account },
      action,
      resource,
      context: { 'aws:SourceVpc': vpcId, 'aws:SourceVpce': endpoint.id, 'aws:PrincipalArn': caller.roleArn, 'aws:PrincipalAccount': caller.account },
      unlistedKeys: 'unknown',
    },
    resourcePolicy: parsed.policy,
    resourcePolicyName: name,
    resourceAccount: 'vpc-endpoint',
  });
  const outcome = evaluation.parts.resource ?? 'implicit-deny';
  if (outcome === 'explicit-deny') return { ...base, outcome, statements: evaluation.deciding.filter((s) => s.effect === 'Deny') };
  if (outcome === 'undecidable') {
    const u = evaluation.undecidable[0];
    return { ...base, outcome, ...(u ? { why: `${u.key ?? 'a condition'} (${u.why})` } : {}) };
  }
  return { ...base, outcome };
}
