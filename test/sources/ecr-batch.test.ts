// Batched ECR reads (issue 15 item 3) against moto through a counting proxy, and, for what moto
// cannot be made to answer (AccessDeniedException; more than 100 names; a not-found message that
// names nothing), a replay server answering as the ECR API Reference documents
// (DescribeRepositories / DescribeImages: 1-100 repositoryNames / imageIds, Errors:
// RepositoryNotFoundException, ImageNotFoundException; "Common Errors": AccessDeniedException).
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ECRClient } from '@aws-sdk/client-ecr';
import { describeImages, describeRepositories, missingImageReference, missingRepositoryName } from '../../src/sources/live/ecr-batch.js';
import { readRepository } from '../../src/sources/live/ecr.js';
import { nextAccountIds } from '../support/accounts.js';
import { createRepository, makeTestClients, putImage, TEST_CREDENTIALS, TEST_REGION } from '../support/aws.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { replayError, startReplayServer, type ReplayServer } from '../support/replay-server.js';

const endpoint = inject('motoEndpoint');
const [account = ''] = nextAccountIds(1);
const moto = makeTestClients(endpoint, account);
const ECR = 'AmazonEC2ContainerRegistry_V20150921.';

let proxy: FaultProxy;
let counted: ReturnType<typeof makeTestClients>;
beforeAll(async () => {
  proxy = await startFaultProxy(endpoint, () => 'pass');
  counted = makeTestClients(proxy.endpoint, account);
  await Promise.all(['batch/a', 'batch/b', 'batch/c'].map((n) => createRepository(moto, n)));
  await putImage(moto, 'batch/a', 'v1');
  await putImage(moto, 'batch/a', 'v2');
});
afterAll(() => proxy.close());

const callsOf = (op: string, from: number) => proxy.calls.slice(from).filter((c) => c === op).length;

describe('DescribeRepositories in batches, against moto', () => {
  it('several names that all exist: one call, each present with its URI', async () => {
    const from = proxy.calls.length;
    const reads = describeRepositories(counted.ecr, account, ['batch/a', 'batch/b', 'batch/c']);
    const facts = await Promise.all([...reads.values()]);
    expect(facts.map((f) => f.state)).toEqual(['present', 'present', 'present']);
    expect(facts[1]).toMatchObject({ value: { uri: expect.stringContaining('batch/b') } });
    expect(callsOf('ecr:DescribeRepositories', from)).toBe(1);
  });
  it('one missing name fails the whole call on moto as on AWS: it is absent, the others present, one retry per missing name', async () => {
    const from = proxy.calls.length;
    const reads = describeRepositories(counted.ecr, account, ['batch/a', 'batch/gone', 'batch/c', 'batch/also-gone']);
    expect(await reads.get('batch/gone')).toEqual({ state: 'absent' });
    expect(await reads.get('batch/also-gone')).toEqual({ state: 'absent' });
    expect((await reads.get('batch/a'))?.state).toBe('present');
    expect((await reads.get('batch/c'))?.state).toBe('present');
    expect(callsOf('ecr:DescribeRepositories', from)).toBe(3);
  });
  it('the message moto gives names the missing repository', async () => {
    const error = await moto.ecr.send(new (await import('@aws-sdk/client-ecr')).DescribeRepositoriesCommand({ repositoryNames: ['batch/a', 'batch/nope'] })).catch((e: unknown) => e);
    expect(missingRepositoryName(error)).toBe('batch/nope');
  });
});

