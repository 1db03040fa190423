import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../src/model/result.js';
import { REPO_ROOT, runCli } from '../../cli/spawn.js';

// snapshot --terraform-plan/--terraform/--cloudformation records the Facts built from the code,
// with each resource's file:line; doctor --snapshot replays them to the same verdicts.
const cases: [string, string[]][] = [
  ['--terraform-plan', ['--terraform-plan', join(REPO_ROOT, 'fixtures', 'terraform', 'inline-buildspec', 'plan.json')]],
  ['--terraform', ['--terraform', join(REPO_ROOT, 'fixtures', 'terraform', 'inline-buildspec')]],
  ['--cloudformation (template)', ['--cloudformation', join(REPO_ROOT, 'fixtures', 'cloudformation', 'inline-buildspec.yaml')]],
  ['--cloudformation (cdk.out)', ['--cloudformation', join(REPO_ROOT, 'fixtures', 'cdk', 'seed-granted.out')]],
];

const verdicts = (results: Result[]) => results.map((r) => ({ check: r.check, subject: r.subject, status: r.status, message: r.message, file: r.evidence?.file, line: r.evidence?.line, address: (r.evidence?.location as { address?: string } | undefined)?.address }));

describe('snapshot of infrastructure code, replayed', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-iac-snapshot-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(cases)('%s: the replay gives the same verdicts at the same file:line', async (name, args) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.json`);
    const snap = await runCli(['snapshot', ...args, '--output', file], { cwd: REPO_ROOT });
    expect(snap.code).toBe(0);
    const facts = JSON.parse(await readFile(file, 'utf8')) as { locations?: Record<string, unknown> };
    expect(Object.keys(facts.locations ?? {}).length).toBeGreaterThan(0);
    const direct = await runCli(['doctor', ...args, '--format', 'json'], { cwd: REPO_ROOT });
    const replay = await runCli(['doctor', '--snapshot', file, '--format', 'json'], { cwd: REPO_ROOT });
    expect(replay.code).toBe(direct.code);
    const a = JSON.parse(direct.stdout) as { results: Result[] };
    const b = JSON.parse(replay.stdout) as { results: Result[] };
    expect(verdicts(b.results)).toEqual(verdicts(a.results));
    expect(verdicts(a.results).some((v) => v.file && v.line)).toBe(true);
  });

  it('the inline buildspec failure survives the round trip (registry-login at the project block)', async () => {
    const file = join(dir, 'tf-text.json');
    await runCli(['snapshot', '--terraform-plan', join(REPO_ROOT, 'fixtures', 'terraform', 'inline-buildspec', 'plan.json'), '-o', file], { cwd: REPO_ROOT });
    const replay = await runCli(['doctor', '--snapshot', file], { cwd: REPO_ROOT });
    expect(replay.code).toBe(1);
    expect(replay.stdout).toMatch(/FAIL {2}registry-login [^\n]*\n\s+at fixtures\/terraform\/inline-buildspec\/main\.tf:39 \(aws_codebuild_project\.build\)/);
  });

  it('a snapshot of code cannot be combined with --project (usage error, exit 2)', async () => {
    const r = await runCli(['snapshot', '--cloudformation', join(REPO_ROOT, 'fixtures', 'cloudformation', 'seed-granted.yaml'), '--project', 'x'], { cwd: REPO_ROOT });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --terraform-plan and --cloudformation read infrastructure code; they cannot be combined with/);
  });
});
