import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TagResourceCommand } from '@aws-sdk/client-ecr';
import { nextAccountId } from '../support/accounts.js';
import { createProject, createRepository, createRole, makeTestClients, putImage, type TestClients } from '../support/aws.js';
import { createCliAccount, type CliAccount } from '../support/cli-account.js';
import { runCliJson, type JsonReport } from '../support/cli.js';
import { awsJsonError, startRegistryProxy, type ProxyAnswer, type ProxiedRequest, type RegistryProxy } from '../support/registry-proxy.js';

// Issue 11: what ECR itself decides, end to end through the spawned CLI against moto. Where moto
// cannot show what AWS does, the registry proxy answers itself, as the API reference documents:
// - GetAccountSetting (moto 5.2 lacks it): ECR API Reference, "GetAccountSetting", response
//   {"name": "REGISTRY_POLICY_SCOPE", "value": "V1" | "V2"}.
// - ARCHIVED images (moto never returns them): ECR API Reference, "DescribeImages" and
//   "DescribeImagesFilter": without filter.imageStatus only ACTIVE images are returned; an
//   ImageDetail carries imageStatus ARCHIVED.
// - Another account's repository the caller may not read: AWS answers AccessDeniedException
//   (ECR API Reference, "Common Errors"); moto answers RepositoryNotFoundException.
// - GetRegistryPolicy with pull actions: moto 5.2's PutRegistryPolicy accepts only the V1 actions
//   (ecr:CreateRepository, ecr:ReplicateImage; InvalidParameterException "Invalid registry policy
//   provided" otherwise), so a V2 policy is served by the proxy: ECR API Reference,
//   "GetRegistryPolicy", response {"registryId", "policyText"}. Without one, moto answers
//   RegistryPolicyNotFoundException, as AWS does.

const endpoint = inject('motoEndpoint');
const REGION = 'us-east-1';
const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
const policy = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });

/** Per CLI access key: the registry policy scope GetAccountSetting answers. */
const scopes = new Map<string, 'V1' | 'V2'>();
/** Per CLI access key: the registry policy GetRegistryPolicy answers. */
const registryPolicies = new Map<string, { registryId: string; text: string }>();
/** Per CLI access key: the registry ids whose ECR reads AWS would deny. */
const deniedRegistries = new Map<string, Set<string>>();
/** Per CLI access key: tags that are ARCHIVED. */
const archivedTags = new Map<string, Set<string>>();
const describeImagesFilters: unknown[] = [];

function answer(seen: ProxiedRequest, body: Record<string, unknown> | undefined): ProxyAnswer | undefined {
  if (seen.service !== 'ecr' || !seen.accessKeyId) return undefined;
  const key = seen.accessKeyId;
  if (seen.operation === 'GetAccountSetting') {
    const scope = scopes.get(key);
    return scope ? { status: 200, body: { name: 'REGISTRY_POLICY_SCOPE', value: scope } } : undefined;
  }
  if (seen.operation === 'GetRegistryPolicy') {
    const p = registryPolicies.get(key);
    return p ? { status: 200, body: { registryId: p.registryId, policyText: p.text } } : undefined;
  }
  if (seen.registryId && deniedRegistries.get(key)?.has(seen.registryId)) {
    const repo = typeof body?.['repositoryName'] === 'string' ? body['repositoryName'] : (body?.['repositoryNames'] as string[] | undefined)?.[0] ?? '*';
    return awsJsonError('AccessDeniedException', `User: arn:aws:iam::000000000000:user/doctor is not authorized to perform: ecr:${seen.operation} on resource: arn:aws:ecr:${REGION}:${seen.registryId}:repository/${repo} because no resource-based policy allows the ecr:${seen.operation} action`);
  }
  if (seen.operation === 'DescribeImages') {
    const tag = (body?.['imageIds'] as Array<{ imageTag?: string }> | undefined)?.[0]?.imageTag;
    if (!tag || !archivedTags.get(key)?.has(tag)) return undefined;
    const filter = body?.['filter'] as { imageStatus?: string } | undefined;
    describeImagesFilters.push(filter);
    // Unfiltered: ACTIVE images only, so the archived tag is "not found", as on AWS.
    if (filter?.imageStatus !== 'ANY' && filter?.imageStatus !== 'ARCHIVED') {
      return awsJsonError('ImageNotFoundException', `The image with imageId {imageDigest:'null', imageTag:'${tag}'} does not exist within the repository`);
    }
    return {
      status: 200,
      body: {
        imageDetails: [
          { registryId: seen.registryId, repositoryName: body?.['repositoryName'], imageDigest: `sha256:${'a'.repeat(64)}`, imageTags: [tag], imagePushedAt: 1767225600, imageSizeInBytes: 123456, imageStatus: 'ARCHIVED', lastArchivedAt: 1769904000 },
        ],
      },
    };
  }
  return undefined;
}

