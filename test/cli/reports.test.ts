// Report formats, --output, --fail-on, --quiet and colour (issue 7), spawned on snapshot files so
// no AWS is involved: the seed case (one failure) and a warning-only variant of it.
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReport, resultsOf } from './json-report.js';
import { ANSI, describeStderr, makeTempDir, REPO_ROOT, runCli, type TempDir } from './spawn.js';

const SEED = join(REPO_ROOT, 'fixtures', 'snapshots', 'seed-codebuild-mode.json');
const REPO_ARN = 'arn:aws:ecr:us-east-1:123456789012:repository/seed-app';
const PROJECT_ARN = 'arn:aws:codebuild:us-east-1:123456789012:project/seed-app-build';

let tmp: TempDir;
let warnOnly: string;

/** The seed snapshot with a proper grant plus an open `Principal: "*"` pull statement: one warning, no failure. */
function warnOnlySnapshot(): string {
  const facts = JSON.parse(readFileSync(SEED, 'utf8'));
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EcrDoctorCodeBuildPull',
        Effect: 'Allow',
        Principal: { Service: 'codebuild.amazonaws.com' },
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': PROJECT_ARN } },
      },
      { Sid: 'OpenToAll', Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] },
    ],
  };
  facts.repositories[REPO_ARN].policy.value.text = JSON.stringify(policy);
  return JSON.stringify(facts);
}

beforeAll(async () => {
  tmp = await makeTempDir('ecr-doctor-reports-');
  warnOnly = join(tmp.path, 'warn-only.json');
  await writeFile(warnOnly, warnOnlySnapshot());
});
afterAll(async () => {
  await tmp?.remove();
});

describe.concurrent('--format on the seed snapshot', () => {
  it('json: the public schema, the failing check, exit 1', async () => {
    const run = await runCli(['doctor', '--snapshot', SEED, '--format', 'json']);
    expect(run.code).toBe(1);
    const report = parseReport(run.stdout);
    expect(report.summary).toEqual({ pass: 7, fail: 1, warn: 1, skip: 0, error: 0 });
    const [failed] = resultsOf(report, 'codebuild-principal-can-pull', 'fail');
    expect(failed).toMatchObject({ severity: 'error', subject: PROJECT_ARN, fix: { target: 'repository-policy', account: '123456789012' } });
    expect(report.target).toMatchObject({ source: 'snapshot' });
  });

  it('junit: parsed by a real XML parser, one failure in the codebuild-principal-can-pull suite', async () => {
    const run = await runCli(['doctor', '--snapshot', SEED, '--format', 'junit']);
    expect(run.code).toBe(1);
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', isArray: (name) => ['testsuite', 'testcase'].includes(name) });
    const xml = parser.parse(run.stdout) as { testsuites: { '@_failures': string; '@_tests': string; testsuite: any[] } };
    expect(xml.testsuites['@_failures']).toBe('1');
    expect(xml.testsuites['@_tests']).toBe('9');
    const failing = xml.testsuites.testsuite.filter((s) => s['@_failures'] !== '0');
    expect(failing.map((s) => s['@_name'])).toEqual(['codebuild-principal-can-pull']);
    const [testcase] = failing[0].testcase;
    expect(testcase['@_name']).toBe(PROJECT_ARN);
    expect(testcase.failure['@_type']).toBe('codebuild-principal-can-pull');
    expect(testcase.failure['@_message']).toContain('codebuild.amazonaws.com may not pull from seed-app');
    expect(run.stdout).not.toMatch(ANSI);
  });

  it('sarif: version 2.1.0, a rule per check with help, one result', async () => {
    const run = await runCli(['doctor', '--snapshot', SEED, '--format', 'sarif']);
    expect(run.code).toBe(1);
    const sarif = JSON.parse(run.stdout);
    expect(sarif.version).toBe('2.1.0');
    const [onlyRun] = sarif.runs;
    expect(sarif.runs).toHaveLength(1);
    expect(onlyRun.tool.driver.name).toBe('ecr-doctor');
    for (const rule of onlyRun.tool.driver.rules) expect(rule.help.text).toMatch(/\S/);
    // The failing grant, and the warning that the role's ECR rights do not apply in CODEBUILD mode.
    expect(onlyRun.results.map((r: { ruleId: string; level: string }) => `${r.ruleId}:${r.level}`)).toEqual(['codebuild-principal-can-pull:error', 'role-rights-unused:warning']);
    const [result] = onlyRun.results;
    expect(onlyRun.tool.driver.rules[result.ruleIndex].id).toBe('codebuild-principal-can-pull');
  });
});

