import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { nextAccountId } from '../support/accounts.js';
import { makeTestClients } from '../support/aws.js';
import { awsJsonError, startRegistryProxy, type ProxyAnswer, type ProxiedRequest, type RegistryProxy } from '../support/registry-proxy.js';
import { readRegistry } from '../../src/sources/live/ecr-registry.js';

// moto 5.2 implements neither DescribePullThroughCacheRules nor DescribeRepositoryCreationTemplates,
// so the proxy answers them as the ECR API Reference documents them:
// - "DescribePullThroughCacheRules": request {registryId?, ecrRepositoryPrefixes?, nextToken?,
//   maxResults?}; response {pullThroughCacheRules: [{ecrRepositoryPrefix, upstreamRegistryUrl,
//   registryId, credentialArn?, upstreamRegistry?, ...}], nextToken?}.
// - "DescribeRepositoryCreationTemplates": request {prefixes?, nextToken?, maxResults?} (no
//   registryId); response {registryId, repositoryCreationTemplates: [{prefix, appliedFor,
//   repositoryPolicy?, ...}], nextToken?}.
// - Denied: AccessDeniedException ("Common Errors").

const endpoint = inject('motoEndpoint');
let mode: 'paged' | 'denied' | 'moto' = 'paged';
const tokens: unknown[] = [];

function answer(seen: ProxiedRequest, body: Record<string, unknown> | undefined): ProxyAnswer | undefined {
  if (seen.service !== 'ecr' || mode === 'moto') return undefined;
  if (seen.operation === 'DescribePullThroughCacheRules') {
    if (mode === 'denied') return awsJsonError('AccessDeniedException', 'User: arn:aws:iam::000000000000:user/doctor is not authorized to perform: ecr:DescribePullThroughCacheRules');
    tokens.push(body?.['nextToken']);
    if (body?.['registryId'] !== undefined && body['registryId'] !== seen.registryId) throw new Error('unexpected registryId');
    if (!body?.['nextToken']) {
      return { status: 200, body: { pullThroughCacheRules: [{ ecrRepositoryPrefix: 'hub', upstreamRegistryUrl: 'registry-1.docker.io', upstreamRegistry: 'docker-hub', credentialArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:ecr-pullthroughcache/hub-AbCdEf', registryId: '000000000000' }], nextToken: 'page-2' } };
    }
    return { status: 200, body: { pullThroughCacheRules: [{ ecrRepositoryPrefix: 'ROOT', upstreamRegistryUrl: 'public.ecr.aws', upstreamRegistry: 'ecr-public', registryId: '000000000000' }] } };
  }
  if (seen.operation === 'DescribeRepositoryCreationTemplates') {
    if (mode === 'denied') return awsJsonError('AccessDeniedException', 'not authorized to perform: ecr:DescribeRepositoryCreationTemplates');
    return { status: 200, body: { registryId: '000000000000', repositoryCreationTemplates: [{ prefix: 'ROOT', appliedFor: ['PULL_THROUGH_CACHE'], repositoryPolicy: '{"Version":"2012-10-17","Statement":[]}' }] } };
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

async function read(account = nextAccountId()) {
  const { ecr } = makeTestClients(proxy.endpoint, account);
  return readRegistry(ecr, { registryId: account, region: 'us-east-1' }, Promise.resolve(account));
}

describe('pull-through cache rules and creation templates (read per registry)', () => {
  it('reads every page of DescribePullThroughCacheRules and the templates', async () => {
    mode = 'paged';
    tokens.length = 0;
    const r = await read();
    expect(tokens).toEqual([undefined, 'page-2']);
    expect(r.pullThroughRules).toEqual({
      state: 'present',
      value: [
        { prefix: 'hub', upstreamRegistryUrl: 'registry-1.docker.io', upstreamRegistry: 'docker-hub', credentialArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:ecr-pullthroughcache/hub-AbCdEf' },
        { prefix: 'ROOT', upstreamRegistryUrl: 'public.ecr.aws', upstreamRegistry: 'ecr-public' },
      ],
    });
    expect(r.creationTemplates).toEqual({ state: 'present', value: [{ prefix: 'ROOT', appliedFor: ['PULL_THROUGH_CACHE'], repositoryPolicy: '{"Version":"2012-10-17","Statement":[]}' }] });
  });

  it('a denied read is unreadable naming the permission, never an empty list', async () => {
    mode = 'denied';
    const r = await read();
    expect(r.pullThroughRules).toMatchObject({ state: 'unreadable', permission: 'ecr:DescribePullThroughCacheRules' });
    expect(r.creationTemplates).toMatchObject({ state: 'unreadable', permission: 'ecr:DescribeRepositoryCreationTemplates' });
  });

  it('moto alone (no such calls) is unreadable, never an empty list', async () => {
    mode = 'moto';
    const r = await read();
    expect(r.pullThroughRules?.state).toBe('unreadable');
    expect(r.creationTemplates?.state).toBe('unreadable');
  });

  it("another account's registry is unreadable from here", async () => {
    mode = 'paged';
    const account = nextAccountId();
    const { ecr } = makeTestClients(proxy.endpoint, account);
    const r = await readRegistry(ecr, { registryId: '999999999999', region: 'us-east-1' }, Promise.resolve(account));
    expect(r.pullThroughRules?.state).toBe('unreadable');
    expect(r.creationTemplates?.state).toBe('unreadable');
  });
});