let proxy: RegistryProxy;
beforeAll(async () => {
  proxy = await startRegistryProxy(endpoint, { answer });
});
afterAll(async () => {
  await proxy?.stop();
});

interface World {
  account: string;
  clients: TestClients;
  cli: CliAccount;
  image(repo: string, tag: string, account?: string): string;
}

async function world(scope?: 'V1' | 'V2'): Promise<World> {
  const account = nextAccountId();
  const clients = makeTestClients(endpoint, account);
  const cli = await createCliAccount(clients, { endpoint: proxy.endpoint });
  if (scope) scopes.set(cli.accessKeyId, scope);
  return { account, clients, cli, image: (repo, tag, acct = account) => `${acct}.dkr.ecr.${REGION}.amazonaws.com/${repo}:${tag}` };
}

const codebuildGrant = (account: string) => ({
  Sid: 'CodeBuildPull',
  Effect: 'Allow',
  Principal: { Service: 'codebuild.amazonaws.com' },
  Action: PULL,
  Condition: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': `arn:aws:codebuild:${REGION}:${account}:project/*` } },
});

async function codebuildProject(w: World, name: string, image: string): Promise<void> {
  const roleArn = await createRole(w.clients, `${name}-role`, { path: '/service-role/' });
  await createProject(w.clients, { name, image, serviceRoleArn: roleArn });
}

async function doctor(w: World, project: string): Promise<JsonReport> {
  const run = await runCliJson<JsonReport>(['doctor', '--project', project, '--format', 'json'], { env: w.cli.env });
  expect([0, 1, 3], run.stderr).toContain(run.code);
  return run.json;
}

const result = (report: JsonReport, check: string) => report.results.find((r) => r.check === check);

