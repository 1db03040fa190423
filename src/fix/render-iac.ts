import { parseArn } from '../model/arn.js';
import type { Facts, FactLocation } from '../model/facts.js';
import type { FixPlan, PolicyChange } from './types.js';

/**
 * fix for infrastructure code (issue 13): the missing resource or property written against the
 * code's own names, never a literal where the code has a reference. Each change is the whole
 * merged policy (every existing statement kept), so it replaces the code's policy resource or
 * property. Printed only; fix writes no files.
 */
export type IacFormat = 'terraform' | 'cloudformation';

/** A value that is a reference in the code: rendered as an expression, not a literal. */
interface Substitution {
  literal: string;
  terraform: string;
  cloudformation: string;
}

function locationOf(facts: Facts, key: string): FactLocation | undefined {
  return facts.locations?.[key];
}

function where(l: FactLocation | undefined): string {
  if (!l) return '';
  return `${l.address ?? ''}${l.file ? ` (${l.file}${l.line ? `:${l.line}` : ''})` : ''}`;
}

/** The last segment of an address or logical id: "aws_ecr_repository.build" → resource name. */
function logicalIdOf(l: FactLocation | undefined): string | undefined {
  if (!l?.address) return undefined;
  return l.source === 'cloudformation' ? l.address.split('/').pop()!.replace(/[^A-Za-z0-9]/g, '') : l.address;
}

function substitutions(facts: Facts, change: PolicyChange): Substitution[] {
  const subs: Substitution[] = [];
  const accountAddress = facts.locations?.['account']?.address;
  for (const p of facts.projects) {
    if (p.project.state !== 'present') continue;
    const l = locationOf(facts, p.project.value.arn);
    if (!l?.address) continue;
    const arn = parseArn(p.project.value.arn);
    subs.push({
      literal: p.project.value.arn,
      terraform: `${l.address}.arn`,
      // The repository policy is a property of the repository the project's image depends on: a
      // GetAtt of the project would be a circular dependency, so the ARN is built with Sub.
      cloudformation: `arn:\${AWS::Partition}:codebuild:\${AWS::Region}:\${AWS::AccountId}:project/${arn?.resource.replace(/^project\//, '') ?? ''}`,
    });
  }
  for (const [arn, repo] of Object.entries(facts.repositories)) {
    const l = locationOf(facts, arn);
    if (!l?.address || repo.repository.state !== 'present') continue;
    subs.push({ literal: arn, terraform: `${l.address}.arn`, cloudformation: `!GetAtt ${logicalIdOf(l)}.Arn` });
  }
  void change;
  const account = facts.unknownAccount ?? (facts.caller.state === 'present' ? facts.caller.value.account : undefined);
  if (account) subs.push({ literal: account, terraform: accountAddress ? `${accountAddress}.account_id` : 'data.aws_caller_identity.current.account_id', cloudformation: '${AWS::AccountId}' });
  return subs;
}

// ---- Terraform --------------------------------------------------------------------------------

function hclString(s: string, subs: Substitution[]): string {
  const whole = subs.find((x) => x.literal === s);
  if (whole) return whole.terraform;
  // Literal ${ and %{ (policy variables such as ${aws:username}) are escaped in HCL templates.
  let out = JSON.stringify(s).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
  for (const x of [...subs].sort((a, b) => b.literal.length - a.literal.length)) out = out.split(x.literal).join(`\${${x.terraform}}`);
  return out;
}

function hclValue(v: unknown, subs: Substitution[], indent: string): string {
  if (typeof v === 'string') return hclString(v, subs);
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return `[${v.map((x) => hclValue(x, subs, indent)).join(', ')}]`;
    return `[\n${v.map((x) => `${indent}  ${hclValue(x, subs, `${indent}  `)}`).join(',\n')}\n${indent}]`;
  }
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v).map(([k, x]) => `${indent}  ${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k)} = ${hclValue(x, subs, `${indent}  `)}`);
    return `{\n${entries.join('\n')}\n${indent}}`;
  }
  return JSON.stringify(v);
}

