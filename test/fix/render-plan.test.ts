import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { planFix } from '../../src/fix/plan.js';
import { renderPlan } from '../../src/fix/render-plan.js';
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
    const result = await run('cfn-lint', [file]).then(() => ({ code: 0, stdout: '' }), (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }));
    expect(result.stdout).toBe('');
    expect(result.code & 6).toBe(0);
  }, 60_000);
});
