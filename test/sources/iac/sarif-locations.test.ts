import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../../cli/spawn.js';
import { sarifSchemaErrors } from '../../support/sarif-schema.js';

describe('SARIF from infrastructure code', () => {
  it('has physical locations relative to the repository root, a region and partialFingerprints, and meets the schema', async () => {
    // Run from another folder: the URI is still relative to the git root above the file.
    const r = await runCli(['doctor', '--terraform-plan', join(REPO_ROOT, 'fixtures', 'terraform', 'seed-no-policy', 'plan.json'), '--format', 'sarif'], { cwd: join(REPO_ROOT, 'test') });
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(sarifSchemaErrors(log)).toEqual([]);
    const result = (log.runs as { results: Record<string, unknown>[] }[])[0]!.results.find((x) => x.ruleId === 'codebuild-principal-can-pull')!;
    expect(result.locations).toMatchObject([{ physicalLocation: { artifactLocation: { uri: 'fixtures/terraform/seed-no-policy/main.tf', uriBaseId: '%SRCROOT%' }, region: { startLine: 7 } } }]);
    expect(Object.keys(result.partialFingerprints as object)).toEqual(['ecrDoctorFinding/v1']);
  });

  it('the SARIF 2.1.0 schema rejects what it should (so the check above can fail)', () => {
    const errors = sarifSchemaErrors({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: {}, level: 'fatal', locations: [{ physicalLocation: { artifactLocation: { uri: 'a.tf' }, region: { startLine: 0 } } }] }] }] });
    expect(errors.some((e) => e.includes('/runs/0/results/0/level'))).toBe(true);
    expect(errors.some((e) => e.includes('/runs/0/results/0/locations/0/physicalLocation/region/startLine'))).toBe(true);
    expect(sarifSchemaErrors({ version: '2.0.0', runs: [] })).not.toEqual([]);
  });

  it('the CloudFormation and in-build results meet the schema too', async () => {
    const r = await runCli(['doctor', '--cloudformation', join(REPO_ROOT, 'fixtures', 'cloudformation', 'inline-buildspec.yaml'), '--format', 'sarif'], { cwd: REPO_ROOT });
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as { runs: { results: { ruleId: string; locations?: unknown[] }[] }[] };
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0]!.results.find((x) => x.ruleId === 'registry-login')?.locations).toMatchObject([{ physicalLocation: { artifactLocation: { uri: 'fixtures/cloudformation/inline-buildspec.yaml' }, region: { startLine: 36 } } }]);
  });
});
