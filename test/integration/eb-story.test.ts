// The seed story of issue 5, end to end against moto with the built CLI: a pipeline project in
// SERVICE_ROLE mode works, eb deploy with the same role and image cannot pull, the report says
// why (the role's ECR rights do not apply to a CODEBUILD-mode pull), `fix --buildspec --yes`
// writes the eb-app repository statement, and both paths pass afterwards.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { nextAccountIds } from '../support/accounts.js';
import { createProject, createRepository, createRole, makeTestClients, putImage } from '../support/aws.js';
import { startAwsProxy, type AwsProxy } from '../cli/aws-proxy.js';
import { awsEnv, createCliCredentials, writeCredentialsFile } from '../cli/cli-account.js';
import { copyEbFixture } from '../cli/eb-folder.js';
import { outline, parseReport, resultsOf } from '../cli/json-report.js';
import { describeStderr, makeTempDir, REPO_ROOT, runCli, type TempDir } from '../cli/spawn.js';

const endpoint = inject('motoEndpoint');
const [account = '', registryAccount = ''] = nextAccountIds(2);
const aws = makeTestClients(endpoint, account);
const registry = makeTestClients(endpoint, registryAccount);

const REGION = 'us-east-1';
const PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
const PUSH_ACTIONS = ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'];
const ROLE = 'my-codebuild-role';
const repoArn = (name: string, acct = account) => `arn:aws:ecr:${REGION}:${acct}:repository/${name}`;
const imageUri = (name: string, acct = account) => `${acct}.dkr.ecr.${REGION}.amazonaws.com/${name}:latest`;
const ebPattern = (app: string) => `arn:aws:codebuild:${REGION}:${account}:project/Elastic-Beanstalk-${app}-*`;

/** The role's identity policy: everything a SERVICE_ROLE pull needs, on both test repositories. */
const roleEcrRights = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    { Effect: 'Allow', Action: PULL_ACTIONS, Resource: [repoArn('my-web-app-build'), repoArn('pinned-app-build')] },
  ],
};

/** A statement someone wrote for the pipeline: right for it, never for eb's temporary project. */
const pinnedStatement = {
  Sid: 'PipelineOnly',
  Effect: 'Allow',
  Principal: { Service: 'codebuild.amazonaws.com' },
  Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
  Condition: { StringEquals: { 'aws:SourceArn': `arn:aws:codebuild:${REGION}:${account}:project/pipeline-build` } },
};

let tmp: TempDir;
let env: Record<string, string>;
let ebDir: string;
let pinnedDir: string;

interface PolicyDoc {
  Statement: Array<Record<string, any>>;
}

async function readPolicy(repositoryName: string): Promise<{ text: string; doc: PolicyDoc }> {
  const out = await aws.ecr.send(new GetRepositoryPolicyCommand({ repositoryName }));
  const text = out.policyText ?? '';
  return { text, doc: JSON.parse(text) as PolicyDoc };
}

