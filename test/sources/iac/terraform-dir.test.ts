import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/checks/index.js';
import { UsageError } from '../../../src/model/errors.js';
import { annotateResults } from '../../../src/sources/iac/annotate-results.js';
import { assembleFacts, PLACEHOLDER_ACCOUNT } from '../../../src/sources/iac/assemble-facts.js';
import { expressionText, readTerraformDir } from '../../../src/sources/terraform/hcl-dir.js';
import { REPO_ROOT } from '../../cli/spawn.js';

const seed = (name: string) => join(REPO_ROOT, 'fixtures', 'terraform', name);
const none = { vars: [], varFiles: [] };

async function statusOf(dir: string, check: string, options = none) {
  const facts = assembleFacts(await readTerraformDir(dir, options));
  return annotateResults(runChecks(facts), facts).find((r) => r.check === check);
}

describe('--terraform DIR: .tf files through the HCL parser', () => {
  it('the seed without a repository policy fails at the repository block', async () => {
    const pull = await statusOf(seed('seed-no-policy'), 'codebuild-principal-can-pull');
    expect(pull?.status).toBe('fail');
    expect(pull?.message).toContain('codebuild.amazonaws.com');
    expect(pull?.evidence).toMatchObject({ source: 'terraform', line: 7, location: { address: 'aws_ecr_repository.build' } });
    // jsonencode({...}) of the inline role policy is evaluated: the role's rights are seen, and unused.
    expect((await statusOf(seed('seed-no-policy'), 'role-rights-unused'))?.status).toBe('warn');
  });

  it("the seed's fragment (data aws_iam_policy_document + aws_ecr_repository_policy) is understood exactly", async () => {
    const model = await readTerraformDir(seed('seed-granted'), none);
    const policy = JSON.parse((model.repositories[0]?.policy as { value: string }).value) as { Statement: Record<string, unknown>[] };
    expect(policy.Statement).toEqual([
      {
        Sid: 'CodeBuildPull',
        Effect: 'Allow',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Principal: { Service: 'codebuild.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': PLACEHOLDER_ACCOUNT },
          ArnLike: { 'aws:SourceArn': `arn:aws:codebuild:us-east-1:${PLACEHOLDER_ACCOUNT}:project/seed-app-build` },
        },
      },
    ]);
    expect((await statusOf(seed('seed-granted'), 'codebuild-principal-can-pull'))?.status).toBe('pass');
  });

  describe('variables, tfvars and what stays unknown', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-tf-'));
      await writeFile(join(dir, 'main.tf'), [
        'variable "repo" { default = "from-default" }',
        'variable "tag" {}',
        'variable "mode" { default = "CODEBUILD" }',
        'locals { image = "${aws_ecr_repository.r.repository_url}:${var.tag}" }',
        'resource "aws_ecr_repository" "r" { name = var.repo }',
        'resource "aws_codebuild_project" "p" {',
        '  name = "p1"',
        '  service_role = "arn:aws:iam::111122223333:role/outside"',
        '  environment {',
        '    image = local.image',
        '    image_pull_credentials_type = var.mode',
        '  }',
        '}',
        'resource "aws_ecr_repository" "many" {',
        '  count = 2',
        '  name = "many-${count.index}"',
        '}',
        '',
      ].join('\n'));
      await writeFile(join(dir, 'terraform.tfvars'), 'repo = "from-tfvars"\n');
      await writeFile(join(dir, 'prod.tfvars'), 'repo = "from-var-file"\n');
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('a variable without a value makes what uses it unknown, never guessed', async () => {
      const facts = assembleFacts(await readTerraformDir(dir, none));
      expect(facts.projects[0]?.project).toMatchObject({ state: 'unreadable', beforeDeploy: true });
    });

    it('terraform.tfvars, then --var-file, then --var win in that order', async () => {
      const auto = await readTerraformDir(dir, { vars: ['tag=1.0'], varFiles: [] });
      expect(auto.repositories.map((r) => r.name)).toEqual(['from-tfvars']);
      const file = await readTerraformDir(dir, { vars: ['tag=1.0'], varFiles: [join(dir, 'prod.tfvars')] });
      expect(file.repositories.map((r) => r.name)).toEqual(['from-var-file']);
      const flag = await readTerraformDir(dir, { vars: ['tag=1.0', 'repo=from-flag'], varFiles: [join(dir, 'prod.tfvars')] });
      expect(flag.repositories.map((r) => r.name)).toEqual(['from-flag']);
      expect(flag.projects[0]?.image).toEqual({ kind: 'uri', uri: `${PLACEHOLDER_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/from-flag:1.0` });
      expect(flag.notes.some((n) => n.includes('aws_ecr_repository.many') && n.includes('count'))).toBe(true);
    });

    it('a role defined elsewhere is unknown offline: the role checks say so', async () => {
      const facts = assembleFacts(await readTerraformDir(dir, { vars: ['tag=1.0', 'mode=SERVICE_ROLE'], varFiles: [] }));
      const results = runChecks(facts);
      const role = results.find((r) => r.check === 'service-role-can-pull');
      expect(role?.status).toBe('error');
      expect(role?.message).toContain('--live');
    });
  });

  it('expressionText passes one interpolation as the bare expression, anything else as a template', () => {
    expect(expressionText('${jsonencode({\n a = 1\n})}')).toBe('jsonencode({\n a = 1\n})');
    expect(expressionText('${a.b}:latest')).toBe('"${a.b}:latest"');
    expect(expressionText('${a}-${b}')).toBe('"${a}-${b}"');
    expect(expressionText('x')).toBe('"x"');
  });

  it('bad input is a usage error', async () => {
    await expect(readTerraformDir(join(REPO_ROOT, 'fixtures', 'cdk'), none)).rejects.toBeInstanceOf(UsageError);
    await expect(readTerraformDir(join(REPO_ROOT, 'nope'), none)).rejects.toBeInstanceOf(UsageError);
    await expect(readTerraformDir(seed('seed-granted'), { vars: ['novalue'], varFiles: [] })).rejects.toThrow(/NAME=VALUE/);
  });
});