describe.concurrent('--output, --fail-on, --quiet', () => {
  it.each(['json', 'junit', 'sarif', 'text'] as const)('--output FILE (%s) writes the report and prints a one-line summary', async (format) => {
    const file = join(tmp.path, `report-${format}.out`);
    const run = await runCli(['doctor', '--snapshot', SEED, '--format', format, '--output', file]);
    expect(run.code).toBe(1);
    expect(run.stdout.trimEnd().split('\n')).toEqual([`Summary: 7 passed, 1 failed, 1 warning, 0 skipped, 0 errors (${format} report written to ${file})`]);
    const written = await readFile(file, 'utf8');
    if (format === 'json') expect(parseReport(written).summary.fail).toBe(1);
    else expect(written).toContain('codebuild-principal-can-pull');
    expect(written).not.toMatch(ANSI);
  });

  it('--output to a path that cannot be written: exit 2, one line', async () => {
    const run = await runCli(['doctor', '--snapshot', SEED, '--output', join(tmp.path, 'no', 'such', 'dir', 'r.json'), '--format', 'json']);
    expect(run.code).toBe(2);
    const { errorLines, hasStack } = describeStderr(run.stderr);
    expect(errorLines).toEqual([expect.stringMatching(/^error: cannot write .*r\.json: its folder does not exist$/)]);
    expect(hasStack).toBe(false);
  });

  it('a warning alone exits 0, and 1 with --fail-on warning', async () => {
    const plain = await runCli(['doctor', '--snapshot', warnOnly, '--format', 'json']);
    expect(plain.code).toBe(0);
    const report = parseReport(plain.stdout);
    expect(report.summary).toMatchObject({ fail: 0, warn: 1 });
    expect(resultsOf(report, 'repository-policy-open', 'warn')[0]?.message).toContain('OpenToAll');
    expect(resultsOf(report, 'codebuild-principal-can-pull', 'pass')).toHaveLength(1);
    const strict = await runCli(['doctor', '--snapshot', warnOnly, '--fail-on', 'warning']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/WARN\s+repository-policy-open/);
    expect((await runCli(['doctor', '--snapshot', warnOnly, '--fail-on', 'error'])).code).toBe(0);
  });

  it('junit with --fail-on warning: the warning is a JUnit failure too, so the report group agrees with the exit code', async () => {
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', isArray: (name) => ['testsuite', 'testcase'].includes(name) });
    const strict = await runCli(['doctor', '--snapshot', warnOnly, '--format', 'junit', '--fail-on', 'warning']);
    expect(strict.code).toBe(1);
    const xml = parser.parse(strict.stdout) as { testsuites: { '@_failures': string; testsuite: any[] } };
    expect(xml.testsuites['@_failures']).toBe('1');
    const open = xml.testsuites.testsuite.find((s) => s['@_name'] === 'repository-policy-open');
    expect(open?.testcase[0].failure['@_message']).toMatch(/^warning: .*OpenToAll/);
    const lenient = await runCli(['doctor', '--snapshot', warnOnly, '--format', 'junit']);
    expect(lenient.code).toBe(0);
    expect((parser.parse(lenient.stdout) as { testsuites: { '@_failures': string } }).testsuites['@_failures']).toBe('0');
  });

  it('--quiet: only the problems in text, no header or summary; json is still printed whole', async () => {
    const failing = await runCli(['doctor', '--snapshot', SEED, '--quiet']);
    expect(failing).toMatchObject({ code: 1, stderr: '' });
    expect(failing.stdout).toMatch(/FAIL\s+codebuild-principal-can-pull/);
    expect(failing.stdout).not.toMatch(/PASS|Summary|ecr-doctor \d/);
    const passing = await runCli(['doctor', '--snapshot', warnOnly, '-q']);
    expect(passing).toMatchObject({ code: 0, stderr: '' });
    expect(passing.stdout).toMatch(/^\S+\n\s+WARN\s+repository-policy-open/);
    expect(passing.stdout).not.toMatch(/PASS/);
    const json = await runCli(['doctor', '--snapshot', SEED, '--quiet', '--format', 'json']);
    expect(parseReport(json.stdout).summary.fail).toBe(1);
    const file = join(tmp.path, 'quiet.json');
    const toFile = await runCli(['doctor', '--snapshot', SEED, '--quiet', '--format', 'json', '--output', file]);
    expect(toFile).toMatchObject({ code: 1, stdout: '' });
    expect(parseReport(await readFile(file, 'utf8')).summary.fail).toBe(1);
  });
});

describe.concurrent('colour (CI manners)', () => {
  const text = (env: Record<string, string | undefined>, extra: string[] = []) => runCli(['doctor', '--snapshot', SEED, ...extra], { env: { NO_COLOR: undefined, ...env } });

  it('FORCE_COLOR=1 gives ANSI codes in text', async () => {
    const run = await text({ FORCE_COLOR: '1' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(ANSI);
    expect(run.stdout.replace(new RegExp(ANSI.source, 'g'), '')).toMatch(/FAIL\s+codebuild-principal-can-pull/);
  });

  it.each([
    ['CI=true', { CI: 'true' }],
    ['NO_COLOR=1', { NO_COLOR: '1' }],
    ['not a TTY, nothing set', {}],
  ] as const)('%s: no ANSI codes', async (_name, env) => {
    const run = await text(env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL\s+codebuild-principal-can-pull/);
    expect(run.stdout).not.toMatch(ANSI);
    expect(run.stderr).not.toMatch(ANSI);
  });

  it('--no-color wins over FORCE_COLOR', async () => {
    expect((await text({ FORCE_COLOR: '1' }, ['--no-color'])).stdout).not.toMatch(ANSI);
  });

  it.each(['json', 'junit', 'sarif'])('%s never carries colour, even with FORCE_COLOR=1', async (format) => {
    const run = await text({ FORCE_COLOR: '1' }, ['--format', format]);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toMatch(ANSI);
  });

  it('a usage error with FORCE_COLOR still prints a plain error line', async () => {
    const run = await runCli(['doctor', '--bogus'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(run.code).toBe(2);
    expect(describeStderr(run.stderr).errorLines).toEqual(["error: unknown option '--bogus'"]);
  });
});