describe('registry policy (scope V2 answered by the proxy, policy by moto)', () => {
  it('a V2 registry Deny on ecr:BatchGetImage turns a repository-policy pass into a failure naming the registry statement', async () => {
    const w = await world('V2');
    await createRepository(w.clients, 'app/build', policy(codebuildGrant(w.account)));
    await putImage(w.clients, 'app/build', 'v1');
    await codebuildProject(w, 'reg-deny', w.image('app/build', 'v1'));
    expect(result(await doctor(w, 'reg-deny'), 'codebuild-principal-can-pull')?.status).toBe('pass');

    registryPolicies.set(w.cli.accessKeyId, { registryId: w.account, text: JSON.stringify(policy({ Sid: 'NoPulls', Effect: 'Deny', Principal: '*', Action: 'ecr:BatchGetImage', Resource: '*' })) });
    const r = result(await doctor(w, 'reg-deny'), 'codebuild-principal-can-pull');
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain(`statement "NoPulls" (#0) of the registry policy of account ${w.account} (us-east-1) denies ecr:BatchGetImage`);
  }, 60_000);

  it('a V2 registry Allow for the service principal turns a failure into a pass', async () => {
    const w = await world('V2');
    await createRepository(w.clients, 'app/build');
    await putImage(w.clients, 'app/build', 'v1');
    await codebuildProject(w, 'reg-allow', w.image('app/build', 'v1'));
    expect(result(await doctor(w, 'reg-allow'), 'codebuild-principal-can-pull')?.status).toBe('fail');

    registryPolicies.set(w.cli.accessKeyId, { registryId: w.account, text: JSON.stringify(policy({ ...codebuildGrant(w.account), Sid: 'RegistryPull', Resource: `arn:aws:ecr:${REGION}:${w.account}:repository/*` })) });
    const r = result(await doctor(w, 'reg-allow'), 'codebuild-principal-can-pull');
    expect(r?.status).toBe('pass');
    expect(r?.message).toContain(`statement "RegistryPull" (#0) of the registry policy of account ${w.account} (us-east-1)`);
  }, 60_000);

  it('under V1 the same Deny does not apply to pulls, and the result says so', async () => {
    const w = await world('V1');
    await createRepository(w.clients, 'app/build', policy(codebuildGrant(w.account)));
    await putImage(w.clients, 'app/build', 'v1');
    await codebuildProject(w, 'reg-v1', w.image('app/build', 'v1'));
    registryPolicies.set(w.cli.accessKeyId, { registryId: w.account, text: JSON.stringify(policy({ Sid: 'NoPulls', Effect: 'Deny', Principal: '*', Action: 'ecr:BatchGetImage', Resource: '*' })) });
    const r = result(await doctor(w, 'reg-v1'), 'codebuild-principal-can-pull');
    expect(r?.status).toBe('pass');
    expect(r?.message).toContain('scope V1');
  }, 60_000);

  it('without GetAccountSetting (moto alone) a registry Deny that would decide is an error naming ecr:GetAccountSetting, never a pass', async () => {
    const w = await world();
    await createRepository(w.clients, 'app/build', policy(codebuildGrant(w.account)));
    await putImage(w.clients, 'app/build', 'v1');
    await codebuildProject(w, 'reg-unknown', w.image('app/build', 'v1'));
    registryPolicies.set(w.cli.accessKeyId, { registryId: w.account, text: JSON.stringify(policy({ Sid: 'NoPulls', Effect: 'Deny', Principal: '*', Action: 'ecr:BatchGetImage', Resource: '*' })) });
    const r = result(await doctor(w, 'reg-unknown'), 'codebuild-principal-can-pull');
    expect(r?.status).toBe('error');
    expect(r?.message).toContain('needs ecr:GetAccountSetting');
  }, 60_000);
});

describe('what moto cannot show, answered as the API reference documents', () => {
  it('an archived tag fails as archived (the doctor asks DescribeImages with imageStatus ANY), with the restore command', async () => {
    const w = await world('V2');
    archivedTags.set(w.cli.accessKeyId, new Set(['old']));
    await createRepository(w.clients, 'app/build', policy(codebuildGrant(w.account)));
    await putImage(w.clients, 'app/build', 'v1');
    await codebuildProject(w, 'archived', w.image('app/build', 'old'));
    const r = result(await doctor(w, 'archived'), 'image-exists');
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('is ARCHIVED and cannot be pulled until it is restored');
    expect(r?.fix?.command).toBe(`aws ecr update-image-storage-class --registry-id ${w.account} --region us-east-1 --repository-name app/build --image-id imageTag=old --target-storage-class STANDARD`);
    expect(describeImagesFilters).toContainEqual({ imageStatus: 'ANY' });
  }, 60_000);

  it("another account's repository the caller may not read says \"cannot read from this account\", never \"does not exist\"", async () => {
    const w = await world('V2');
    const owner = nextAccountId();
    const ownerClients = makeTestClients(endpoint, owner);
    await createRepository(ownerClients, 'shared/build');
    await putImage(ownerClients, 'shared/build', 'v1');
    deniedRegistries.set(w.cli.accessKeyId, new Set([owner]));
    const roleArn = await createRole(w.clients, 'xacct-role', {
      path: '/service-role/',
      inline: { pull: policy({ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }, { Effect: 'Allow', Action: PULL, Resource: `arn:aws:ecr:${REGION}:${owner}:repository/shared/build` }) },
    });
    await createProject(w.clients, { name: 'xacct', image: w.image('shared/build', 'v1', owner), serviceRoleArn: roleArn, imagePullCredentialsType: 'SERVICE_ROLE' });
    const report = await doctor(w, 'xacct');
    const repo = result(report, 'repository-exists');
    expect(repo?.status).toBe('error');
    expect(repo?.message).toContain('cannot read from this account');
    expect(repo?.message).toContain('AccessDenied on ecr:DescribeRepositories');
    expect(report.results.map((x) => x.message).join('\n')).not.toMatch(/does not exist in account/);
    // The role's own half is still judged; the owner's half is said to be unreadable.
    const role = report.results.filter((x) => x.check === 'service-role-can-pull');
    expect(role.map((x) => x.status)).toEqual(['pass', 'error']);
    expect(role[1]?.message).toContain(`cannot be read from account ${w.account}`);
  }, 60_000);
});

