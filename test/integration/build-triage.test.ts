// Failed-build triage (issue 6) end to end with the built CLI. moto cannot serve build records,
// so a proxy (test/cli/aws-proxy.ts) sends CodeBuild's BatchGetBuilds / ListBuilds /
// ListBuildsForProject to a replay server answering with the recorded AWS bodies of
// fixtures/recorded/codebuild/, and everything else (STS, ECR, IAM, BatchGetProjects) to moto.
// The CLI's SDK parses both. The recordings name account 123456789012; they are served with the
// test account instead, so the doctor then reads that account's repositories and roles in moto.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Build } from '@aws-sdk/client-codebuild';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { nextAccountId } from '../support/accounts.js';
import { createProject, createRepository, createRole, makeTestClients, putImage } from '../support/aws.js';
import { replayError, startReplayServer, type ReplayServer } from '../support/replay-server.js';
import { startAwsProxy, type AwsProxy } from '../cli/aws-proxy.js';
import { awsEnv, createCliCredentials, writeCredentialsFile } from '../cli/cli-account.js';
import { copyEbFixture, FIXTURE_ACCOUNT } from '../cli/eb-folder.js';
import { outline, parseReport, resultsOf } from '../cli/json-report.js';
import { describeStderr, makeTempDir, REPO_ROOT, runCli, type TempDir } from '../cli/spawn.js';

const endpoint = inject('motoEndpoint');
const account = nextAccountId();
const aws = makeTestClients(endpoint, account);
const TARGET = 'CodeBuild_20161006';

function recorded(name: string): any {
  const text = readFileSync(join(REPO_ROOT, 'fixtures', 'recorded', 'codebuild', `${name}.json`), 'utf8');
  return JSON.parse(text.replaceAll(FIXTURE_ACCOUNT, account));
}

const BUILD_FILES = [
  'batch-get-builds-codebuild-not-trusted',
  'batch-get-builds-service-role-denied',
  'batch-get-builds-eb-deploy',
  'batch-get-builds-docker-hub-rate-limit',
  'batch-get-builds-missing-tag',
  'batch-get-builds-in-build-pull',
];
const byId = new Map<string, Build>();
for (const f of BUILD_FILES) for (const b of recorded(f).builds as Build[]) byId.set(b.id ?? '', b);

