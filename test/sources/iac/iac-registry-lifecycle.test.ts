import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/checks/index.js';
import { registryKey } from '../../../src/model/facts.js';
import { annotateResults } from '../../../src/sources/iac/annotate-results.js';
import { PLACEHOLDER_ACCOUNT } from '../../../src/sources/iac/assemble-facts.js';
import { readIacFacts } from '../../../src/sources/iac/read-iac.js';
import { REPO_ROOT } from '../../cli/spawn.js';

const seedTf = (name: string) => join(REPO_ROOT, 'fixtures', 'terraform', name);
const seedCfn = (name: string) => join(REPO_ROOT, 'fixtures', 'cloudformation', name);

const denyPulls = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'NoPulls', Effect: 'Deny', Principal: '*', Action: 'ecr:BatchGetImage', Resource: '*' }] });
const replicationOnly = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Replicate', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'ecr:ReplicateImage', Resource: '*' }] });
const lifecycle = (rules: unknown[]) => JSON.stringify({ rules });
const keepFive = { rulePriority: 1, description: 'keep five', selection: { tagStatus: 'tagged', tagPrefixList: ['lat'], countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } };
const untaggedOld = { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } };
const anyImage = { rulePriority: 2, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 }, action: { type: 'expire' } };

describe('registry and lifecycle policies in infrastructure code are judged', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-iac-registry-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function tfFolder(name: string, extra: string): Promise<string> {
    const folder = join(dir, name);
    await cp(seedTf('seed-granted'), folder, { recursive: true });
    await rm(join(folder, 'plan.json'));
    await writeFile(join(folder, 'extra.tf'), extra);
    return folder;
  }

  async function cfnFile(name: string, resources: string): Promise<string> {
    const text = (await readFile(seedCfn('seed-granted.yaml'), 'utf8')).replace('Resources:\n', `Resources:\n${resources}`);
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  }

  async function judge(t: { terraformDir?: string; terraformPlan?: string; cloudformation?: string }) {
    const read = await readIacFacts({ parameters: [], ...t });
    return { facts: read.facts, results: annotateResults(runChecks(read.facts), read.facts) };
  }

  describe('registry policy', () => {
    it('aws_ecr_registry_policy becomes the registry policy of the deploy account: a registry Deny stops the pass (its scope V1/V2 is not in the code)', async () => {
      const folder = await tfFolder('tf-deny', `resource "aws_ecr_registry_policy" "this" {\n  policy = jsonencode(${JSON.stringify(JSON.parse(denyPulls))})\n}\n`.replace(/"(\w+)":/g, '$1 = ').replace(/,(?=\s*\w+ =)/g, ', '));
      const { facts, results } = await judge({ terraformDir: folder });
      const registry = facts.registries?.[registryKey(PLACEHOLDER_ACCOUNT, 'us-east-1')];
      expect(registry?.policy).toEqual({ state: 'present', value: { text: denyPulls } });
      expect(registry?.policyScope).toMatchObject({ state: 'unreadable', beforeDeploy: true });
      const pull = results.find((r) => r.check === 'codebuild-principal-can-pull');
      expect(pull?.status).not.toBe('pass');
      expect(pull?.message).toContain('registry policy scope');
    });

    it('a registry policy that does not touch pulls gives the same verdict under V1 and V2, and says so', async () => {
      const file = await cfnFile('cfn-replication.yaml', `  Registry:\n    Type: AWS::ECR::RegistryPolicy\n    Properties:\n      PolicyText: ${replicationOnly}\n`);
      const { facts, results } = await judge({ cloudformation: file });
      expect(facts.registries?.[registryKey(PLACEHOLDER_ACCOUNT, 'us-east-1')]?.policy).toMatchObject({ state: 'present' });
      const pull = results.find((r) => r.check === 'codebuild-principal-can-pull');
      expect(pull?.status).toBe('pass');
      expect(pull?.message).toContain('the verdict is the same under V1 and V2');
    });

    it('AWS::ECR::RegistryPolicy with a Deny is judged like the Terraform one', async () => {
      const file = await cfnFile('cfn-deny.yaml', `  Registry:\n    Type: AWS::ECR::RegistryPolicy\n    Properties:\n      PolicyText: ${denyPulls}\n`);
      const pull = (await judge({ cloudformation: file })).results.find((r) => r.check === 'codebuild-principal-can-pull');
      expect(pull?.status).not.toBe('pass');
    });

    it('without one in the code the registry policy stays unknown before deploy', async () => {
      const { facts, results } = await judge({ cloudformation: seedCfn('seed-granted.yaml') });
      expect(facts.registries?.[registryKey(PLACEHOLDER_ACCOUNT, 'us-east-1')]?.policy).toMatchObject({ state: 'unreadable', beforeDeploy: true });
      expect(results.find((r) => r.check === 'codebuild-principal-can-pull')?.message).toContain("The account's registry policy is not in the code");
    });
  });

  describe('lifecycle policy', () => {
    it('aws_ecr_lifecycle_policy selecting the tag pulled warns at the lifecycle block, never passes', async () => {
      const folder = await tfFolder('tf-lifecycle', `resource "aws_ecr_lifecycle_policy" "build" {\n  repository = aws_ecr_repository.build.name\n  policy     = <<-EOT\n    ${lifecycle([keepFive])}\n  EOT\n}\n`);
      const { facts, results } = await judge({ terraformDir: folder });
      expect(Object.values(facts.repositories)[0]?.lifecycle).toMatchObject({ state: 'present' });
      const expiry = results.find((r) => r.check === 'lifecycle-expiry');
      expect(expiry?.status).toBe('warn');
      expect(expiry?.message).toContain("Lifecycle rule 1 'keep five' of seed-app selects the tag latest: it will expire the image the project pulls once more than 5 images match it");
      expect(expiry?.evidence).toMatchObject({ file: expect.stringMatching(/extra\.tf$/), line: 1, location: { address: 'aws_ecr_lifecycle_policy.build' } });
    });

    it('LifecyclePolicyText whose rules do not select the tag by itself is a skip, not a pass (other tags are known after push)', async () => {
      const text = (await readFile(seedCfn('seed-granted.yaml'), 'utf8')).replace('      RepositoryName: seed-app\n', `      RepositoryName: seed-app\n      LifecyclePolicy:\n        LifecyclePolicyText: '${lifecycle([untaggedOld])}'\n`);
      const file = join(dir, 'cfn-lifecycle.yaml');
      await writeFile(file, text);
      const { facts, results } = await judge({ cloudformation: file });
      expect(Object.values(facts.repositories)[0]?.lifecycle).toMatchObject({ state: 'present' });
      const expiry = results.find((r) => r.check === 'lifecycle-expiry');
      expect(expiry?.status).toBe('skip');
      expect(expiry?.message).toContain('No rule of the lifecycle policy of seed-app selects the tag latest by itself');
      expect(expiry?.evidence).toMatchObject({ source: 'cloudformation', location: { address: 'BuildRepo' } });

      await writeFile(file, text.replace(lifecycle([untaggedOld]), lifecycle([untaggedOld, anyImage])));
      const any = (await judge({ cloudformation: file })).results.find((r) => r.check === 'lifecycle-expiry');
      expect(any?.status).toBe('warn');
      expect(any?.message).toContain('rule 2 of seed-app selects the tag latest');
    });

    it('a tag known only at apply (the plan shows only the repository) is selected for sure only by a rule for every image', async () => {
      const plan = JSON.parse(await readFile(join(seedTf('seed-no-policy'), 'plan.json'), 'utf8')) as { planned_values: { root_module: { resources: unknown[] } } };
      const withRules = (rules: unknown[]) => {
        const copy = structuredClone(plan);
        copy.planned_values.root_module.resources.push({ address: 'aws_ecr_lifecycle_policy.build', mode: 'managed', type: 'aws_ecr_lifecycle_policy', name: 'build', values: { repository: 'seed-app', policy: lifecycle(rules) } });
        return copy;
      };
      const file = join(dir, 'deploy-tag-plan.json');
      await writeFile(file, JSON.stringify(withRules([keepFive])));
      const skip = (await judge({ terraformPlan: file, terraformDir: seedTf('seed-no-policy') })).results.find((r) => r.check === 'lifecycle-expiry');
      expect(skip?.status).toBe('skip');
      expect(skip?.message).toContain('The tag pulled is known only at apply');
      await writeFile(file, JSON.stringify(withRules([keepFive, anyImage])));
      const warn = (await judge({ terraformPlan: file, terraformDir: seedTf('seed-no-policy') })).results.find((r) => r.check === 'lifecycle-expiry');
      expect(warn?.status).toBe('warn');
      expect(warn?.message).toContain('rule 2 of seed-app selects the image (its tag is known only at apply)');
    });

    it('a lifecycle policy computed at apply is an error naming why, not a verdict', async () => {
      const folder = await tfFolder('tf-lifecycle-unknown', `variable "rules" {}\nresource "aws_ecr_lifecycle_policy" "build" {\n  repository = aws_ecr_repository.build.name\n  policy     = var.rules\n}\n`);
      const { results } = await judge({ terraformDir: folder });
      const expiry = results.find((r) => r.check === 'lifecycle-expiry');
      expect(expiry?.status).toBe('error');
      expect(expiry?.message).toContain('lifecycle policy of seed-app');
    });
  });
});