describe('resource tags (moto: TagResource / ListTagsForResource work as on AWS)', () => {
  it('a grant conditioned on aws:ResourceTag/team passes or fails by the repository\'s real tag, with no "cannot decide"', async () => {
    const w = await world('V2');
    const grant = { ...codebuildGrant(w.account), Condition: { ...codebuildGrant(w.account).Condition, StringEquals: { 'aws:SourceAccount': w.account, 'aws:ResourceTag/team': 'platform' } } };
    for (const [repo, team] of [['team/platform', 'platform'], ['team/data', 'data']] as const) {
      const { repositoryArn } = await createRepository(w.clients, repo, policy(grant));
      await w.clients.ecr.send(new TagResourceCommand({ resourceArn: repositoryArn, tags: [{ Key: 'team', Value: team }] }));
      await putImage(w.clients, repo, 'v1');
      await codebuildProject(w, `tags-${team}`, w.image(repo, 'v1'));
    }
    const ok = result(await doctor(w, 'tags-platform'), 'codebuild-principal-can-pull');
    expect(ok?.status).toBe('pass');
    const no = result(await doctor(w, 'tags-data'), 'codebuild-principal-can-pull');
    expect(no?.status).toBe('fail');
    expect(no?.message).not.toMatch(/cannot decide/i);
  }, 60_000);

  it('a SERVICE_ROLE grant conditioned on aws:ResourceTag in the role\'s own policy (ABAC) is decided by the tags, read because the role policy names the key', async () => {
    const w = await world();
    const { repositoryArn } = await createRepository(w.clients, 'abac/app');
    await w.clients.ecr.send(new TagResourceCommand({ resourceArn: repositoryArn, tags: [{ Key: 'team', Value: 'platform' }] }));
    await putImage(w.clients, 'abac/app', 'v1');
    for (const team of ['platform', 'data']) {
      const roleArn = await createRole(w.clients, `abac-${team}-role`, {
        path: '/service-role/',
        inline: {
          pull: policy(
            { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
            { Effect: 'Allow', Action: PULL, Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': team } } },
          ),
        },
      });
      await createProject(w.clients, { name: `abac-${team}`, image: w.image('abac/app', 'v1'), serviceRoleArn: roleArn, imagePullCredentialsType: 'SERVICE_ROLE' });
    }
    expect(result(await doctor(w, 'abac-platform'), 'service-role-can-pull')?.status).toBe('pass');
    const no = result(await doctor(w, 'abac-data'), 'service-role-can-pull');
    expect(no?.status).toBe('fail');
    expect(no?.message).not.toMatch(/cannot decide/i);
  }, 60_000);
});
