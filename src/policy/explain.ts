/** Plain sentences for an Evaluation: the deciding statements first, then why others did not apply. */
import type { Evaluation, NonMatch, PolicyKind, StatementRef } from './evaluate.js';

export function describeStatement(ref: StatementRef): string {
  return ref.sid !== undefined && ref.sid !== '' ? `statement ${JSON.stringify(ref.sid)} (#${ref.index})` : `statement #${ref.index}`;
}

export function describePolicy(ref: Pick<StatementRef, 'kind' | 'policy'>): string {
  if (ref.kind === 'identity') return `the identity policy ${JSON.stringify(ref.policy)}`;
  if (ref.kind === 'boundary') return `the permissions boundary ${JSON.stringify(ref.policy)}`;
  return `the ${ref.policy}`;
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function explainNonMatch(n: NonMatch): string {
  return `${capitalise(describeStatement(n.statement))} of ${describePolicy(n.statement)} does not apply: ${n.detail}.`;
}

/** An explanation in its three parts, so several actions' explanations can be merged in order. */
export interface ExplanationParts {
  /** What decided, or which policy part is missing: one line each. */
  summary: string[];
  /** Why the Allow statements of the missing parts did not apply, in statement order. */
  nearMisses: { statement: StatementRef; line: string }[];
  /** Statements the engine could not evaluate. */
  undecidable: string[];
}

const KIND_ORDER: Record<PolicyKind, number> = { identity: 0, boundary: 1, resource: 2 };

/** Statement order: identity policies (in the order given), the boundary, then the resource policy; by index within each. */
export function compareStatements(e: Pick<Evaluation, 'inputs'>, a: StatementRef, b: StatementRef): number {
  const policyRank = (r: StatementRef) => (r.kind === 'identity' ? e.inputs.identityPolicies.indexOf(r.policy) : 0);
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || policyRank(a) - policyRank(b) || a.index - b.index;
}

/**
 * The policy parts whose Allow is missing: only their near misses explain the denial. A statement
 * of a part that did allow the action is no reason it was denied (issue 14: "#1 does not apply"
 * while #0 of the same policy allows it). In one account either the role's policies or the
 * repository policy may allow; across accounts both must (IAM User Guide, "Policy evaluation logic").
 */
function missingParts(e: Evaluation): Set<PolicyKind> {
  const missing = new Set<PolicyKind>();
  const isRole = e.parts.identity !== undefined;
  if (!isRole) return new Set(['resource']);
  if (e.parts.identity !== 'allowed') missing.add('identity');
  if (e.parts.boundary !== undefined && e.parts.boundary !== 'allowed') missing.add('boundary');
  const resourceMissing = e.parts.resource !== 'allowed';
  if (e.crossAccount ? resourceMissing : resourceMissing && e.parts.identity !== 'allowed') missing.add('resource');
  return missing;
}

export function explainParts(e: Evaluation): ExplanationParts {
  const { principal, action, resource } = e.request;
  const lines: string[] = [];
  const rpName = e.inputs.resourcePolicyName;
  const hasRp = e.inputs.resourcePolicy !== undefined;
  const parts: ExplanationParts = { summary: lines, nearMisses: [], undecidable: [] };

  if (e.decision === 'allowed') {
    for (const ref of e.deciding) {
      const verb = ref.kind === 'boundary' ? 'Permitted' : 'Allowed';
      lines.push(`${verb} by ${describeStatement(ref)} of ${describePolicy(ref)}.`);
    }
    return parts;
  }
  if (e.decision === 'explicit-deny') {
    for (const ref of e.deciding) lines.push(`Denied explicitly by ${describeStatement(ref)} of ${describePolicy(ref)}.`);
    return parts;
  }
  if (e.decision === 'undecidable') {
    lines.push(`Whether ${principal} may perform ${action} on ${resource} cannot be decided from the policies alone.`);
  } else {
    const isRole = e.parts.identity !== undefined;
    const rpLine = hasRp
      ? `No statement of the ${rpName} allows ${principal} to perform ${action}.`
      : `There is no ${rpName}, so nothing there allows ${principal} to perform ${action}.`;
    if (!isRole) {
      lines.push(hasRp ? rpLine : `There is no ${rpName}, so nothing allows ${principal} to perform ${action}.`);
      for (const extra of e.inputs.extraResourcePolicies ?? []) lines.push(`No statement of the ${extra} allows ${principal} to perform ${action}.`);
    } else {
      if (e.parts.identity !== 'allowed') {
        lines.push(
          e.inputs.identityPolicies.length === 0
            ? `The role has no identity policies, so none allows ${principal} to perform ${action} on ${resource}.`
            : `No identity policy of the role allows ${principal} to perform ${action} on ${resource}.`,
        );
      }
      if (e.parts.boundary === 'implicit-deny' && e.inputs.boundary !== undefined) {
        lines.push(`The permissions boundary ${JSON.stringify(e.inputs.boundary)} does not allow ${action} on ${resource}.`);
      }
      if (e.crossAccount && e.parts.resource !== 'allowed') {
        lines.push(`${rpLine} A cross-account request needs both the role's policies and the resource policy to allow it.`);
      } else if (!e.crossAccount && hasRp && e.parts.resource !== 'allowed' && e.parts.identity !== 'allowed') {
        lines.push(rpLine);
      }
    }
  }
  const missing = missingParts(e);
  parts.nearMisses = e.nonMatches
    .filter((n) => n.statement.effect === 'Allow' && missing.has(n.statement.kind))
    .sort((a, b) => compareStatements(e, a.statement, b.statement))
    .map((n) => ({ statement: n.statement, line: explainNonMatch(n) }));
  for (const u of e.undecidable) {
    const key = u.key !== undefined ? ` (key ${u.key})` : '';
    parts.undecidable.push(`${capitalise(describeStatement(u.statement))} of ${describePolicy(u.statement)} cannot be evaluated: ${u.why}${key}.`);
  }
  return parts;
}

/** Plain sentences: what decided; for a missing Allow, the near misses of the missing parts only. */
export function explainEvaluation(e: Evaluation): string[] {
  const p = explainParts(e);
  return [...p.summary, ...p.nearMisses.map((n) => n.line), ...p.undecidable];
}
