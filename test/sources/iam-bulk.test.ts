// The account-wide IAM read (GetAccountAuthorizationDetails, issue 15 item 3) against moto 5.2,
// compared with the per-role reads of the same roles: the Facts must be identical. moto 5.2
// implements the Role and LocalManagedPolicy filters, URL-encodes RolePolicyList and
// PolicyVersionList documents (as AWS does), returns PermissionsBoundary, and never pages
// (IsTruncated false); paging by Marker and AccessDenied are shown through the fault proxy
// answering as the IAM API Reference documents (GetAccountAuthorizationDetails: MaxItems,
// Marker, IsTruncated; "Common Errors": AccessDenied, 403).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AttachRolePolicyCommand, CreatePolicyVersionCommand } from '@aws-sdk/client-iam';
import { readRoles } from '../../src/sources/live/iam-bulk.js';
import { readRole } from '../../src/sources/live/iam.js';
import { nextAccountIds } from '../support/accounts.js';
import { createRole, makeTestClients } from '../support/aws.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';

const endpoint = inject('motoEndpoint');
const [account = '', other = ''] = nextAccountIds(2);
const moto = makeTestClients(endpoint, account);
const PULL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: `arn:aws:ecr:us-east-1:${account}:repository/app*` }] };
const TOKEN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }] };
const BOUNDARY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] };
const AWS_READ_ONLY = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly';

let proxy: FaultProxy;
let counted: ReturnType<typeof makeTestClients>;
const arns: string[] = [];

beforeAll(async () => {
  proxy = await startFaultProxy(endpoint, () => 'pass');
  counted = makeTestClients(proxy.endpoint, account);
  arns.push(await createRole(moto, 'bulk-inline', { inline: { pull: PULL, token: TOKEN } }));
  arns.push(await createRole(moto, 'bulk-managed', { managed: { 'bulk-managed-pull': PULL }, path: '/service-role/' }));
  arns.push(await createRole(moto, 'bulk-boundary', { inline: { token: TOKEN }, boundary: BOUNDARY }));
  arns.push(await createRole(moto, 'bulk-aws-managed'));
  await moto.iam.send(new AttachRolePolicyCommand({ RoleName: 'bulk-aws-managed', PolicyArn: AWS_READ_ONLY }));
  // A second version set as default: the bulk read must take IsDefaultVersion, not the first.
  const managedArn = `arn:aws:iam::${account}:policy/bulk-managed-pull`;
  await moto.iam.send(new CreatePolicyVersionCommand({ PolicyArn: managedArn, PolicyDocument: JSON.stringify({ ...PULL, Statement: [...PULL.Statement, TOKEN.Statement[0]] }), SetAsDefault: true }));
  await moto.iam.send(new AttachRolePolicyCommand({ RoleName: 'bulk-inline', PolicyArn: managedArn }));
  await moto.iam.send(new AttachRolePolicyCommand({ RoleName: 'bulk-inline', PolicyArn: AWS_READ_ONLY }));
});
afterAll(() => proxy.close());

const count = (from: number) => {
  const out: Record<string, number> = {};
  for (const c of proxy.calls.slice(from)) out[c] = (out[c] ?? 0) + 1;
  return out;
};

describe('GetAccountAuthorizationDetails against moto', () => {
  it('gives exactly the RoleFacts of the per-role reads, for inline, managed (default version), boundary, AWS managed and missing roles', async () => {
    const all = [...arns, `arn:aws:iam::${account}:role/bulk-does-not-exist`];
    const perRole = await Promise.all(all.map((arn) => readRole(moto.iam, arn)));
    const from = proxy.calls.length;
    const bulk = await readRoles(counted.iam, all, Promise.resolve(account), new Map());
    expect(bulk).toEqual(perRole);
    // Sanity: the comparison is not between two empty reads.
    expect(bulk[0]?.inlinePolicies).toMatchObject({ state: 'present', value: [{ name: 'pull' }, { name: 'token' }] });
    expect(bulk[1]?.attachedPolicies).toMatchObject({ state: 'present', value: [{ name: 'bulk-managed-pull', document: expect.stringContaining('GetAuthorizationToken') }] });
    expect(bulk[2]?.permissionsBoundary).toMatchObject({ state: 'present', value: { name: 'bulk-boundary-boundary' } });
    expect(bulk[3]?.attachedPolicies).toMatchObject({ state: 'present', value: [{ arn: AWS_READ_ONLY }] });
    expect(bulk[4]?.role).toEqual({ state: 'absent' });
    // One account-wide read; the AWS managed policy (attached to two roles) read once, per policy.
    expect(count(from)).toEqual({ 'iam:GetAccountAuthorizationDetails': 1, 'iam:GetPolicy': 1, 'iam:GetPolicyVersion': 1 });
  });
  it('asks for roles and customer managed policies only, 1,000 a page', async () => {
    const asked: string[] = [];
    const spy = makeTestClients(endpoint, account);
    spy.iam.middlewareStack.add((next) => async (args) => {
      asked.push(String((args.request as { body?: unknown }).body ?? ''));
      return next(args);
    }, { step: 'finalizeRequest', name: 'spyBody' });
    await readRoles(spy.iam, arns, Promise.resolve(account), new Map());
    const form = new URLSearchParams(asked.find((b) => b.includes('Action=GetAccountAuthorizationDetails')));
    expect([form.get('Action'), form.get('Filter.member.1'), form.get('Filter.member.2'), form.get('MaxItems')]).toEqual(['GetAccountAuthorizationDetails', 'Role', 'LocalManagedPolicy', '1000']);
  });
  it('3 roles or fewer: the per-role reads, no account-wide read', async () => {
    const from = proxy.calls.length;
    const three = await readRoles(counted.iam, arns.slice(0, 3), Promise.resolve(account), new Map());
    expect(three).toEqual(await Promise.all(arns.slice(0, 3).map((arn) => readRole(moto.iam, arn))));
    expect(count(from)['iam:GetAccountAuthorizationDetails']).toBeUndefined();
    expect(count(from)['iam:GetRole']).toBe(3);
  });
  it("another account's role is unreadable, and does not count towards the threshold", async () => {
    const from = proxy.calls.length;
    const foreign = `arn:aws:iam::${other}:role/x`;
    const read = await readRoles(counted.iam, [...arns.slice(0, 3), foreign], Promise.resolve(account), new Map());
    expect(read[3]?.role).toMatchObject({ state: 'unreadable', reason: expect.stringContaining(`account ${other}`) });
    expect(count(from)['iam:GetAccountAuthorizationDetails']).toBeUndefined();
  });
});

