// --verbose against moto: on stderr, who ecr-doctor runs as (the caller ARN), the region and
// endpoint and where they came from, how the credentials were chosen, and how long the reads
// took; never a secret. The report on stdout is unchanged.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { nextAccountId } from '../support/accounts.js';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import { createProject, createRepository, createRole, makeTestClients, motoAccountPlugin, putImage, TEST_CREDENTIALS, type TestClients } from '../support/aws.js';
import { awsEnv, createCliCredentials, writeCredentialsFile, type CliCredentials } from './cli-account.js';
import { parseReport } from './json-report.js';
import { makeTempDir, runCli, type TempDir } from './spawn.js';

const endpoint = inject('motoEndpoint');
const account = nextAccountId();
const aws = makeTestClients(endpoint, account);
const USER = 'ecr-doctor-verbose';

let tmp: TempDir;
let creds: CliCredentials;
let env: Record<string, string>;

beforeAll(async () => {
  tmp = await makeTempDir('ecr-doctor-verbose-');
  creds = await createCliCredentials(aws, USER);
  env = awsEnv(endpoint, creds);
  const role = await createRole(aws, 'verbose-role', { path: '/service-role/' });
  for (const [region, clients] of [['us-east-1', aws], ['us-west-2', clientsIn('us-west-2')]] as const) {
    await createRepository(clients, 'verbose-app');
    await putImage(clients, 'verbose-app', 'v1');
    await createProject(clients, { name: 'verbose-build', image: `${account}.dkr.ecr.${region}.amazonaws.com/verbose-app:v1`, serviceRoleArn: role });
  }
});

/** The test account's ECR and CodeBuild in another region (IAM and STS are global). */
function clientsIn(region: string): TestClients {
  const config = { region, credentials: TEST_CREDENTIALS, endpoint, maxAttempts: 1 };
  const ecr = new ECRClient(config);
  const codebuild = new CodeBuildClient(config);
  ecr.middlewareStack.use(motoAccountPlugin(account));
  codebuild.middlewareStack.use(motoAccountPlugin(account));
  return { ...aws, ecr, codebuild };
}

afterAll(async () => {
  await tmp?.remove();
});

function expectNoSecret(stderr: string): void {
  expect(stderr).not.toContain(creds.secretAccessKey);
  expect(stderr).not.toContain(creds.accessKeyId);
}

describe('doctor --verbose', () => {
  it('says who, where, which credentials and how long, on stderr only', async () => {
    const run = await runCli(['doctor', '--project', 'verbose-build', '--format', 'json', '--verbose'], { cwd: tmp.path, env });
    expect(run.code, run.stderr).toBe(1);
    expect(parseReport(run.stdout).target).toMatchObject({ account });
    expect(run.stderr).toMatch(new RegExp(`^ecr-doctor: caller arn:aws:iam::${account}:user/${USER} \\(account ${account}\\)$`, 'm'));
    expect(run.stderr).toMatch(/^ecr-doctor: region us-east-1 \(from AWS_REGION\); endpoint: AWS_ENDPOINT_URL http:\/\/127\.0\.0\.1:\d+$/m);
    expect(run.stderr).toMatch(/^ecr-doctor: credentials: the SDK's default chain/m);
    expect(run.stderr).toMatch(/^ecr-doctor: credentials resolved by the SDK from environment variables \(AWS_ACCESS_KEY_ID\)$/m);
    expect(run.stderr).toMatch(/^ecr-doctor: read 1 project, 0 builds, 1 repository, 1 role in \d+\.\d\d s$/m);
    expectNoSecret(run.stderr);
  });

  it('before the subcommand too, with a profile from --profile', async () => {
    const files = await writeCredentialsFile(tmp.path, creds, ['ci']);
    const run = await runCli(['--verbose', '--profile', 'ci', 'doctor', '--project', 'verbose-build'], { cwd: tmp.path, env: { ...env, ...files, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined } });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^ecr-doctor: credentials: profile "ci" \(from --profile\)$/m);
    expect(run.stderr).toMatch(/^ecr-doctor: credentials resolved by the SDK from a profile$/m);
    expect(run.stderr).toMatch(new RegExp(`^ecr-doctor: caller arn:aws:iam::${account}:user/${USER} `, 'm'));
    expectNoSecret(run.stderr);
  });

  it('a project ARN in another region is read in that region', async () => {
    const arn = `arn:aws:codebuild:us-west-2:${account}:project/verbose-build`;
    const run = await runCli(['doctor', '--project', arn, '--format', 'json', '-v'], { cwd: tmp.path, env });
    expect(run.stderr).toMatch(/^ecr-doctor: region us-west-2 \(from the target ARN\)/m);
    const report = parseReport(run.stdout);
    expect(report.target).toMatchObject({ region: 'us-west-2' });
    expect(report.results.filter((r) => r.check === 'project-found').map((r) => r.status)).toEqual(['pass']);
  });

  it('without --verbose, stderr stays empty', async () => {
    const run = await runCli(['doctor', '--project', 'verbose-build', '--format', 'json'], { cwd: tmp.path, env });
    expect(run.stderr).toBe('');
  });
});
