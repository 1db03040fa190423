import type { Check } from './check.js';
import { resultsFor, unreadableMessage } from './check.js';
import { cacheStatusOf } from './pull-through-rules.js';

export const repositoryExists: Check = {
  id: 'repository-exists',
  run(ctx) {
    const ref = ctx.subject.imageRef;
    if (ref.kind !== 'ecr') return [];
    const r = resultsFor('repository-exists', ctx);
    const evidence = { repositoryArn: ref.repositoryArn };
    // Facts that were never gathered (an incomplete snapshot) are no pass.
    if (!ctx.repository) return [r.error(`could not check repository ${ref.repository}: it was not read`, { evidence })];
    const fact = ctx.repository.repository;
    if (fact.state === 'unreadable') {
      // ECR answers AccessDeniedException for another account's repository the caller may not
      // read, whether or not it exists (DOMAIN.md §4): never turn that into "does not exist".
      const caller = ctx.facts.caller.state === 'present' ? ctx.facts.caller.value.account : undefined;
      if (caller && caller !== ref.account && fact.permission) {
        return [r.error(`could not check repository ${ref.repository}: cannot read from this account (account ${caller}) in account ${ref.account}'s registry (${fact.reason}). This does not say the repository is missing; its owner can check it, or allow ${fact.permission} for this account in its repository policy.`, { evidence })];
      }
      return [r.error(unreadableMessage(`repository ${ref.repository}`, fact), { evidence })];
    }
    if (fact.state === 'absent') {
      // A pull-through cache repository is created by its first pull (ECR User Guide, "Sync an
      // upstream registry with an Amazon ECR private registry"); whether a path is one is
      // decided by the registry's rules, never by its name.
      const cache = cacheStatusOf(ctx.facts, ref);
      if (cache.kind === 'cache') {
        const { rule } = cache;
        return [r.warn(`Repository ${ref.repository} does not exist yet; it is a pull-through cache path (rule ${rule.prefix} for ${rule.upstreamRegistryUrl}), which ECR creates on the first pull. What that first pull needs is checked by pull-through-first-pull.`, {
          evidence: { ...evidence, pullThroughRule: rule.prefix, upstreamRegistryUrl: rule.upstreamRegistryUrl },
        })];
      }
      if (cache.kind === 'unknown' && ref.looksLikePullThroughPrefix) {
        return [r.error(`could not check repository ${ref.repository}: it does not exist yet and its name looks like a pull-through cache path (prefix ${ref.looksLikePullThroughPrefix}), but the pull-through cache rules that decide it could not be read: ${cache.reason}${cache.permission ? ` (needs ${cache.permission})` : ''}`, {
          evidence: { ...evidence, looksLikePullThroughPrefix: ref.looksLikePullThroughPrefix },
        })];
      }
      const unknownNote = cache.kind === 'unknown' ? ` The pull-through cache rules could not be read (${cache.reason}${cache.permission ? `; needs ${cache.permission}` : ''}): if a rule covers this path, ECR creates the repository on the first pull.` : '';
      return [r.fail(`Repository ${ref.repository} does not exist in account ${ref.account}, region ${ref.region}; the pull fails with "repository does not exist or may require 'docker login'".${unknownNote}`, {
        evidence,
        fix: { target: 'image', account: ref.account, resource: ref.repositoryArn, description: `Check the image URI (account, region, repository name), or create the repository and push the image.` },
      })];
    }
    return [r.pass(`Repository ${ref.repository} exists in account ${ref.account}, region ${ref.region}.`, { evidence })];
  },
};