describe('GetAccountAuthorizationDetails against documented answers', () => {
  const role = (n: number) => `<member><RoleName>bulk-page-${n}</RoleName><Path>/</Path><Arn>arn:aws:iam::${account}:role/bulk-page-${n}</Arn><RolePolicyList><member><PolicyName>p</PolicyName><PolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D</PolicyDocument></member></RolePolicyList><AttachedManagedPolicies/></member>`;
  const page = (roles: string, marker?: string) =>
    `<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountAuthorizationDetailsResult><RoleDetailList>${roles}</RoleDetailList><Policies/><IsTruncated>${marker ? 'true' : 'false'}</IsTruncated>${marker ? `<Marker>${marker}</Marker>` : ''}</GetAccountAuthorizationDetailsResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetAccountAuthorizationDetailsResponse>`;
  const ARNS = [1, 2, 3, 4].map((n) => `arn:aws:iam::${account}:role/bulk-page-${n}`);

  it('pages by Marker while IsTruncated, and decodes the URL-encoded documents', async () => {
    const paging = await startFaultProxy(endpoint, (call, nth) => (call !== 'iam:GetAccountAuthorizationDetails' ? 'pass' : { respond: nth === 0 ? page(role(1) + role(2), 'next-page') : page(role(3) + role(4)) }));
    try {
      const read = await readRoles(makeTestClients(paging.endpoint, account).iam, ARNS, Promise.resolve(account), new Map());
      expect(paging.calls).toEqual(['iam:GetAccountAuthorizationDetails', 'iam:GetAccountAuthorizationDetails']);
      expect(read.map((r) => r.role.state)).toEqual(['present', 'present', 'present', 'present']);
      expect(read[3]?.inlinePolicies).toEqual({ state: 'present', value: [{ name: 'p', document: '{"Version":"2012-10-17"}' }] });
      expect(read[3]?.attachedPolicies).toEqual({ state: 'present', value: [] });
    } finally {
      await paging.close();
    }
  });
  it('the second page asks with the Marker the first gave', async () => {
    const bodies: string[] = [];
    const paging = await startFaultProxy(endpoint, (call, nth) => (call !== 'iam:GetAccountAuthorizationDetails' ? 'pass' : { respond: nth === 0 ? page(role(1), 'next-page') : page(role(2) + role(3) + role(4)) }));
    try {
      const iam = makeTestClients(paging.endpoint, account).iam;
      iam.middlewareStack.add((next) => async (args) => {
        bodies.push(String((args.request as { body?: unknown }).body ?? ''));
        return next(args);
      }, { step: 'finalizeRequest', name: 'spyBody' });
      await readRoles(iam, ARNS, Promise.resolve(account), new Map());
      expect(bodies.map((b) => new URLSearchParams(b).get('Marker'))).toEqual([null, 'next-page']);
    } finally {
      await paging.close();
    }
  });
});

describe('a refused account-wide read falls back to the per-role reads, never an all-clear', () => {
  it('AccessDenied on iam:GetAccountAuthorizationDetails: the roles read one by one, and --verbose says so', async () => {
    const denying = await startFaultProxy(endpoint, (call) => (call === 'iam:GetAccountAuthorizationDetails' ? 'deny' : 'pass'));
    try {
      const clients = makeTestClients(denying.endpoint, account);
      const lines: string[] = [];
      const read = await readRoles(clients.iam, arns, Promise.resolve(account), new Map(), { warn: (l) => lines.push(l) });
      expect(read).toEqual(await Promise.all(arns.map((arn) => readRole(moto.iam, arn))));
      expect(denying.calls.filter((c) => c === 'iam:GetRole')).toHaveLength(arns.length);
      expect(lines).toEqual([expect.stringMatching(/^AccessDenied on iam:GetAccountAuthorizationDetails: reading the 4 roles one by one/)]);
    } finally {
      await denying.close();
    }
  });
});
