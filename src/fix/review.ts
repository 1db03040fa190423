/** What a person reads before saying yes, and how to apply a printed plan: wording only, no I/O. */
import { parsePolicy } from '../policy/index.js';
import { sidsWrittenBy } from './merge-grants.js';
import type { PlanFormat } from './render-plan.js';
import { CLOUDFORMATION_REPOSITORY_ADVICE, describeChange } from './render-plan.js';
import type { FixPlan, PolicyChange } from './types.js';

function indent(text: string, by: string): string {
  return text.split('\n').map((l) => `${by}${l}`).join('\n');
}

/**
 * One change for the confirmation prompt: what it belongs to, the statements of ecr-doctor it
 * adds or replaces (in full), and how many other statements stay as they are. The whole merged
 * policy would bury the one statement that matters under the user's own.
 */
export function reviewChange(change: PolicyChange): string {
  const sids = sidsWrittenBy(change);
  const after = parsePolicy(change.after);
  const before = change.before === undefined ? undefined : parsePolicy(change.before);
  const hadSids = new Set(before?.ok ? before.policy.statements.flatMap((s) => (s.sid ? [s.sid] : [])) : []);
  const statements = after.ok ? after.policy.statements : [];
  const lines = [describeChange(change)];
  for (const st of statements.filter((s) => s.sid !== undefined && sids.includes(s.sid))) {
    lines.push(`  ${hadSids.has(st.sid!) ? 'replaces' : 'adds'} statement "${st.sid}":`, indent(JSON.stringify(st.raw, null, 2), '    '));
  }
  const others = statements.filter((s) => s.sid === undefined || !sids.includes(s.sid)).length;
  lines.push(`  keeps ${others} other statement${others === 1 ? '' : 's'} unchanged`);
  return lines.join('\n');
}

function applyCommand(c: PolicyChange): string {
  return c.kind === 'repository-policy'
    ? `aws ecr set-repository-policy --region ${c.region} --registry-id ${c.registryId} --repository-name ${c.repositoryName} --policy-text file://policy.json`
    : `aws iam put-role-policy --role-name ${c.roleName} --policy-name ${c.policyName} --policy-document file://policy.json`;
}

/** After --dry-run (or a --format that only prints): how to apply what was printed. */
export function applyHint(plan: FixPlan, format: PlanFormat, options: { canApply: boolean }): string[] {
  const own = !plan.changes.some((c) => c.applicable)
    ? ''
    : options.canApply
      ? `run again with --yes${format === 'json' ? '' : ' (and without --format)'}, or `
      : 'run fix against the live account (without --snapshot) with --yes, or ';
  if (format === 'json') {
    const only = plan.changes.length === 1 ? plan.changes[0] : undefined;
    return [
      only
        ? `to apply: ${own}save the JSON above as policy.json and run ${applyCommand(only)}`
        : `to apply: ${own}apply each "policy" of the JSON above to its resource (--format cli prints the aws commands)`,
    ];
  }
  if (format === 'terraform') {
    return [
      `to apply: add the resources above to your Terraform configuration${plan.changes.some((c) => c.kind === 'repository-policy' && c.before !== undefined) ? ' (terraform import the existing repository policy first: the resource owns the whole policy)' : ''} and run terraform apply; ${own || 'or '}use --format cli for aws commands`,
    ];
  }
  if (format === 'cloudformation') {
    return [
      ...(plan.changes.some((c) => c.kind === 'repository-policy') ? [`note: ${CLOUDFORMATION_REPOSITORY_ADVICE}`] : []),
      `to apply: deploy the template as described${own ? `; or ${own.replace(/, or $/, '')}` : ''}`,
    ];
  }
  return [`to apply: run the commands above${own ? `; or ${own.replace(/, or $/, '')}` : ''}`];
}