function renderTerraform(facts: Facts, change: PolicyChange): string {
  const subs = substitutions(facts, change);
  const policy = hclValue(JSON.parse(change.after), subs, '  ');
  const needsCaller = !facts.locations?.['account'] && policy.includes('data.aws_caller_identity.current');
  const caller = needsCaller ? ['# The account id, read at plan time (the code had no aws_caller_identity data source).', 'data "aws_caller_identity" "current" {}', ''] : [];
  if (change.kind === 'repository-policy') {
    const repo = locationOf(facts, change.repositoryArn);
    const existing = locationOf(facts, `policy:${change.repositoryArn}`);
    const name = existing?.address?.split('.').pop() ?? repo?.address?.split('.').pop() ?? change.repositoryName.replace(/[^A-Za-z0-9_]/g, '_');
    const header = existing
      ? `# ecr-doctor: replace ${where(existing)} with this; it keeps every statement the policy has.`
      : `# ecr-doctor: add next to ${where(repo) || change.repositoryName}; ${change.why.join('; ')}.`;
    return [
      ...caller,
      header,
      `resource "aws_ecr_repository_policy" "${name}" {`,
      `  repository = ${repo?.address ? `${repo.address}.name` : JSON.stringify(change.repositoryName)}`,
      `  policy = jsonencode(${policy})`,
      `}`,
    ].join('\n');
  }
  const role = locationOf(facts, change.roleArn);
  return [
    ...caller,
    `# ecr-doctor: add for the role ${where(role) || change.roleName}; ${change.why.join('; ')}.`,
    `resource "aws_iam_role_policy" "${change.policyName.replace(/[^A-Za-z0-9_]/g, '_')}" {`,
    `  name = ${JSON.stringify(change.policyName)}`,
    `  role = ${role?.address ? `${role.address}.id` : JSON.stringify(change.roleName)}`,
    `  policy = jsonencode(${policy})`,
    `}`,
  ].join('\n');
}

// ---- CloudFormation (YAML) --------------------------------------------------------------------

function yamlScalar(s: string, subs: Substitution[]): string {
  const whole = subs.find((x) => x.literal === s);
  if (whole?.cloudformation.startsWith('!')) return whole.cloudformation;
  if (whole?.cloudformation === '${AWS::AccountId}') return '!Ref AWS::AccountId';
  let out = s.replace(/\$\{/g, '${!');
  let changed = false;
  for (const x of [...subs].sort((a, b) => b.literal.length - a.literal.length)) {
    if (x.cloudformation.startsWith('!') || !out.includes(x.literal)) continue;
    out = out.split(x.literal).join(x.cloudformation);
    changed = true;
  }
  return changed ? `!Sub ${JSON.stringify(out)}` : JSON.stringify(s);
}

function yamlValue(v: unknown, subs: Substitution[], indent: string): string {
  if (typeof v === 'string') return ` ${yamlScalar(v, subs)}`;
  if (Array.isArray(v)) return v.map((x) => `\n${indent}- ${yamlValue(x, subs, `${indent}  `).trimStart()}`).join('');
  if (typeof v === 'object' && v !== null) {
    return Object.entries(v)
      .map(([k, x]) => `\n${indent}${/^[A-Za-z0-9_]+$/.test(k) ? k : JSON.stringify(k)}:${yamlValue(x, subs, `${indent}  `)}`)
      .join('');
  }
  return ` ${JSON.stringify(v)}`;
}

function renderCloudFormation(facts: Facts, change: PolicyChange): string {
  const subs = substitutions(facts, change);
  const policy = JSON.parse(change.after) as unknown;
  if (change.kind === 'repository-policy') {
    const repo = locationOf(facts, change.repositoryArn);
    const id = logicalIdOf(repo) ?? 'Repository';
    return [
      `# ecr-doctor: set RepositoryPolicyText on ${where(repo) || change.repositoryName}; it keeps every statement the policy has.`,
      `${id}:`,
      `  Type: AWS::ECR::Repository`,
      `  Properties:`,
      `    RepositoryPolicyText:${yamlValue(policy, subs, '      ')}`,
    ].join('\n');
  }
  const role = locationOf(facts, change.roleArn);
  const id = logicalIdOf(role) ?? 'Role';
  return [
    `# ecr-doctor: add this entry to Policies of ${where(role) || change.roleName}.`,
    `${id}:`,
    `  Type: AWS::IAM::Role`,
    `  Properties:`,
    `    Policies:`,
    `      - PolicyName: ${change.policyName}`,
    `        PolicyDocument:${yamlValue(policy, subs, '          ')}`,
  ].join('\n');
}

export function renderIacPlan(plan: FixPlan, facts: Facts, format: IacFormat): string {
  const render = format === 'terraform' ? renderTerraform : renderCloudFormation;
  const text = `${plan.changes.map((c) => render(facts, c)).join('\n\n')}\n`;
  return facts.unknownAccount ? text.split(facts.unknownAccount).join('<deploy account>') : text;
}
