/**
 * Adapter to the independent evaluator @cloud-copilot/iam-simulate (AGPL-3.0, devDependency
 * only: imported from test/ and never from src/). Translates our EvaluationInput into its
 * Simulation and its verdict into our Decision vocabulary.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { EvaluationInput } from '../../src/policy/evaluate.js';
import { accountOf } from '../../src/policy/matchers.js';

export type OracleVerdict =
  | { ok: true; decision: 'allowed' | 'implicit-deny' | 'explicit-deny'; ignoredContextKeys: string[] }
  | { ok: false; error: string };

/** The caller as the oracle sees it: a service name, or the assumed-role session ARN. */
export function oraclePrincipal(input: EvaluationInput): string {
  const p = input.request.principal;
  if (p.kind === 'service') return p.service;
  const partition = p.roleArn.split(':')[1] ?? 'aws';
  const roleName = p.roleArn.slice(p.roleArn.lastIndexOf('/') + 1);
  if (p.sessionName === undefined) throw new Error('differential cases need a session name: the oracle evaluates the session');
  return `arn:${partition}:sts::${p.account}:assumed-role/${roleName}/${p.sessionName}`;
}

export function toSimulation(input: EvaluationInput): Simulation {
  const { request } = input;
  const contextVariables: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(request.context)) {
    if (typeof v === 'boolean') contextVariables[k] = String(v);
    else if (typeof v === 'string' || Array.isArray(v)) contextVariables[k] = v;
    else throw new Error(`context value of ${k} is unknown: not comparable with the oracle`);
  }
  const callerAccount = request.principal.kind === 'role' ? request.principal.account : undefined;
  const resourceAccount = input.resourceAccount ?? accountOf(request.resource) ?? callerAccount ?? '000000000000';
  const sim: Simulation = {
    request: {
      principal: oraclePrincipal(input),
      action: request.action,
      resource: { resource: request.resource, accountId: resourceAccount },
      contextVariables,
    },
    identityPolicies: request.principal.kind === 'role' ? (input.identityPolicies ?? []).map((d) => ({ name: d.name, policy: d.policy.raw })) : [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  if (input.resourcePolicy) sim.resourcePolicy = input.resourcePolicy.raw;
  if (request.principal.kind === 'role' && input.permissionsBoundary) {
    sim.permissionBoundaryPolicies = [{ name: input.permissionsBoundary.name, policy: input.permissionsBoundary.policy.raw }];
  }
  return sim;
}

const DECISIONS = {
  Allowed: 'allowed',
  ImplicitlyDenied: 'implicit-deny',
  ExplicitlyDenied: 'explicit-deny',
} as const;

export async function runOracle(input: EvaluationInput): Promise<OracleVerdict> {
  const result = await runSimulation(toSimulation(input), {});
  if (result.resultType === 'error') return { ok: false, error: JSON.stringify(result.errors) };
  if (result.resultType !== 'single') return { ok: false, error: `unexpected result type ${result.resultType}` };
  const decision = DECISIONS[result.overallResult as keyof typeof DECISIONS];
  if (decision === undefined) return { ok: false, error: `unexpected verdict ${String(result.overallResult)}` };
  return { ok: true, decision, ignoredContextKeys: result.result.ignoredContextKeys ?? [] };
}