async function doctorJson(args: string[], cwd = tmp.path, extraEnv: Record<string, string> = env) {
  const run = await runCli(['doctor', ...args, '--format', 'json'], { cwd, env: extraEnv });
  if (run.code === 2 || run.code === 3 || run.code < 0) throw new Error(`doctor ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return { code: run.code, report: parseReport(run.stdout), stderr: run.stderr };
}

beforeAll(async () => {
  tmp = await makeTempDir('ecr-doctor-eb-story-');
  const creds = await createCliCredentials(aws);
  // The fixture's .elasticbeanstalk/config.yml names profile eb-cli, as `eb init` writes it; the
  // SDK then takes the key from that profile, not from the environment.
  // HOME too: fix's default backups go to ~/.ecr-doctor/backups, never the developer's real one.
  env = { ...awsEnv(endpoint, creds), ...(await writeCredentialsFile(tmp.path, creds, ['default', 'eb-cli'])), HOME: tmp.path };

  const roleArn = await createRole(aws, ROLE, { inline: { 'ecr-pull': roleEcrRights } });
  await createRepository(aws, 'my-web-app-build');
  await putImage(aws, 'my-web-app-build', 'latest');
  await createRepository(aws, 'pinned-app-build', { Version: '2012-10-17', Statement: [pinnedStatement] });
  await putImage(aws, 'pinned-app-build', 'latest');
  await createProject(aws, { name: 'pipeline-build', image: imageUri('my-web-app-build'), serviceRoleArn: roleArn, imagePullCredentialsType: 'SERVICE_ROLE' });

  ebDir = await copyEbFixture('good', join(tmp.path, 'my-web-app'), { account, image: imageUri('my-web-app-build'), role: ROLE, region: REGION });
  await mkdir(join(ebDir, 'src', 'handlers'), { recursive: true });
  pinnedDir = await copyEbFixture('good', join(tmp.path, 'pinned-app'), { account, applicationName: 'pinned-app', image: imageUri('pinned-app-build'), role: ROLE, region: REGION });
});

afterAll(async () => {
  await tmp?.remove();
});

describe('the eb deploy seed story (issue 5)', () => {
  it('the pipeline project in SERVICE_ROLE mode, whose role has ECR rights, passes doctor --project', async () => {
    const { code, report } = await doctorJson(['--project', 'pipeline-build']);
    expect(code, outline(report).join(' ')).toBe(0);
    expect(resultsOf(report, 'service-role-can-pull', 'pass')).toHaveLength(1);
    expect(report.summary.fail).toBe(0);
    expect(report.target).toMatchObject({ account });
  });

  it('the eb folder with the same role and image fails: codebuild-principal-can-pull, and the role rights do not apply', async () => {
    const { code, report } = await doctorJson(['--buildspec', join(ebDir, 'buildspec.yml')]);
    expect(code).toBe(1);
    const [cannotPull] = resultsOf(report, 'codebuild-principal-can-pull', 'fail');
    expect(cannotPull?.subject).toBe('eb:my-web-app');
    expect(cannotPull?.message).toContain('codebuild.amazonaws.com');
    expect(cannotPull?.message).toContain('my-web-app-build');
    const [unused] = resultsOf(report, 'role-rights-unused', 'warn');
    expect(unused?.message).toContain(`arn:aws:iam::${account}:role/${ROLE}`);
    expect(unused?.message).toMatch(/does not help/);
    expect(unused?.message).toMatch(/CODEBUILD mode/);
    expect(unused?.message).toMatch(/only the repository policy counts/);
    expect(resultsOf(report, 'pull-mode', 'pass')[0]?.evidence).toMatchObject({ mode: 'CODEBUILD', modeSource: 'eb-inferred' });
  });

  it('says the same in the text report', async () => {
    const run = await runCli(['doctor', '--buildspec', join(ebDir, 'buildspec.yml')], { cwd: tmp.path, env });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL\s+codebuild-principal-can-pull/);
    expect(run.stdout).toMatch(/WARN\s+role-rights-unused/);
    expect(run.stdout).toContain('ecr-doctor fix --buildspec');
  });

  it('finds the buildspec by itself with no target, from the eb folder and from a subfolder', async () => {
    for (const cwd of [ebDir, join(ebDir, 'src', 'handlers')]) {
      const { code, report } = await doctorJson([], cwd);
      expect(code).toBe(1);
      expect(report.target).toMatchObject({ eb: { application: 'my-web-app', buildspec: join(ebDir, 'buildspec.yml') } });
      expect(resultsOf(report, 'codebuild-principal-can-pull', 'fail').map((r) => r.subject)).toEqual(['eb:my-web-app']);
    }
  });

  it('fix --buildspec without --yes and without a terminal writes nothing (exit 2)', async () => {
    const run = await runCli(['fix', '--buildspec', join(ebDir, 'buildspec.yml')], { cwd: tmp.path, env });
    expect(run.code).toBe(2);
    await expect(readPolicy('my-web-app-build')).rejects.toMatchObject({ name: 'RepositoryPolicyNotFoundException' });
  });

  it('fix --buildspec --yes writes the ArnLike Elastic-Beanstalk-<app>-* statement (read back from moto)', async () => {
    const run = await runCli(['fix', '--buildspec', join(ebDir, 'buildspec.yml'), '--yes'], { cwd: tmp.path, env });
    expect(run.code, run.stderr).toBe(0);
    // The pattern's reach is said, and the backup of "no policy" is in ~/.ecr-doctor/backups.
    expect(run.stderr).toContain('also matches the temporary projects of applications whose names start with "my-web-app-"');
    expect(run.stderr).toContain(`there was no policy before (recorded in ${join(tmp.path, '.ecr-doctor', 'backups')}/`);
    const { doc } = await readPolicy('my-web-app-build');
    expect(doc.Statement).toHaveLength(1);
    const [s] = doc.Statement;
    expect(s).toMatchObject({ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' } });
    expect(s?.Condition?.ArnLike?.['aws:SourceArn']).toBe(ebPattern('my-web-app'));
    expect(s?.Condition?.StringEquals?.['aws:SourceAccount']).toBe(account);
    const actions = [s?.Action].flat();
    expect(actions).toEqual(expect.arrayContaining(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']));
    for (const push of PUSH_ACTIONS) expect(actions).not.toContain(push);
    expect(s).not.toHaveProperty('Resource');
  });

  it('then doctor --buildspec passes and doctor --project on the pipeline project still passes', async () => {
    const eb = await doctorJson(['--buildspec', join(ebDir, 'buildspec.yml')]);
    expect(eb.code, outline(eb.report).join(' ')).toBe(0);
    expect(resultsOf(eb.report, 'codebuild-principal-can-pull', 'pass')).toHaveLength(1);
    expect(resultsOf(eb.report, 'role-rights-unused')).toEqual([]);
    const pipeline = await doctorJson(['--project', 'pipeline-build']);
    expect(pipeline.code, outline(pipeline.report).join(' ')).toBe(0);
  });

  it('a second fix --yes changes nothing', async () => {
    const before = await readPolicy('my-web-app-build');
    const run = await runCli(['fix', '--buildspec', join(ebDir, 'buildspec.yml'), '--yes'], { cwd: tmp.path, env });
    expect(run.code).toBe(0);
    expect((await readPolicy('my-web-app-build')).text).toBe(before.text);
  });
});

describe('snapshot of the live facts', () => {
  it('doctor --snapshot replays the live diagnosis result for result', async () => {
    const targets = ['--project', 'pipeline-build', '--buildspec', join(pinnedDir, 'buildspec.yml')];
    const file = join(tmp.path, 'story-snapshot.json');
    const snap = await runCli(['snapshot', ...targets, '--output', file], { cwd: tmp.path, env });
    expect(snap.code, snap.stderr).toBe(0);
    const live = await doctorJson(targets);
    const replayed = await doctorJson(['--snapshot', file], tmp.path, {});
    expect(replayed.code).toBe(live.code);
    expect(replayed.report.results).toEqual(live.report.results);
    expect(replayed.report.target).toMatchObject({ source: 'snapshot', account });
  });
});

describe('a repository statement that pins aws:SourceArn to the pipeline project', () => {
  it('fix --scope account --dry-run plans project/* and writes nothing', async () => {
    const before = await readPolicy('pinned-app-build');
    const run = await runCli(['fix', '--buildspec', join(pinnedDir, 'buildspec.yml'), '--scope', 'account', '--dry-run'], { cwd: tmp.path, env });
    expect(run.code, run.stderr).toBe(0);
    const planned = JSON.parse(run.stdout) as PolicyDoc;
    expect(planned.Statement.find((s) => s['Sid'] === 'PipelineOnly')).toEqual(pinnedStatement);
    const ours = planned.Statement.find((s) => s['Sid'] !== 'PipelineOnly');
    expect(ours?.Condition?.ArnLike?.['aws:SourceArn']).toBe(`arn:aws:codebuild:${REGION}:${account}:project/*`);
    expect((await readPolicy('pinned-app-build')).text).toBe(before.text);
  });


  it('warns eb-source-arn-pinned, naming the statement', async () => {
    const { code, report } = await doctorJson(['--buildspec', join(pinnedDir, 'buildspec.yml')]);
    expect(code).toBe(1);
    expect(resultsOf(report, 'codebuild-principal-can-pull', 'fail')).toHaveLength(1);
    const [pinned] = resultsOf(report, 'eb-source-arn-pinned', 'warn');
    expect(pinned?.message).toContain('PipelineOnly');
    expect(pinned?.message).toContain('StringEquals');
    expect(pinned?.evidence).toMatchObject({ operator: 'StringEquals', expectedPattern: ebPattern('pinned-app') });
  });

  it('fix adds its own statement and leaves the pinned one exactly as it was', async () => {
    const run = await runCli(['fix', '--buildspec', join(pinnedDir, 'buildspec.yml'), '--yes'], { cwd: tmp.path, env });
    expect(run.code, run.stderr).toBe(0);
    // It says that a foreign statement is the one that pins aws:SourceArn (issue 5 item 5).
    expect(run.stderr).toMatch(/^note: .*PipelineOnly.*leaves that one as it is/m);
    const { doc } = await readPolicy('pinned-app-build');
    expect(doc.Statement).toHaveLength(2);
    expect(doc.Statement.find((s) => s['Sid'] === 'PipelineOnly')).toEqual(pinnedStatement);
    const ours = doc.Statement.find((s) => s['Sid'] !== 'PipelineOnly');
    expect(ours?.Condition?.ArnLike?.['aws:SourceArn']).toBe(ebPattern('pinned-app'));

    const after = await doctorJson(['--buildspec', join(pinnedDir, 'buildspec.yml')]);
    expect(after.code).toBe(0);
    expect(resultsOf(after.report, 'codebuild-principal-can-pull', 'pass')).toHaveLength(1);
    // The foreign statement still cannot match eb's project; saying so stays useful.
    expect(resultsOf(after.report, 'eb-source-arn-pinned', 'warn')).toHaveLength(1);
  });
});

describe('eb deploy with an image in another account', () => {
  let proxy: AwsProxy;
  let dir: string;

  beforeAll(async () => {
    await createRepository(registry, 'shared/build-images');
    await putImage(registry, 'shared/build-images', 'node20');
    proxy = await startAwsProxy({ moto: endpoint });
    dir = await copyEbFixture('cross-account-image', join(tmp.path, 'cross'), { account, registryAccount, role: ROLE, region: REGION });
  });

  afterAll(async () => {
    await proxy?.close();
  });

  it('fails pull-mode with the copy or replicate advice', async () => {
    const { code, report } = await doctorJson(['--buildspec', join(dir, 'buildspec.yml')], tmp.path, { ...env, AWS_ENDPOINT_URL: proxy.endpoint });
    expect(code).toBe(1);
    const [mode] = resultsOf(report, 'pull-mode', 'fail');
    expect(mode?.subject).toBe('eb:my-web-app');
    expect(mode?.message).toContain(registryAccount);
    expect(mode?.message).toMatch(/eb deploy cannot use this image/);
    expect(mode?.fix?.description).toMatch(/Copy or replicate the image into an ECR repository in account \d{12}/);
    expect(mode?.fix?.account).toBe(account);
    // Through the proxy the registry account's repository is really read (as AWS would route it).
    expect(proxy.requests.some((r) => r.account === registryAccount)).toBe(true);
    expect(resultsOf(report, 'repository-exists', 'pass')).toHaveLength(1);
  });
});

describe('a malformed buildspec', () => {
  it('exits 2 with file:line:col and no stack trace', async () => {
    const file = join(REPO_ROOT, 'fixtures', 'eb', 'malformed-yaml', 'buildspec.yml');
    for (const [args, cwd] of [
      [['doctor', '--buildspec', file], REPO_ROOT],
      [['doctor'], join(REPO_ROOT, 'fixtures', 'eb', 'malformed-yaml')],
    ] as const) {
      const run = await runCli(args, { cwd, env: { AWS_REGION: REGION } });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      const { errorLines, hasStack } = describeStderr(run.stderr);
      expect(errorLines).toHaveLength(1);
      expect(errorLines[0]).toMatch(/buildspec\.yml:\d+:\d+: /);
      expect(hasStack).toBe(false);
    }
  });
});
