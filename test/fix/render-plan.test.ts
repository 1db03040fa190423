import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { planFix } from '../../src/fix/plan.js';
import type { RepositoryPolicyChange } from '../../src/fix/plan.js';
import { escapeTerraformTemplate, renderPlan } from '../../src/fix/render-plan.js';
import { applyHint, reviewChange } from '../../src/fix/review.js';
import { facts, policy, project, pushGrant, repository, role } from '../checks/facts-builder.js';

const run = promisify(execFile);
const repoPlan = planFix(facts({ repositories: [repository({ policy: policy(pushGrant) })] }));
const twoPlans = planFix(facts({ project: project({ imagePullCredentialsType: 'SERVICE_ROLE', image: '444455556666.dkr.ecr.us-east-1.amazonaws.com/app:v1' }), roles: [role()], repositories: [repository({ account: '444455556666' })] }));

describe('renderPlan', () => {
  it('json: one change prints the policy document itself', () => {
    const doc = JSON.parse(renderPlan(repoPlan, 'json'));
    expect(doc.Version).toBe('2012-10-17');
    expect(doc.Statement).toHaveLength(2);
  });
  it('json: several changes print each with what it belongs to', () => {
    const out = JSON.parse(renderPlan(twoPlans, 'json'));
    expect(out.changes.map((c: { kind: string }) => c.kind).sort()).toEqual(['repository-policy', 'role-policy']);
  });
  it('terraform: resources with the whole merged policy', () => {
    const tf = renderPlan(twoPlans, 'terraform');
    expect(tf).toContain('resource "aws_ecr_repository_policy" "app"');
    expect(tf).toContain('resource "aws_iam_role_policy" "build_role_ecr_doctor_image_pull"');
    expect(tf).toContain('"Sid": "EcrDoctorRolePull"');
  });
  it('cli: aws commands with shell-quoted JSON', () => {
    const cli = renderPlan(repoPlan, 'cli');
    expect(cli).toMatch(/^aws ecr set-repository-policy --region us-east-1 --registry-id 111122223333 --repository-name 'app' --policy-text '\{/m);
  });
  it('cloudformation: a template cfn-lint accepts', async () => {
    const template = renderPlan(twoPlans, 'cloudformation');
    const parsed = JSON.parse(template);
    expect(Object.values(parsed.Resources).map((r) => (r as { Type: string }).Type).sort()).toEqual(['AWS::ECR::Repository', 'AWS::IAM::RolePolicy']);
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-cfn-'));
    const file = join(dir, 'template.json');
    await writeFile(file, template);
    // cfn-lint exits non-zero on errors (2) and warnings (4); informational findings (8) are fine.
    const result = await run('cfn-lint', [file]).then(() => ({ code: 0, stdout: '' }), (e: { code: number | string; stdout: string }) => ({ code: e.code, stdout: e.stdout }));
    // A missing cfn-lint (ENOENT) must fail this test, never pass it: `npm run setup:test` installs it.
    expect(typeof result.code, `cfn-lint did not run (${String(result.code)}); install it with: npm run setup:test`).toBe('number');
    expect(result.stdout).toBe('');
    expect((result.code as number) & 6).toBe(0);
  }, 60_000);
});

/** A kept statement with policy variables: Terraform would read `${...}` as its own interpolation. */
const templated = {
  Sid: 'PerUserPull',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:root' },
  Action: 'ecr:BatchGetImage',
  Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:user/${aws:username}', 'aws:userid': '%{not-a-directive}' } },
};
const templatedPlan = planFix(facts({ repositories: [repository({ policy: policy(pushGrant, templated) })] }));

function hasTerraform(): boolean {
  try {
    execFileSync('terraform', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('renderPlan: terraform templates', () => {
  it('escapes ${ and %{ in the heredoc', () => {
    expect(escapeTerraformTemplate('a ${b} %{c} $d')).toBe('a $${b} %%{c} $d');
    const tf = renderPlan(templatedPlan, 'terraform');
    expect(tf).toContain('"arn:aws:iam::111122223333:user/$${aws:username}"');
    expect(tf).toContain('"%%{not-a-directive}"');
    expect(tf).not.toMatch(/[^$]\$\{aws:username\}/);
  });

  // Terraform itself reads the heredoc back to the planned policy, policy variables included.
  it.runIf(hasTerraform())('terraform reads the heredoc back to exactly the planned policy', async () => {
    const tf = renderPlan(templatedPlan, 'terraform');
    const body = /policy {5}= <<-EOT\n([\s\S]*?)\n {2}EOT/.exec(tf)?.[1];
    expect(body).toBeDefined();
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-tf-'));
    await writeFile(join(dir, 'main.tf'), `locals {\n  p = <<-EOT\n${body}\n  EOT\n}\n`);
    await writeFile(join(dir, 'expected.json'), (templatedPlan.changes[0] as RepositoryPolicyChange).after);
    const out = execFileSync('terraform', ['console'], { cwd: dir, input: 'jsondecode(local.p) == jsondecode(file("expected.json"))\n', encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' } });
    expect(out.trim()).toBe('true');
  });
});

describe('renderPlan: cloudformation for an existing repository', () => {
  it('says in the Description how to use the template (resource import, or copy into the owning stack)', () => {
    const template = JSON.parse(renderPlan(repoPlan, 'cloudformation'));
    expect(template.Description).toMatch(/import the repository into a stack with resource import/);
    expect(template.Description).toMatch(/copy RepositoryPolicyText into the stack that already owns the repository/);
    expect(template.Description.length).toBeLessThanOrEqual(1024);
  });
});

describe('reviewChange: what the prompt shows', () => {
  it('shows what the change belongs to, our statement in full, and how many others stay', () => {
    const text = reviewChange(repoPlan.changes[0]!);
    const lines = text.split('\n');
    expect(lines[0]).toBe('update the repository policy of app (account 111122223333, us-east-1): let codebuild.amazonaws.com pull for arn:aws:codebuild:us-east-1:111122223333:project/web-build');
    expect(lines[1]).toBe('  adds statement "EcrDoctorCodeBuildPull":');
    expect(text).toContain('      "Service": "codebuild.amazonaws.com"');
    expect(lines.at(-1)).toBe('  keeps 1 other statement unchanged');
    // The user's own statement is not repeated.
    expect(text).not.toContain('AllowCiPush');
  });
  it('says "replaces" when widening its own statement', () => {
    const widened = planFix(facts({ repositories: [repository({ policy: repoPlan.changes[0]!.after })], project: project({ name: 'second', arn: 'arn:aws:codebuild:us-east-1:111122223333:project/second' }) }));
    expect(reviewChange(widened.changes[0]!)).toContain('  replaces statement "EcrDoctorCodeBuildPull":');
  });
});

describe('applyHint: how to apply a printed plan', () => {
  it('json: --yes, or the aws command for the one change', () => {
    expect(applyHint(repoPlan, 'json', { canApply: true })).toEqual([
      'to apply: run again with --yes, or save the JSON above as policy.json and run aws ecr set-repository-policy --region us-east-1 --registry-id 111122223333 --repository-name app --policy-text file://policy.json',
    ]);
  });
  it('cloudformation: the two ways to use the template, on stderr too', () => {
    expect(applyHint(repoPlan, 'cloudformation', { canApply: true }).join('\n')).toMatch(/resource import/);
  });
  it('from a snapshot: run against the live account', () => {
    expect(applyHint(repoPlan, 'json', { canApply: false })[0]).toContain('without --snapshot');
  });
});
