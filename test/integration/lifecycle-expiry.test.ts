import { beforeAll, describe, expect, inject, it } from 'vitest';
import { PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { nextAccountId } from '../support/accounts.js';
import { createProject, createRepository, createRole, makeTestClients, putImage } from '../support/aws.js';
import { createCliAccount, type CliAccount } from '../support/cli-account.js';
import { runCliJson, type JsonReport } from '../support/cli.js';

// Issue 11 item 4, end to end through the spawned CLI against moto (PutLifecyclePolicy,
// GetLifecyclePolicy and DescribeImages are implemented by moto 5.2). moto stamps every push
// "now", so the rules here count images (imageCountMoreThan); moto, like ECR, refuses a
// countNumber below 1, so sinceImagePushed cannot show "already eligible" here (unit tests do).

const endpoint = inject('motoEndpoint');
const account = nextAccountId();
const clients = makeTestClients(endpoint, account);
const REGION = 'us-east-1';
const grant = { Version: '2012-10-17', Statement: [{ Sid: 'CodeBuildPull', Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }] };
const image = (repo: string, tag: string) => `${account}.dkr.ecr.${REGION}.amazonaws.com/${repo}:${tag}`;
let cli: CliAccount;

async function lifecycleResult(project: string) {
  const run = await runCliJson<JsonReport>(['doctor', '--project', project, '--format', 'json'], { env: cli.env });
  return run.json.results.find((r) => r.check === 'lifecycle-expiry');
}

beforeAll(async () => {
  cli = await createCliAccount(clients);
  const roleArn = await createRole(clients, 'lifecycle-role', { path: '/service-role/' });
  await createRepository(clients, 'lc/builds', grant);
  for (const tag of ['b-1', 'b-2', 'b-3', 'release']) await putImage(clients, 'lc/builds', tag);
  await clients.ecr.send(new PutLifecyclePolicyCommand({
    repositoryName: 'lc/builds',
    lifecyclePolicyText: JSON.stringify({ rules: [{ rulePriority: 1, description: 'keep one build', selection: { tagStatus: 'tagged', tagPrefixList: ['b-'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] }),
  }));
  await createRepository(clients, 'lc/daily', grant);
  await putImage(clients, 'lc/daily', 'nightly');
  await clients.ecr.send(new PutLifecyclePolicyCommand({
    repositoryName: 'lc/daily',
    lifecyclePolicyText: JSON.stringify({ rules: [{ rulePriority: 1, description: 'keep five', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } }] }),
  }));
  await createRepository(clients, 'lc/plain', grant);
  await putImage(clients, 'lc/plain', 'v1');
  await createProject(clients, { name: 'lc-old-build', image: image('lc/builds', 'b-1'), serviceRoleArn: roleArn });
  await createProject(clients, { name: 'lc-release', image: image('lc/builds', 'release'), serviceRoleArn: roleArn });
  await createProject(clients, { name: 'lc-nightly', image: image('lc/daily', 'nightly'), serviceRoleArn: roleArn });
  await createProject(clients, { name: 'lc-plain', image: image('lc/plain', 'v1'), serviceRoleArn: roleArn });
});

describe('lifecycle-expiry through the CLI (moto)', () => {
  it('warns that the project tag is already eligible under the rule, naming it', async () => {
    const r = await lifecycleResult('lc-old-build');
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain("rule 1 'keep one build'");
    expect(r?.message).toContain('tag b-1');
    expect(r?.message).toContain('already eligible for expiry');
  });
  it('passes a tag no rule selects', async () => {
    expect((await lifecycleResult('lc-release'))?.status).toBe('pass');
  });
  it('warns how many more pushes the tag survives', async () => {
    const r = await lifecycleResult('lc-nightly');
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain("rule 1 'keep five' of lc/daily will expire the tag nightly after 5 more pushes");
  });
  it('skips a repository without a lifecycle policy', async () => {
    expect((await lifecycleResult('lc-plain'))?.status).toBe('skip');
  });
});
