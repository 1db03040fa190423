import type { FixPlan, PolicyChange } from './types.js';

export type PlanFormat = 'json' | 'terraform' | 'cloudformation' | 'cli';

function policyOf(change: PolicyChange): unknown {
  return JSON.parse(change.after);
}

function resourceOf(change: PolicyChange): string {
  return change.kind === 'repository-policy' ? change.repositoryArn : change.roleArn;
}

/**
 * JSON: for one change, the resulting policy document itself (ready for --policy-text); for
 * several, `{ "changes": [...] }` with each document and what it belongs to.
 */
function renderJson(plan: FixPlan): string {
  if (plan.changes.length === 1) return `${JSON.stringify(policyOf(plan.changes[0]!), null, 2)}\n`;
  const changes = plan.changes.map((c) => ({
    kind: c.kind,
    resource: resourceOf(c),
    account: c.account,
    ...(c.kind === 'role-policy' ? { policyName: c.policyName } : { region: c.region }),
    applicable: c.applicable,
    policy: policyOf(c),
  }));
  return `${JSON.stringify({ changes }, null, 2)}\n`;
}

function tfName(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, '_').replace(/^([0-9])/, '_$1');
}

/**
 * Heredocs are templates in Terraform: `${` and `%{` start an interpolation or a directive, so a
 * policy variable such as ${aws:username} in a kept statement must be written `$${` (Terraform
 * language docs, "Strings and Templates": escape sequences).
 */
export function escapeTerraformTemplate(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

function heredoc(json: string): string {
  return `<<-EOT\n${escapeTerraformTemplate(json).split('\n').map((l) => `    ${l}`).join('\n')}\n  EOT`;
}

function renderTerraform(plan: FixPlan): string {
  const blocks = plan.changes.map((c) => {
    const json = JSON.stringify(policyOf(c), null, 2);
    if (c.kind === 'repository-policy') {
      return [
        `# ${c.why.join('; ')}. This resource owns the whole repository policy: it includes every existing statement.`,
        `resource "aws_ecr_repository_policy" "${tfName(c.repositoryName)}" {`,
        `  repository = "${c.repositoryName}"`,
        `  policy     = ${heredoc(json)}`,
        `}`,
      ].join('\n');
    }
    return [
      `# ${c.why.join('; ')}`,
      `resource "aws_iam_role_policy" "${tfName(`${c.roleName}_${c.policyName}`)}" {`,
      `  name   = "${c.policyName}"`,
      `  role   = "${c.roleName}"`,
      `  policy = ${heredoc(json)}`,
      `}`,
    ].join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

function logicalId(text: string): string {
  const id = text.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase());
  return (id.charAt(0).toUpperCase() + id.slice(1)).slice(0, 255) || 'Resource';
}

/**
 * CloudFormation has no stand-alone repository-policy resource: the policy is a property of
 * AWS::ECR::Repository, and a new stack cannot create a repository that already exists. The
 * template therefore says (in its Description, and fix on stderr) the two ways to use it.
 */
export const CLOUDFORMATION_REPOSITORY_ADVICE =
  'The repository already exists, so this cannot be deployed as a new stack: either import the repository into a stack with resource import ' +
  '(aws cloudformation create-change-set --change-set-type IMPORT, DeletionPolicy Retain is set), or copy RepositoryPolicyText into the stack that already owns the repository.';

function renderCloudFormation(plan: FixPlan): string {
  const resources: Record<string, unknown> = {};
  for (const c of plan.changes) {
    if (c.kind === 'repository-policy') {
      resources[`${logicalId(c.repositoryName)}Repository`] = {
        Type: 'AWS::ECR::Repository',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: { RepositoryName: c.repositoryName, RepositoryPolicyText: policyOf(c) },
      };
    } else {
      resources[`${logicalId(c.roleName)}EcrDoctorImagePull`] = {
        Type: 'AWS::IAM::RolePolicy',
        Properties: { RoleName: c.roleName, PolicyName: c.policyName, PolicyDocument: policyOf(c) },
      };
    }
  }
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `ecr-doctor: grants that let CodeBuild pull its build image.${plan.changes.some((c) => c.kind === 'repository-policy') ? ` ${CLOUDFORMATION_REPOSITORY_ADVICE}` : ''}`,
    Resources: resources,
  };
  return `${JSON.stringify(template, null, 2)}\n`;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function renderCli(plan: FixPlan): string {
  const lines = plan.changes.map((c) => {
    const compact = JSON.stringify(policyOf(c));
    if (c.kind === 'repository-policy') {
      return `# ${c.why.join('; ')}\naws ecr set-repository-policy --region ${c.region} --registry-id ${c.registryId} --repository-name ${shellQuote(c.repositoryName)} --policy-text ${shellQuote(compact)}`;
    }
    return `# ${c.why.join('; ')}\naws iam put-role-policy --role-name ${shellQuote(c.roleName)} --policy-name ${c.policyName} --policy-document ${shellQuote(compact)}`;
  });
  return `${lines.join('\n\n')}\n`;
}

const RENDERERS: Record<PlanFormat, (plan: FixPlan) => string> = {
  json: renderJson,
  terraform: renderTerraform,
  cloudformation: renderCloudFormation,
  cli: renderCli,
};

export function renderPlan(plan: FixPlan, format: PlanFormat): string {
  return RENDERERS[format](plan);
}

/** A short human summary of a change, for stderr and the confirmation prompt. */
export function describeChange(c: PolicyChange): string {
  const what = c.kind === 'repository-policy' ? `repository policy of ${c.repositoryName} (account ${c.account}, ${c.region})` : `inline policy ${c.policyName} of role ${c.roleName} (account ${c.account})`;
  return `${c.before === undefined ? 'create' : 'update'} the ${what}: ${c.why.join('; ')}`;
}
