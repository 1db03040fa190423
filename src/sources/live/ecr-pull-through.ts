import type { ECRClient } from '@aws-sdk/client-ecr';
import { DescribePullThroughCacheRulesCommand, DescribeRepositoryCreationTemplatesCommand } from '@aws-sdk/client-ecr';
import type { Fact } from '../../model/fact.js';
import { present, unreadable } from '../../model/fact.js';
import type { CreationTemplate, PullThroughRule } from '../../model/facts.js';
import { isNotAwsResponse, unreadableFrom } from './aws-errors.js';

// Both lists are short (ECR quotas: 50 pull-through cache rules, 100 creation templates per
// registry); the page bound only stops an endpoint that keeps answering a nextToken.
const MAX_PAGES = 20;

async function readAllPages<T>(action: string, page: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string | undefined }>): Promise<Fact<T[]>> {
  const all: T[] = [];
  let token: string | undefined;
  try {
    for (let i = 0; i < MAX_PAGES; i++) {
      const out = await page(token);
      all.push(...out.items);
      token = out.nextToken || undefined;
      if (!token) return present(all);
    }
    return unreadable(`${action} still answered a nextToken after ${MAX_PAGES} pages`, action);
  } catch (e) {
    // Identity was read from this endpoint already: a non-AWS answer is an endpoint without this
    // call (moto 5.2 implements neither pull-through-cache call), not a wrong endpoint.
    if (isNotAwsResponse(e)) return unreadable(`the endpoint does not implement ${action}`, action);
    return unreadableFrom(e, action);
  }
}

/**
 * ECR API Reference, "DescribePullThroughCacheRules": paged by nextToken (up to 100 a page when
 * maxResults is not set); each rule has ecrRepositoryPrefix, upstreamRegistryUrl and, when set,
 * upstreamRegistry and credentialArn. registryId is optional and defaults to the caller's own.
 */
export function readPullThroughRules(client: ECRClient): Promise<Fact<PullThroughRule[]>> {
  return readAllPages('ecr:DescribePullThroughCacheRules', async (nextToken) => {
    const out = await client.send(new DescribePullThroughCacheRulesCommand({ ...(nextToken ? { nextToken } : {}) }));
    const items = (out.pullThroughCacheRules ?? []).flatMap((r): PullThroughRule[] =>
      r.ecrRepositoryPrefix && r.upstreamRegistryUrl
        ? [{ prefix: r.ecrRepositoryPrefix, upstreamRegistryUrl: r.upstreamRegistryUrl, ...(r.upstreamRegistry ? { upstreamRegistry: r.upstreamRegistry } : {}), ...(r.credentialArn ? { credentialArn: r.credentialArn } : {}) }]
        : [],
    );
    return { items, nextToken: out.nextToken };
  });
}

/**
 * ECR API Reference, "DescribeRepositoryCreationTemplates": takes no registryId (the caller's own
 * registry), paged by nextToken; prefix ROOT is the default template.
 */
export function readCreationTemplates(client: ECRClient): Promise<Fact<CreationTemplate[]>> {
  return readAllPages('ecr:DescribeRepositoryCreationTemplates', async (nextToken) => {
    const out = await client.send(new DescribeRepositoryCreationTemplatesCommand({ ...(nextToken ? { nextToken } : {}) }));
    const items = (out.repositoryCreationTemplates ?? []).flatMap((t): CreationTemplate[] =>
      t.prefix ? [{ prefix: t.prefix, appliedFor: [...(t.appliedFor ?? [])], ...(t.repositoryPolicy ? { repositoryPolicy: t.repositoryPolicy } : {}) }] : [],
    );
    return { items, nextToken: out.nextToken };
  });
}
