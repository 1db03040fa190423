import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../../cli/spawn.js';

const plan = (name: string) => join(REPO_ROOT, 'fixtures', 'terraform', name, 'plan.json');

describe('doctor --terraform-plan (built CLI)', () => {
  it('fails the seed without a repository policy, printing file:line of the repository block', async () => {
    const r = await runCli(['doctor', '--terraform-plan', plan('seed-no-policy')], { cwd: REPO_ROOT });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL  codebuild-principal-can-pull  codebuild.amazonaws.com may not pull from seed-app');
    expect(r.stdout).toContain('at fixtures/terraform/seed-no-policy/main.tf:7 (aws_ecr_repository.build)');
    // The project does not exist yet: the suggested fix is for the code, not a live project.
    expect(r.stdout).toContain(`run: ecr-doctor fix --terraform-plan ${plan('seed-no-policy')} --format terraform`);
  });

  it('passes the seed with the fragment (exit 0)', async () => {
    const r = await runCli(['doctor', '--terraform-plan', plan('seed-granted')], { cwd: REPO_ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PASS  \d+ checks: [^\n]*codebuild-principal-can-pull/);
  });

  it('JSON results carry evidence.source and the location', async () => {
    const r = await runCli(['doctor', '--terraform-plan', plan('seed-no-policy'), '--format', 'json'], { cwd: REPO_ROOT });
    const report = JSON.parse(r.stdout) as { target: { source: string }; results: { check: string; evidence?: Record<string, unknown> }[] };
    expect(report.target.source).toBe('terraform-plan');
    const pull = report.results.find((x) => x.check === 'codebuild-principal-can-pull');
    expect(pull?.evidence).toMatchObject({ source: 'terraform-plan', file: 'fixtures/terraform/seed-no-policy/main.tf', line: 7, location: { address: 'aws_ecr_repository.build' } });
  });

  it('bad input is a usage error (exit 2), one line plus a hint', async () => {
    const r = await runCli(['doctor', '--terraform-plan', join(REPO_ROOT, 'package.json')], { cwd: REPO_ROOT });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*no format_version\nhint: /);
    const both = await runCli(['doctor', '--terraform-plan', plan('seed-granted'), '--project', 'x'], { cwd: REPO_ROOT });
    expect(both.code).toBe(2);
  });

  it('doctor --cloudformation: the same verdicts from hand-written templates', async () => {
    const cfn = (f: string) => join(REPO_ROOT, 'fixtures', 'cloudformation', f);
    const failing = await runCli(['doctor', '--cloudformation', cfn('seed-no-policy.yaml')], { cwd: REPO_ROOT });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('at fixtures/cloudformation/seed-no-policy.yaml:8 (BuildRepo)');
    expect(failing.stdout).toContain('codebuild.amazonaws.com may not pull from seed-app');
    const passing = await runCli(['doctor', '--cloudformation', cfn('seed-granted.yaml')], { cwd: REPO_ROOT });
    expect(passing.code).toBe(0);
    const bad = await runCli(['doctor', '--cloudformation', cfn('seed-granted.yaml'), '--parameter', 'AWS::AccountId=12'], { cwd: REPO_ROOT });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: invalid --parameter AWS::AccountId=12/);
  });

  it('JUnit names the file and line in the failure message', async () => {
    const r = await runCli(['doctor', '--terraform-plan', plan('seed-no-policy'), '--format', 'junit'], { cwd: REPO_ROOT });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/<failure message="codebuild\.amazonaws\.com may not pull[^"]*\(at fixtures\/terraform\/seed-no-policy\/main\.tf:7 \(aws_ecr_repository\.build\)\)"/);
  });

  it('doctor --terraform DIR: the same verdicts from the .tf folder', async () => {
    const dir = (name: string) => join(REPO_ROOT, 'fixtures', 'terraform', name);
    const failing = await runCli(['doctor', '--terraform', dir('seed-no-policy')], { cwd: REPO_ROOT });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('at fixtures/terraform/seed-no-policy/main.tf:7 (aws_ecr_repository.build)');
    expect(failing.stdout).toContain('codebuild.amazonaws.com may not pull from seed-app');
    const passing = await runCli(['doctor', '--terraform', dir('seed-granted')], { cwd: REPO_ROOT });
    expect(passing.code).toBe(0);
    const both = await runCli(['doctor', '--terraform', dir('seed-granted'), '--cloudformation', 'x.yaml'], { cwd: REPO_ROOT });
    expect(both.code).toBe(2);
  });
});
