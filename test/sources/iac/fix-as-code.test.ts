import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../../cli/spawn.js';

const run = promisify(execFile);
const fixtures = join(REPO_ROOT, 'fixtures');

describe('fix --format terraform|cloudformation for infrastructure code', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ecr-doctor-fix-iac-'));
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  it('Terraform: the resource uses the code\'s names, no account id; added to the folder, doctor passes', async () => {
    const r = await runCli(['fix', '--terraform', join(fixtures, 'terraform', 'seed-no-policy'), '--format', 'terraform'], { cwd: REPO_ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('resource "aws_ecr_repository_policy" "build" {');
    expect(r.stdout).toContain('repository = aws_ecr_repository.build.name');
    expect(r.stdout).toContain('"aws:SourceAccount" = data.aws_caller_identity.current.account_id');
    expect(r.stdout).toContain('"aws:SourceArn" = aws_codebuild_project.build.arn');
    expect(r.stdout).not.toMatch(/\d{12}/);
    expect(r.stderr).toContain('nothing is written');
    const dir = join(work, 'tf');
    await cp(join(fixtures, 'terraform', 'seed-no-policy'), dir, { recursive: true });
    await writeFile(join(dir, 'ecr-doctor-fix.tf'), r.stdout);
    const after = await runCli(['doctor', '--terraform', dir], { cwd: REPO_ROOT });
    expect(after.code, after.stdout).toBe(0);
  });

  it('Terraform: merged with an existing aws_ecr_repository_policy, keeping its statement, replacing that resource', async () => {
    const dir = join(work, 'tf-existing');
    await cp(join(fixtures, 'terraform', 'seed-no-policy'), dir, { recursive: true });
    const existing = [
      'resource "aws_ecr_repository_policy" "build" {',
      '  repository = aws_ecr_repository.build.name',
      '  policy = jsonencode({',
      '    Version = "2012-10-17"',
      '    Statement = [{ Sid = "CiPush", Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/ci" }, Action = ["ecr:PutImage"] }]',
      '  })',
      '}',
      '',
    ].join('\n');
    await writeFile(join(dir, 'policy.tf'), existing);
    const before = await runCli(['doctor', '--terraform', dir], { cwd: REPO_ROOT });
    expect(before.code).toBe(1);
    const r = await runCli(['fix', '--terraform', dir, '--format', 'terraform'], { cwd: REPO_ROOT });
    expect(r.stdout).toMatch(/replace aws_ecr_repository_policy\.build \(.*policy\.tf:1\)/);
    expect(r.stdout).toContain('Sid = "CiPush"');
    expect(r.stdout).toContain('"arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/ci"');
    await writeFile(join(dir, 'policy.tf'), r.stdout);
    const after = await runCli(['doctor', '--terraform', dir], { cwd: REPO_ROOT });
    expect(after.code, after.stdout).toBe(0);
  });

  it('Terraform plan: the same resource, against the plan\'s addresses', async () => {
    const r = await runCli(['fix', '--terraform-plan', join(fixtures, 'terraform', 'seed-no-policy', 'plan.json'), '--format', 'terraform'], { cwd: REPO_ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('repository = aws_ecr_repository.build.name');
    expect(r.stdout).toContain('"aws:SourceAccount" = data.aws_caller_identity.current.account_id');
    expect(r.stdout).not.toContain('data "aws_caller_identity" "current" {}');
  });

  it('CloudFormation: RepositoryPolicyText with !Ref/!Sub; put in the template, cfn-lint accepts it and doctor passes', async () => {
    const source = join(fixtures, 'cloudformation', 'seed-no-policy.yaml');
    const r = await runCli(['fix', '--cloudformation', source, '--format', 'cloudformation'], { cwd: REPO_ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"aws:SourceAccount": !Ref AWS::AccountId');
    expect(r.stdout).toContain('!Sub "arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}:project/seed-app-build"');
    expect(r.stdout).not.toMatch(/\d{12}/);
    // Replace the BuildRepo block of the template with the printed one.
    const template = await readFile(source, 'utf8');
    const start = template.indexOf('  BuildRepo:\n');
    const end = template.indexOf('  BuildRole:\n');
    const block = r.stdout.split('\n').filter((l) => !l.startsWith('#')).map((l) => (l ? `  ${l}` : l)).join('\n');
    const fixed = join(work, 'fixed.yaml');
    await writeFile(fixed, `${template.slice(0, start)}${block.trimEnd()}\n${template.slice(end)}`);
    const after = await runCli(['doctor', '--cloudformation', fixed], { cwd: REPO_ROOT });
    expect(after.code, after.stdout).toBe(0);
    const lint = await run('cfn-lint', [fixed]).then(() => 0, (e: { code: number | string }) => e.code);
    expect(typeof lint, 'cfn-lint must run (npm run setup:test installs it)').toBe('number');
    expect(Number(lint) & 6).toBe(0);
  });

  it('CDK output and an already granted stack: nothing to change', async () => {
    const r = await runCli(['fix', '--cloudformation', join(fixtures, 'cdk', 'seed-granted.out'), '--format', 'cloudformation'], { cwd: REPO_ROOT });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('nothing to change');
  });
});
