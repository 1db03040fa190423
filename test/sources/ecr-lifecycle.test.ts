// The lifecycle reads against moto (GetLifecyclePolicy, PutLifecyclePolicy, DescribeImages) and,
// for what moto cannot be made to answer (AccessDeniedException, paging with nextToken), a replay
// server answering as the ECR API Reference documents (GetLifecyclePolicy: LifecyclePolicyNotFoundException;
// DescribeImages: maxResults up to 1000, nextToken; "Common Errors": AccessDeniedException).
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ECRClient, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { MAX_IMAGE_PAGES, readLifecycle } from '../../src/sources/live/ecr-lifecycle.js';
import { nextAccountIds } from '../support/accounts.js';
import { createRepository, makeTestClients, putImage, TEST_CREDENTIALS, TEST_REGION } from '../support/aws.js';
import { replayError, startReplayServer, type ReplayServer } from '../support/replay-server.js';

const endpoint = inject('motoEndpoint');
const [account = ''] = nextAccountIds(1);
const moto = makeTestClients(endpoint, account);
const POLICY = JSON.stringify({ rules: [{ rulePriority: 1, description: 'keep one', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] });

describe('readLifecycle against moto', () => {
  it('a repository without a lifecycle policy: absent, and no image listing', async () => {
    await createRepository(moto, 'lifecycle/none');
    expect(await readLifecycle(moto.ecr, { registryId: account, name: 'lifecycle/none' })).toEqual({ lifecycle: { state: 'absent' } });
  });
  it('with a policy: its text, and every image with tags and push date', async () => {
    await createRepository(moto, 'lifecycle/some');
    const one = await putImage(moto, 'lifecycle/some', 'b-1');
    const two = await putImage(moto, 'lifecycle/some', 'b-2');
    await moto.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'lifecycle/some', lifecyclePolicyText: POLICY }));
    const read = await readLifecycle(moto.ecr, { registryId: account, name: 'lifecycle/some' });
    expect(read.lifecycle).toEqual({ state: 'present', value: { text: POLICY } });
    expect(read.imageList?.state).toBe('present');
    const list = read.imageList?.state === 'present' ? read.imageList.value : undefined;
    expect(list?.complete).toBe(true);
    expect(list?.images.map((i) => [i.digest, i.tags]).sort()).toEqual([[one.imageDigest, ['b-1']], [two.imageDigest, ['b-2']]].sort());
    expect(list?.images.every((i) => typeof i.pushedAt === 'string')).toBe(true);
  });
});

describe('readLifecycle against documented answers', () => {
  let replay: ReplayServer | undefined;
  afterEach(async () => {
    await replay?.close();
    replay = undefined;
  });
  const client = (url: string) => new ECRClient({ endpoint: url, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  const denied = () => replayError('AccessDeniedException', 'User: arn:aws:iam::111122223333:user/x is not authorized to perform: ecr:GetLifecyclePolicy');

  it('a denied GetLifecyclePolicy is an unreadable fact naming the permission', async () => {
    replay = await startReplayServer({ 'AmazonEC2ContainerRegistry_V20150921.GetLifecyclePolicy': denied });
    const read = await readLifecycle(client(replay.endpoint), { registryId: '111122223333', name: 'app' });
    expect(read.lifecycle).toMatchObject({ state: 'unreadable', permission: 'ecr:GetLifecyclePolicy' });
    expect(read.imageList).toBeUndefined();
  });
  it('LifecyclePolicyNotFoundException is absent', async () => {
    replay = await startReplayServer({ 'AmazonEC2ContainerRegistry_V20150921.GetLifecyclePolicy': () => replayError('LifecyclePolicyNotFoundException', 'Lifecycle policy does not exist') });
    expect((await readLifecycle(client(replay.endpoint), { registryId: '111122223333', name: 'app' })).lifecycle).toEqual({ state: 'absent' });
  });
  it('a denied DescribeImages makes the image list unreadable, naming ecr:DescribeImages', async () => {
    replay = await startReplayServer({
      'AmazonEC2ContainerRegistry_V20150921.GetLifecyclePolicy': { lifecyclePolicyText: POLICY },
      'AmazonEC2ContainerRegistry_V20150921.DescribeImages': () => replayError('AccessDeniedException', 'not authorized to perform: ecr:DescribeImages'),
    });
    const read = await readLifecycle(client(replay.endpoint), { registryId: '111122223333', name: 'app' });
    expect(read.imageList).toMatchObject({ state: 'unreadable', permission: 'ecr:DescribeImages' });
  });
  it('pages with nextToken, asks with imageStatus ANY, and stops at the bound saying the list is incomplete', async () => {
    let n = 0;
    replay = await startReplayServer({
      'AmazonEC2ContainerRegistry_V20150921.GetLifecyclePolicy': { lifecyclePolicyText: POLICY },
      'AmazonEC2ContainerRegistry_V20150921.DescribeImages': () => {
        n += 1;
        return { imageDetails: [{ imageDigest: `sha256:${String(n).padStart(64, '0')}`, imageTags: [`b-${n}`], imagePushedAt: 1_700_000_000 + n }], nextToken: `t${n}` };
      },
    });
    const read = await readLifecycle(client(replay.endpoint), { registryId: '111122223333', name: 'app' });
    const list = read.imageList?.state === 'present' ? read.imageList.value : undefined;
    expect(list?.complete).toBe(false);
    expect(list?.images).toHaveLength(MAX_IMAGE_PAGES);
    expect(list?.images[0]?.pushedAt).toBe(new Date((1_700_000_000 + 1) * 1000).toISOString());
    const asks = replay.requests.filter((r) => r.target.endsWith('DescribeImages')).map((r) => r.body as Record<string, unknown>);
    expect(asks[0]).toMatchObject({ filter: { imageStatus: 'ANY' }, maxResults: 1000 });
    expect(asks[0]).not.toHaveProperty('imageIds');
    expect(asks[1]).toMatchObject({ nextToken: 't1' });
  });
});
