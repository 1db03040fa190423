import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/checks/index.js';
import { UsageError } from '../../../src/model/errors.js';
import type { Result } from '../../../src/model/result.js';
import { annotateResults } from '../../../src/sources/iac/annotate-results.js';
import { assembleFacts, DEPLOY_TIME_TAG } from '../../../src/sources/iac/assemble-facts.js';
import { modelFromPlan, readTerraformPlan } from '../../../src/sources/terraform/plan.js';
import { REPO_ROOT } from '../../cli/spawn.js';

// Plans hand-written to Terraform's documented JSON output format (fixtures/terraform/README.md).
const FIXTURES = join(REPO_ROOT, 'fixtures', 'terraform');
const loadPlan = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, name, 'plan.json'), 'utf8')) as Record<string, unknown>;

async function diagnose(name: string): Promise<Result[]> {
  const model = await readTerraformPlan(join(FIXTURES, name, 'plan.json'));
  const facts = assembleFacts(model);
  return annotateResults(runChecks(facts), facts);
}

const find = (results: Result[], check: string) => results.find((r) => r.check === check);

describe('Terraform plan source: the seed story', () => {
  it('fails without a repository policy, naming the service principal and the repository block', async () => {
    const results = await diagnose('seed-no-policy');
    const pull = find(results, 'codebuild-principal-can-pull');
    expect(pull?.status).toBe('fail');
    expect(pull?.message).toContain('codebuild.amazonaws.com');
    expect(pull?.evidence).toMatchObject({ source: 'terraform-plan', line: 7, location: { address: 'aws_ecr_repository.build' } });
    expect(String(pull?.evidence?.file)).toMatch(/seed-no-policy\/main\.tf$/);
  });

  it('passes with the seed fragment: the deferred policy document is computed through its references', async () => {
    const results = await diagnose('seed-granted');
    const pull = find(results, 'codebuild-principal-can-pull');
    expect(pull?.status).toBe('pass');
    // The finding points at the aws_ecr_repository_policy block (ecr-policy.tf), not the repository.
    expect(pull?.evidence).toMatchObject({ location: { address: 'aws_ecr_repository_policy.build' } });
    expect(String(pull?.evidence?.file)).toMatch(/seed-granted\/ecr-policy\.tf$/);
    expect(results.filter((r) => r.status === 'fail' || r.status === 'error')).toEqual([]);
  });

  it('diagnoses an image unknown until apply through its reference to the new repository; its tag is not checked', async () => {
    const model = modelFromPlan(loadPlan('seed-no-policy'));
    expect(model.projects[0]?.image).toMatchObject({ kind: 'repository', repositoryKey: 'aws_ecr_repository.build', tag: { known: false } });
    const results = await diagnose('seed-no-policy');
    const image = find(results, 'image-exists');
    expect(image?.status).toBe('skip');
    expect(image?.message).toContain('before deploy');
    expect(image?.evidence).toMatchObject({ reference: DEPLOY_TIME_TAG });
  });

  it('reads the service role the project refers to, with its inline policy', () => {
    const facts = assembleFacts(modelFromPlan(loadPlan('seed-no-policy')));
    const role = facts.roles['arn:aws:iam::123456789012:role/service-role/seed-codebuild-role'];
    expect(role?.inlinePolicies.state).toBe('present');
    expect(role?.inlinePolicies.state === 'present' && role.inlinePolicies.value[0]?.name).toBe('seed-codebuild-policy');
    const project = facts.projects[0]?.project;
    expect(project?.state === 'present' && project.value).toMatchObject({ serviceRole: role?.arn, imagePullCredentialsType: 'CODEBUILD', environmentType: 'LINUX_CONTAINER' });
  });
});

describe('Terraform plan source: what cannot be known', () => {
  it('reports an image that refers to nothing it can resolve as unknown (project-found is an error, never a pass)', () => {
    const plan = loadPlan('seed-no-policy');
    const config = plan.configuration as { root_module: { resources: { address: string; expressions: Record<string, unknown> }[] } };
    const project = config.root_module.resources.find((r) => r.address === 'aws_codebuild_project.build')!;
    (project.expressions.environment as Record<string, unknown>[])[0]!.image = { references: ['var.image'] };
    const facts = assembleFacts(modelFromPlan(plan));
    expect(facts.projects[0]?.project).toMatchObject({ state: 'unreadable', beforeDeploy: true });
    const found = find(runChecks(facts), 'project-found');
    expect(found?.status).toBe('error');
    expect(found?.message).toContain('unknown until apply');
  });

  it('without the account, ARNs use a placeholder printed as <deploy account>', () => {
    const plan = loadPlan('seed-granted');
    delete plan.prior_state;
    const facts = assembleFacts(modelFromPlan(plan));
    expect(facts.caller).toMatchObject({ state: 'unreadable', beforeDeploy: true });
    expect(facts.unknownAccount).toBeDefined();
    const results = annotateResults(runChecks(facts), facts);
    expect(JSON.stringify(results)).not.toContain(facts.unknownAccount!);
    expect(results.some((r) => r.message.includes('<deploy account>'))).toBe(true);
  });

  it('a pass that a literal account id could turn becomes a warning when the account is unknown', () => {
    const plan = loadPlan('seed-granted');
    delete plan.prior_state;
    const facts = assembleFacts(modelFromPlan(plan));
    const repo = Object.values(facts.repositories)[0]!;
    repo.policy = { state: 'present', value: { text: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Condition: { StringEquals: { 'aws:SourceAccount': '999999999999' } } }] }) } };
    const pull = find(annotateResults(runChecks(facts), facts), 'codebuild-principal-can-pull');
    expect(pull?.status).not.toBe('pass');
  });

  it('skips deleted resources and keeps module instance addresses', () => {
    const plan = loadPlan('seed-no-policy');
    const planned = plan.planned_values as { root_module: { resources: Record<string, unknown>[]; child_modules?: unknown[] } };
    const repo = planned.root_module.resources.find((r) => r.address === 'aws_ecr_repository.build')!;
    planned.root_module.child_modules = [{ address: 'module.extra["a"]', resources: [{ ...repo, address: 'module.extra["a"].aws_ecr_repository.build', values: { name: 'extra-a' } }] }];
    (plan.resource_changes as Record<string, unknown>[]).push({ address: 'aws_ecr_repository.old', mode: 'managed', type: 'aws_ecr_repository', name: 'old', change: { actions: ['delete'], before: { name: 'old' }, after: null, after_unknown: {} } });
    const model = modelFromPlan(plan);
    expect(model.repositories.map((r) => r.key)).toEqual(['aws_ecr_repository.build', 'module.extra["a"].aws_ecr_repository.build']);
  });

  it('rejects what is not a plan JSON with a usage error', async () => {
    await expect(readTerraformPlan(join(FIXTURES, 'seed-no-policy', 'main.tf'))).rejects.toBeInstanceOf(UsageError);
    await expect(readTerraformPlan(join(FIXTURES, 'does-not-exist.json'))).rejects.toThrow(/no such file/);
    expect(() => modelFromPlan({})).not.toThrow();
  });
});
