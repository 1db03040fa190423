// Pre-flight inside a buildspec (issue 7 item 1): with no target, `doctor` diagnoses the project
// named by CODEBUILD_BUILD_ARN, and adds the eb context when the buildspec has one. Against moto,
// with the CLI acting as the test account through an IAM user's access key.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { nextAccountId } from '../support/accounts.js';
import { createProject, createRepository, createRole, makeTestClients, putImage } from '../support/aws.js';
import { awsEnv, createCliCredentials, writeCredentialsFile } from './cli-account.js';
import { copyEbFixture } from './eb-folder.js';
import { parseReport, resultsOf } from './json-report.js';
import { ANSI, makeTempDir, runCli, type TempDir } from './spawn.js';

const endpoint = inject('motoEndpoint');
const account = nextAccountId();
const aws = makeTestClients(endpoint, account);
/** As CodeBuild sets it (the value from the issue; only the project name is used). */
const BUILD_ARN = 'arn:aws:codebuild:us-east-1:123456789012:build/seed-app-build:0e2d6b0a-1111-2222-3333-444455556666';
const PROJECT_ARN = `arn:aws:codebuild:us-east-1:${account}:project/seed-app-build`;

let tmp: TempDir;
let env: Record<string, string>;
let ebDir: string;

beforeAll(async () => {
  tmp = await makeTempDir('ecr-doctor-codebuild-env-');
  const creds = await createCliCredentials(aws);
  env = { ...awsEnv(endpoint, creds), ...(await writeCredentialsFile(tmp.path, creds, ['eb-cli'])), CODEBUILD_BUILD_ARN: BUILD_ARN, CI: 'true' };
  const image = `${account}.dkr.ecr.us-east-1.amazonaws.com/seed-app:build-1`;
  await createRepository(aws, 'seed-app');
  await putImage(aws, 'seed-app', 'build-1');
  const role = await createRole(aws, 'seed-codebuild-role', { path: '/service-role/' });
  await createProject(aws, { name: 'seed-app-build', image, serviceRoleArn: role });
  ebDir = await copyEbFixture('good', join(tmp.path, 'eb-app'), { account, image, role: 'seed-codebuild-role', region: 'us-east-1' });
});

afterAll(async () => {
  await tmp?.remove();
});

describe('doctor inside CodeBuild (CODEBUILD_BUILD_ARN, no target)', () => {
  it('examines the current project', async () => {
    const run = await runCli(['doctor', '--format', 'json'], { cwd: tmp.path, env });
    expect(run.code, run.stderr).toBe(1);
    const report = parseReport(run.stdout);
    expect(report.target).toMatchObject({ foundBy: 'CODEBUILD_BUILD_ARN', account });
    expect(String(report.target['description'])).toContain('seed-app-build');
    expect(resultsOf(report, 'project-found', 'pass').map((r) => r.subject)).toEqual([PROJECT_ARN]);
    expect(resultsOf(report, 'codebuild-principal-can-pull', 'fail').map((r) => r.subject)).toEqual([PROJECT_ARN]);
    expect(report.results.some((r) => r.subject.startsWith('eb:'))).toBe(false);
  });

  it('adds the eb context when the buildspec in the working folder has eb_codebuild_settings', async () => {
    const run = await runCli(['doctor', '--format', 'json'], { cwd: ebDir, env });
    expect(run.code, run.stderr).toBe(1);
    const report = parseReport(run.stdout);
    expect(report.target).toMatchObject({ foundBy: 'CODEBUILD_BUILD_ARN', eb: { application: 'my-web-app' } });
    expect(resultsOf(report, 'codebuild-principal-can-pull', 'fail').map((r) => r.subject).sort()).toEqual([PROJECT_ARN, 'eb:my-web-app'].sort());
  });

  it('the buildspec one-liner: junit to a file for a report group, a plain summary line on stdout', async () => {
    const file = join(tmp.path, 'ecr-doctor.xml');
    const run = await runCli(['doctor', '--format', 'junit', '--output', file], { cwd: tmp.path, env: { ...env, FORCE_COLOR: undefined } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^Summary: \d+ passed, 1 failed, .* \(junit report written to .*ecr-doctor\.xml\)\n$/);
    expect(run.stdout).not.toMatch(ANSI);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' }).parse(await readFile(file, 'utf8'));
    expect(xml.testsuites['@_failures']).toBe('1');
  });
});