describe('one DescribeImages per repository, against moto', () => {
  it('all the tags and digests in one call; a missing tag is absent and costs one more call', async () => {
    const from = proxy.calls.length;
    const one = describeImages(counted.ecr, { registryId: account, name: 'batch/a' }, ['v1', 'v2']);
    const [v1, v2] = await Promise.all([one.get('v1'), one.get('v2')]);
    expect(v1).toMatchObject({ ok: true, detail: { imageTags: ['v1'] } });
    expect(v2).toMatchObject({ ok: true, detail: { imageTags: ['v2'] } });
    expect(callsOf('ecr:DescribeImages', from)).toBe(1);
    const digest = v1?.ok ? v1.detail?.imageDigest : undefined;
    const from2 = proxy.calls.length;
    const two = describeImages(counted.ecr, { registryId: account, name: 'batch/a' }, ['v1', 'nope', digest ?? '']);
    expect(await two.get('nope')).toEqual({ ok: true, detail: undefined });
    expect(await two.get(digest ?? '')).toMatchObject({ ok: true, detail: { imageDigest: digest } });
    expect(await two.get('v1')).toMatchObject({ ok: true, detail: { imageTags: ['v1'] } });
    expect(callsOf('ecr:DescribeImages', from2)).toBe(2);
  });
  it('readRepository: present, absent per tag exactly as one read per tag gave, with one DescribeImages and one DescribeRepositories', async () => {
    const from = proxy.calls.length;
    const facts = await readRepository(counted.ecr, { arn: `arn:aws:ecr:${TEST_REGION}:${account}:repository/batch/a`, registryId: account, region: TEST_REGION, name: 'batch/a', references: ['v1', 'v2', 'missing'] });
    expect(facts.repository.state).toBe('present');
    expect(facts.images['v1']).toMatchObject({ state: 'present', value: { tags: ['v1'] } });
    expect(facts.images['v2']).toMatchObject({ state: 'present', value: { tags: ['v2'] } });
    expect(facts.images['missing']).toEqual({ state: 'absent' });
    expect(facts.knownTags?.state).toBe('present');
    expect(callsOf('ecr:DescribeRepositories', from)).toBe(1);
    // v1, v2, missing; then v1, v2 (the lifecycle reader lists images only when a policy exists).
    expect(callsOf('ecr:DescribeImages', from)).toBe(2);
  });
  it('a repository that does not exist: every tag absent', async () => {
    const reads = describeImages(counted.ecr, { registryId: account, name: 'batch/none' }, ['a', 'b']);
    for (const r of reads.values()) {
      const answer = await r;
      expect(answer.ok).toBe(false);
    }
    const facts = await readRepository(counted.ecr, { arn: `arn:aws:ecr:${TEST_REGION}:${account}:repository/batch/none`, registryId: account, region: TEST_REGION, name: 'batch/none', references: ['a', 'b'] });
    expect(facts.repository).toEqual({ state: 'absent' });
    expect(facts.images).toEqual({ a: { state: 'absent' }, b: { state: 'absent' } });
  });
  it('the message moto gives names the missing tag', async () => {
    const { DescribeImagesCommand } = await import('@aws-sdk/client-ecr');
    const error = await moto.ecr.send(new DescribeImagesCommand({ repositoryName: 'batch/a', imageIds: [{ imageTag: 'v1' }, { imageTag: 'zzz' }] })).catch((e: unknown) => e);
    expect(missingImageReference(error)).toBe('zzz');
  });
});

