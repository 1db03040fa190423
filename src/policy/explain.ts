/** Plain sentences for an Evaluation: the deciding statements first, then why others did not apply. */
import type { Evaluation, NonMatch, StatementRef } from './evaluate.js';

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

export function explainEvaluation(e: Evaluation): string[] {
  const { principal, action, resource } = e.request;
  const lines: string[] = [];
  const rpName = e.inputs.resourcePolicyName;
  const hasRp = e.inputs.resourcePolicy !== undefined;

  if (e.decision === 'allowed') {
    for (const ref of e.deciding) {
      const verb = ref.kind === 'boundary' ? 'Permitted' : 'Allowed';
      lines.push(`${verb} by ${describeStatement(ref)} of ${describePolicy(ref)}.`);
    }
    return lines;
  }
  if (e.decision === 'explicit-deny') {
    for (const ref of e.deciding) lines.push(`Denied explicitly by ${describeStatement(ref)} of ${describePolicy(ref)}.`);
    return lines;
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
  for (const n of e.nonMatches) if (n.statement.effect === 'Allow') lines.push(explainNonMatch(n));
  for (const u of e.undecidable) {
    const key = u.key !== undefined ? ` (key ${u.key})` : '';
    lines.push(`${capitalise(describeStatement(u.statement))} of ${describePolicy(u.statement)} cannot be evaluated: ${u.why}${key}.`);
  }
  return lines;
}
