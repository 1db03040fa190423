// Issue 12, item 3 (fix side): AccessDenied on the write says nothing was written and names the
// missing permission in a hint. moto enforces IAM only server-wide (test/support/moto-auth.ts),
// so this file runs its own server: set up with auth off, then switch it on.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionsPolicy } from '../../src/permissions/aws-calls.js';
import { createProject, createRepository, createRole, makeTestClients, putImage, type TestClients } from '../support/aws.js';
import { createCliAccount, type CliAccount } from '../support/cli-account.js';
import { runCli } from '../support/cli.js';
import { enableIamAuth } from '../support/moto-auth.js';
import { startMotoServer, type MotoServer } from '../support/moto-server.js';

const ACCOUNT = '864209753124';
const unrelated = { Sid: 'CiPush', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ci` }, Action: ['ecr:PutImage'] };

let server: MotoServer;
let admin: TestClients;
/** The same account through a moto-created admin key: the only kind moto accepts once auth is on. */
let signedAdmin: TestClients;
let readOnly: CliAccount;
let work: string;

beforeAll(async () => {
  server = await startMotoServer();
  work = await mkdtemp(join(tmpdir(), 'ecr-doctor-denied-write-'));
  admin = makeTestClients(server.endpoint, ACCOUNT);
  const role = await createRole(admin, 'denied-write-build', { path: '/service-role/' });
  await createRepository(admin, 'denied-write', { Version: '2012-10-17', Statement: [unrelated] });
  await putImage(admin, 'denied-write', 'v1');
  await createProject(admin, { name: 'denied-write', image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/denied-write:v1`, serviceRoleArn: role });
  // Everything doctor reads, none of fix's writes.
  readOnly = await createCliAccount(admin, { userName: 'reads-only', policy: permissionsPolicy(false) });
  const adminKey = await createCliAccount(admin, { userName: 'admin' });
  signedAdmin = makeTestClients(server.endpoint, ACCOUNT, { accessKeyId: adminKey.accessKeyId, secretAccessKey: adminKey.secretAccessKey });
  await enableIamAuth(server.endpoint);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await server?.stop();
});

describe('fix --yes without ecr:SetRepositoryPolicy', () => {
  it('says nothing was written and names the permission in a hint; exit 3', async () => {
    const home = await mkdtemp(join(work, 'home-'));
    const before = (await signedAdmin.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'denied-write' }))).policyText;
    const r = await runCli(['fix', '--project', 'denied-write', '--yes'], { env: { ...readOnly.env, HOME: home }, cwd: work });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^error: update the repository policy of denied-write .*: cannot write the repository policy of denied-write: AccessDenied on ecr:SetRepositoryPolicy; nothing was written$/m);
    expect(r.stderr).toMatch(new RegExp(`^hint: grant ecr:SetRepositoryPolicy on arn:aws:ecr:us-east-1:${ACCOUNT}:repository/denied-write to the identity running ecr-doctor`, 'm'));
    expect(r.stderr).not.toMatch(/may (or may not )?have been applied|this is a bug/);
    expect((await signedAdmin.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'denied-write' }))).policyText).toBe(before);
    // The backup made before the attempt is still there.
    expect(await readdir(join(home, '.ecr-doctor', 'backups'))).toHaveLength(1);
  });
});