describe('batched reads against documented answers', () => {
  let replay: ReplayServer | undefined;
  afterEach(async () => {
    await replay?.close();
    replay = undefined;
  });
  const client = (url: string) => new ECRClient({ endpoint: url, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });

  it('more than 100 names: batches of at most 100', async () => {
    replay = await startReplayServer({
      [`${ECR}DescribeRepositories`]: (body: { repositoryNames: string[] }) => ({ repositories: body.repositoryNames.map((n) => ({ repositoryName: n, repositoryUri: `x/${n}` })) }),
    });
    const names = Array.from({ length: 250 }, (_, i) => `r-${i}`);
    const reads = describeRepositories(client(replay.endpoint), '111122223333', names);
    const facts = await Promise.all([...reads.values()]);
    expect(facts.every((f) => f.state === 'present')).toBe(true);
    expect(replay.requests.map((r) => (r.body as { repositoryNames: string[] }).repositoryNames.length)).toEqual([100, 100, 50]);
  });
  it('AccessDeniedException: every name of the batch unreadable, naming ecr:DescribeRepositories (never absent)', async () => {
    replay = await startReplayServer({ [`${ECR}DescribeRepositories`]: () => replayError('AccessDeniedException', 'not authorized to perform: ecr:DescribeRepositories') });
    const reads = describeRepositories(client(replay.endpoint), '111122223333', ['a', 'b']);
    for (const r of reads.values()) expect(await r).toMatchObject({ state: 'unreadable', permission: 'ecr:DescribeRepositories' });
    expect(replay.requests).toHaveLength(1);
  });
  it('a RepositoryNotFoundException naming none of the batch: one call per name instead', async () => {
    replay = await startReplayServer({
      [`${ECR}DescribeRepositories`]: (body: { repositoryNames: string[] }) =>
        body.repositoryNames.length > 1 ? replayError('RepositoryNotFoundException', 'The repository does not exist') : body.repositoryNames[0] === 'a' ? { repositories: [{ repositoryName: 'a' }] } : replayError('RepositoryNotFoundException', 'gone'),
    });
    const reads = describeRepositories(client(replay.endpoint), '111122223333', ['a', 'b']);
    expect((await reads.get('a'))?.state).toBe('present');
    expect(await reads.get('b')).toEqual({ state: 'absent' });
    expect(replay.requests).toHaveLength(3);
  });
  it('a denied DescribeImages: every tag of the repository unreadable, naming ecr:DescribeImages, and asked with imageStatus ANY', async () => {
    replay = await startReplayServer({
      [`${ECR}DescribeRepositories`]: { repositories: [{ repositoryName: 'app' }] },
      [`${ECR}GetRepositoryPolicy`]: () => replayError('RepositoryPolicyNotFoundException', 'none'),
      [`${ECR}ListTagsForResource`]: { tags: [] },
      [`${ECR}GetLifecyclePolicy`]: () => replayError('LifecyclePolicyNotFoundException', 'none'),
      [`${ECR}DescribeImages`]: () => replayError('AccessDeniedException', 'not authorized to perform: ecr:DescribeImages'),
    });
    const facts = await readRepository(client(replay.endpoint), { arn: 'arn:aws:ecr:us-east-1:111122223333:repository/app', registryId: '111122223333', region: 'us-east-1', name: 'app', references: ['a', 'b'] });
    expect(facts.images['a']).toMatchObject({ state: 'unreadable', permission: 'ecr:DescribeImages' });
    expect(facts.images['b']).toMatchObject({ state: 'unreadable', permission: 'ecr:DescribeImages' });
    const asks = replay.requests.filter((r) => r.target.endsWith('DescribeImages')).map((r) => r.body as Record<string, unknown>);
    expect(asks).toEqual([{ registryId: '111122223333', repositoryName: 'app', imageIds: [{ imageTag: 'a' }, { imageTag: 'b' }], filter: { imageStatus: 'ANY' } }]);
  });
  it('an ImageNotFoundException naming none of the ids: each id asked alone', async () => {
    replay = await startReplayServer({
      [`${ECR}DescribeImages`]: (body: { imageIds: { imageTag: string }[] }) =>
        body.imageIds.length > 1 ? replayError('ImageNotFoundException', 'The image requested does not exist') : body.imageIds[0]?.imageTag === 'a' ? { imageDetails: [{ imageDigest: 'sha256:aa', imageTags: ['a'] }] } : replayError('ImageNotFoundException', 'The image requested does not exist'),
    });
    const reads = describeImages(client(replay.endpoint), { registryId: '111122223333', name: 'app' }, ['a', 'b']);
    expect(await reads.get('a')).toMatchObject({ ok: true, detail: { imageDigest: 'sha256:aa' } });
    expect(await reads.get('b')).toMatchObject({ ok: false });
    expect(replay.requests).toHaveLength(3);
  });
});
