import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { nextAccountId } from '../support/accounts.js';
import { createProject, createRole, makeTestClients } from '../support/aws.js';
import { createCliAccount } from '../support/cli-account.js';
import { runCliJson, type JsonReport } from '../support/cli.js';
import { startRegistryProxy, type ProxyAnswer, type ProxiedRequest, type RegistryProxy } from '../support/registry-proxy.js';

// Issue 11 item 2, end to end through the spawned CLI. moto 5.2 lacks the pull-through-cache calls,
// so the proxy answers them as the ECR API Reference documents: "DescribePullThroughCacheRules"
// ({pullThroughCacheRules: [{ecrRepositoryPrefix, upstreamRegistryUrl, upstreamRegistry,
// credentialArn, registryId}], nextToken?}) and "DescribeRepositoryCreationTemplates"
// ({registryId, repositoryCreationTemplates: [{prefix, appliedFor, repositoryPolicy?}]}). The
// repository itself does not exist in moto, as before a first pull.

const endpoint = inject('motoEndpoint');
const REGION = 'us-east-1';
const rules = new Map<string, { account: string; prefix: string; credentialArn?: string }>();

function answer(seen: ProxiedRequest): ProxyAnswer | undefined {
  if (seen.service !== 'ecr' || !seen.accessKeyId) return undefined;
  const rule = rules.get(seen.accessKeyId);
  if (!rule) return undefined;
  if (seen.operation === 'DescribePullThroughCacheRules') {
    return { status: 200, body: { pullThroughCacheRules: [{ ecrRepositoryPrefix: rule.prefix, upstreamRegistryUrl: 'registry-1.docker.io', upstreamRegistry: 'docker-hub', registryId: rule.account, ...(rule.credentialArn ? { credentialArn: rule.credentialArn } : {}) }] } };
  }
  if (seen.operation === 'DescribeRepositoryCreationTemplates') {
    return { status: 200, body: { registryId: rule.account, repositoryCreationTemplates: [{ prefix: 'ROOT', appliedFor: ['PULL_THROUGH_CACHE'] }] } };
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

describe('pull-through cache first pull (spawned CLI, rules from the proxy)', () => {
  it('a custom-prefix cache path is no missing repository: the first pull is judged by its grants, template and secret', async () => {
    const account = nextAccountId();
    const clients = makeTestClients(endpoint, account);
    const cli = await createCliAccount(clients, { endpoint: proxy.endpoint });
    rules.set(cli.accessKeyId, { account, prefix: 'mirror', credentialArn: `arn:aws:secretsmanager:${REGION}:${account}:secret:ecr-pullthroughcache/hub-AbCdEf` });
    const repoArn = `arn:aws:ecr:${REGION}:${account}:repository/mirror/library/node`;
    const roleArn = await createRole(clients, 'ptc-role', {
      path: '/service-role/',
      inline: {
        pull: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
            { Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability', 'ecr:BatchImportUpstreamImage'], Resource: repoArn },
          ],
        },
      },
    });
    await createProject(clients, { name: 'ptc', image: `${account}.dkr.ecr.${REGION}.amazonaws.com/mirror/library/node:20`, serviceRoleArn: roleArn, imagePullCredentialsType: 'SERVICE_ROLE' });

    const run = await runCliJson<JsonReport>(['doctor', '--project', 'ptc', '--format', 'json'], { env: cli.env });
    expect([0, 1, 3], run.stderr).toContain(run.code);
    const results = run.json.results;
    expect(results.find((r) => r.check === 'repository-exists')).toMatchObject({ status: 'warn', message: expect.stringContaining('rule mirror for registry-1.docker.io') });
    const first = results.filter((r) => r.check === 'pull-through-first-pull');
    expect(first.map((r) => r.status)).toEqual(['fail', 'pass', 'pass']);
    expect(first[0]?.message).toContain('ecr:CreateRepository');
    expect(first[0]?.message).toContain('Allow ecr:CreateRepository in the identity policy');
    expect(first[1]?.message).toContain('creation template ROOT (the default template)');
    expect(first[2]?.message).toContain('ecr-pullthroughcache/hub');
    const seen = proxy.requestsBy(cli.accessKeyId).map((r) => r.operation);
    expect(seen).toContain('DescribePullThroughCacheRules');
    expect(seen).toContain('DescribeRepositoryCreationTemplates');
  }, 60_000);
});