const NOT_TRUSTED = 'app-build:0b1f1d3e-5c7a-4e0b-9f22-6a1c0e1d2b34';
const IN_BUILD_PULL = 'app-build:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const RATE_LIMIT = 'web-tests:c2a7e9f0-1b3d-4c5e-8f6a-7b8c9d0e1f2a';
const EB_BUILD = 'Elastic-Beanstalk-my-web-app-app-170706_000919-uUTqM:4f6c1a2b-8d9e-4b3c-a7f0-2e1d5c6b9a80';
const UNRELATED = { Sid: 'AllowCiPush', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload'] };

let replay: ReplayServer;
let proxy: AwsProxy;
let tmp: TempDir;
let env: Record<string, string>;
let ebDir: string;

async function doctorJson(args: string[], cwd = tmp.path) {
  const run = await runCli(['doctor', ...args, '--format', 'json'], { cwd, env });
  if (run.code === 2 || run.code === 3 || run.code < 0) throw new Error(`doctor ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return { code: run.code, report: parseReport(run.stdout) };
}

beforeAll(async () => {
  const listBuilds = recorded('list-builds');
  replay = await startReplayServer({
    [`${TARGET}.BatchGetBuilds`]: (body: { ids: string[] }) => ({
      builds: body.ids.flatMap((id) => byId.get(id) ?? []),
      buildsNotFound: body.ids.filter((id) => !byId.has(id)),
    }),
    // One recorded page; a request for the next page gets an empty last page.
    [`${TARGET}.ListBuilds`]: (body: { nextToken?: string }) => (body.nextToken ? { ids: [] } : listBuilds),
    [`${TARGET}.ListBuildsForProject`]: (body: { projectName: string }) =>
      body.projectName === 'app-build'
        ? recorded('list-builds-for-project')
        : replayError('ResourceNotFoundException', `The provided project name ${body.projectName} does not exist`),
  });
  proxy = await startAwsProxy({ moto: endpoint, replay: replay.endpoint });
  tmp = await makeTempDir('ecr-doctor-triage-');
  const creds = await createCliCredentials(aws);
  env = { ...awsEnv(proxy.endpoint, creds), ...(await writeCredentialsFile(tmp.path, creds, ['eb-cli'])) };

  // The recorded builds' world, without the CodeBuild grant: an unrelated push statement only.
  const policy = { Version: '2012-10-17', Statement: [UNRELATED] };
  await createRepository(aws, 'build-images', policy);
  await putImage(aws, 'build-images', 'node20');
  await createRepository(aws, 'my-web-app-builder', policy);
  await putImage(aws, 'my-web-app-builder', 'latest');
  const role = await createRole(aws, 'codebuild-app-build-service-role', { path: '/service-role/' });
  await createProject(aws, { name: 'app-build', image: `${account}.dkr.ecr.us-east-1.amazonaws.com/build-images:node20`, serviceRoleArn: role });
  await createRole(aws, 'aws-codebuild-eb-service-role', { path: '/service-role/' });
  ebDir = await copyEbFixture('good', join(tmp.path, 'my-web-app'), { account, region: 'us-east-1' });
});

afterAll(async () => {
  await proxy?.close();
  await replay?.close();
  await tmp?.remove();
});

describe('doctor --build (issue 6)', () => {
  it('names the cause of the CODEBUILD-mode failure first, then the missing repository grant', async () => {
    const { code, report } = await doctorJson(['--build', NOT_TRUSTED]);
    expect(code).toBe(1);
    const ids = report.results.map((r) => r.check);
    expect(ids.indexOf('build-failure-cause')).toBeLessThan(ids.indexOf('codebuild-principal-can-pull'));
    const [cause] = resultsOf(report, 'build-failure-cause', 'fail');
    expect(cause?.subject).toBe(NOT_TRUSTED);
    expect(cause?.evidence).toMatchObject({ cause: 'codebuild-not-trusted', phase: 'PROVISIONING', mode: 'CODEBUILD' });
    expect(String(cause?.evidence?.['quote'])).toContain('not authorized to perform ecr:BatchGetImage');
    expect(cause?.message).not.toMatch(/not an ECR grant problem/);
    const [grant] = resultsOf(report, 'codebuild-principal-can-pull', 'fail');
    expect(grant?.subject).toBe(NOT_TRUSTED);
    expect(grant?.message).toContain('codebuild.amazonaws.com');
    expect(grant?.message).toContain('build-images');
    expect(grant?.fix?.target).toBe('repository-policy');
    // The mode is the one the build ran with, not a default.
    expect(resultsOf(report, 'pull-mode', 'pass')[0]?.evidence).toMatchObject({ mode: 'CODEBUILD', modeSource: 'build' });
    expect(replay.requests.some((r) => r.target === `${TARGET}.BatchGetBuilds` && JSON.stringify(r.body).includes(NOT_TRUSTED))).toBe(true);
  });

  it('takes the build ARN as well as the id', async () => {
    const { report } = await doctorJson(['--build', `arn:aws:codebuild:us-east-1:${account}:build/${NOT_TRUSTED}`]);
    expect(resultsOf(report, 'build-failure-cause', 'fail')[0]?.evidence).toMatchObject({ cause: 'codebuild-not-trusted' });
    expect(resultsOf(report, 'codebuild-principal-can-pull', 'fail')).toHaveLength(1);
  });

  it('says a Docker Hub rate limit is not an ECR grant problem', async () => {
    const { code, report } = await doctorJson(['--build', RATE_LIMIT]);
    expect(code).toBe(1);
    const [cause] = resultsOf(report, 'build-failure-cause', 'fail');
    expect(cause?.evidence).toMatchObject({ cause: 'docker-hub-rate-limit' });
    expect(cause?.message).toMatch(/not an ECR grant problem/);
    expect(cause?.fix?.target).toBe('other');
    expect(resultsOf(report, 'codebuild-principal-can-pull')).toEqual([]);
    expect(resultsOf(report, 'image-reference', 'pass')).toHaveLength(1);
  });

  it('reports a build id it cannot find', async () => {
    const missing = 'app-build:00000000-0000-0000-0000-000000000000';
    const { code, report } = await doctorJson(['--build', missing]);
    expect(code).toBe(1);
    expect(resultsOf(report, 'build-failure-cause', 'fail').map((r) => r.subject)).toEqual([missing]);
  });
});

describe('--last-failed (issue 6, issue 5 item 4)', () => {
  it('doctor --project P --last-failed picks the newest failed build of P', async () => {
    const { code, report } = await doctorJson(['--project', 'app-build', '--last-failed']);
    expect(code, outline(report).join(' ')).toBe(1);
    const [cause] = resultsOf(report, 'build-failure-cause', 'fail');
    expect(cause?.subject).toBe(IN_BUILD_PULL);
    expect(cause?.evidence).toMatchObject({ cause: 'in-build-pull', phase: 'BUILD' });
    expect(cause?.message).toMatch(/not an ECR grant problem/);
    const list = replay.requests.find((r) => r.target === `${TARGET}.ListBuildsForProject`);
    expect(list?.body).toMatchObject({ projectName: 'app-build', sortOrder: 'DESCENDING' });
  });

  it('doctor --buildspec --last-failed finds the Elastic-Beanstalk-<app>- build and diagnoses what it ran with', async () => {
    const { code, report } = await doctorJson(['--buildspec', join(ebDir, 'buildspec.yml'), '--last-failed']);
    expect(code, outline(report).join(' ')).toBe(1);
    const list = replay.requests.find((r) => r.target === `${TARGET}.ListBuilds`);
    expect(list?.body).toMatchObject({ sortOrder: 'DESCENDING' });
    const [cause] = resultsOf(report, 'build-failure-cause', 'fail');
    expect(cause?.subject).toBe(EB_BUILD);
    expect(cause?.evidence).toMatchObject({ cause: 'codebuild-not-trusted', statusCode: 'CLIENT_ERROR' });
    expect(String(cause?.evidence?.['quote'])).toContain('Perhaps you need to login?');
    // The recorded environment (my-web-app-builder), not the buildspec's image (my-web-app-build).
    const recordedImage = `${account}.dkr.ecr.us-east-1.amazonaws.com/my-web-app-builder:latest`;
    expect(cause?.evidence).toMatchObject({ image: recordedImage });
    const [grant] = resultsOf(report, 'codebuild-principal-can-pull', 'fail');
    expect(grant?.message).toContain('my-web-app-builder');
    expect(resultsOf(report, 'repository-exists', 'pass').map((r) => r.message).join(' ')).toContain('my-web-app-builder');
  });
});

interface CorpusEntry {
  text: string;
  cause: string;
}
const corpus = (JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures', 'error-messages', 'corpus.json'), 'utf8')) as { entries: CorpusEntry[] }).entries;

async function inBatches<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  return out;
}

describe('explain (spawned)', () => {
  it(`classifies every corpus text (${corpus.length}) to its cause`, async () => {
    expect(corpus.length).toBeGreaterThanOrEqual(25);
    const runs = await inBatches(corpus, 4, async (e) => ({ e, run: await runCli(['explain', e.text]) }));
    for (const { e, run } of runs) {
      const where = `${e.cause}: ${e.text.slice(0, 60)}`;
      if (e.cause === 'unknown') {
        expect(run.code, where).toBe(1);
        expect(run.stdout, where).toMatch(/does not recognise/);
      } else {
        expect(run.code, `${where}\n${run.stderr}`).toBe(0);
        expect(run.stdout, where).toContain(`(${e.cause})`);
        expect(run.stdout, where).toMatch(/^Next: \S/m);
      }
    }
  }, 60_000);

  it('reads the text from stdin', async () => {
    const multiLine = corpus.filter((e) => e.text.includes('\n') && e.cause !== 'unknown');
    expect(multiLine.length).toBeGreaterThan(0);
    for (const e of multiLine.slice(0, 2)) {
      const run = await runCli(['explain'], { input: e.text });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`(${e.cause})`);
    }
  });

  it('says it does not recognise unknown text and what to run instead (exit 1)', async () => {
    const run = await runCli(['explain', 'the build fell over for reasons nobody wrote down']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/does not recognise/);
    expect(run.stdout).toMatch(/Run instead: ecr-doctor doctor/);
  });

  it('exits 2 on empty input', async () => {
    for (const input of ['', '  \n\t\n']) {
      const run = await runCli(['explain'], { input });
      expect(run.code).toBe(2);
      const { errorLines, hasStack } = describeStderr(run.stderr);
      expect(errorLines).toEqual(['error: nothing to explain: pass the error text as an argument or on stdin']);
      expect(hasStack).toBe(false);
    }
  });
});
