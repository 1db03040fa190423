import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, createRole, makeTestClients, putImage } from '../../support/aws.js';
import { createCliAccount, type CliAccount } from '../../support/cli-account.js';
import { runCli, runCliJson, type JsonReport } from '../../support/cli.js';
import { startMotoServer, type MotoServer } from '../../support/moto-server.js';
import { REPO_ROOT } from '../../cli/spawn.js';

// --live with infrastructure code, against moto through the real SDK clients: what the template
// refers to but does not define (a repository and a role that exist already) is read from AWS.
let server: MotoServer;
let cli: CliAccount;
const account = '246813579024';
const template = join(REPO_ROOT, 'fixtures', 'cloudformation', 'hybrid', 'existing-repository.yaml');
const roleArn = `arn:aws:iam::${account}:role/hybrid-role`;

beforeAll(async () => {
  server = await startMotoServer();
  const clients = makeTestClients(server.endpoint, account);
  cli = await createCliAccount(clients);
  await createRepository(clients, 'shared/base');
  await putImage(clients, 'shared/base', '1.0');
  await createRole(clients, 'hybrid-role', { inline: { pull: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: '*' }] } } });
});
afterAll(async () => {
  await server?.stop();
});

const statusOf = (report: JsonReport, check: string) => report.results.find((r) => r.check === check);

describe('doctor --cloudformation --live', () => {
  it('offline, what the template does not define is unknown: errors naming --live, never passes', async () => {
    const r = await runCliJson<JsonReport>(['doctor', '--cloudformation', template, '--parameter', `RoleArn=${roleArn}`, '--parameter', `AWS::AccountId=${account}`, '--format', 'json']);
    expect(r.code).toBe(3);
    expect(statusOf(r.json, 'repository-exists')?.status).toBe('error');
    expect(statusOf(r.json, 'repository-exists')?.message).toContain('--live');
    expect(statusOf(r.json, 'service-role-can-pull')?.status).not.toBe('pass');
  });

  it('with --live the account, the repository, its image and the role are read from AWS and merged', async () => {
    const r = await runCliJson<JsonReport>(['doctor', '--cloudformation', template, '--parameter', `RoleArn=${roleArn}`, '--live', '--region', 'us-east-1', '--format', 'json', '--verbose'], { env: cli.env });
    expect(r.stderr).toContain('shared/base: read from AWS (not defined in the code)');
    // The template defines no registry policy: the account's own is read (a registry the code defines keeps its policy).
    expect(r.stderr).toContain(`registry ${account} (us-east-1): policy read from AWS (not defined in the code)`);
    expect(statusOf(r.json, 'repository-exists')?.status).toBe('pass');
    expect(statusOf(r.json, 'image-exists')?.status).toBe('pass');
    expect(statusOf(r.json, 'service-role-can-pull')?.status).toBe('pass');
    expect(statusOf(r.json, 'repository-exists')?.evidence).toMatchObject({ source: 'live' });
    expect(statusOf(r.json, 'project-found')?.subject).toBe(`arn:aws:codebuild:us-east-1:${account}:project/hybrid-build`);
    expect(r.code).toBe(0);
  });

  it('--live without infrastructure code is a usage error', async () => {
    const r = await runCli(['doctor', '--live', '--project', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --live goes with --terraform-plan/);
  });
});
