import type { Check } from './check.js';
import { resultsFor, unreadableMessage } from './check.js';

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
    if (fact.state === 'absent' && ref.pullThroughPrefix) {
      // A pull-through cache repository is created by its first pull (ECR user guide, pull through cache).
      return [r.warn(`Repository ${ref.repository} does not exist yet; it looks like a pull-through cache path (prefix ${ref.pullThroughPrefix}), which ECR creates on the first pull. That first pull also needs ecr:BatchImportUpstreamImage (and ecr:CreateRepository), and a pull-through cache rule for the prefix.`, {
        evidence: { ...evidence, pullThroughPrefix: ref.pullThroughPrefix },
        fix: { target: 'other', account: ref.account, description: `Check the pull-through cache rule for ${ref.pullThroughPrefix} (aws ecr describe-pull-through-cache-rules), and that the puller may ecr:BatchImportUpstreamImage.` },
      })];
    }
    if (fact.state === 'absent') {
      return [r.fail(`Repository ${ref.repository} does not exist in account ${ref.account}, region ${ref.region}; the pull fails with "repository does not exist or may require 'docker login'".`, {
        evidence,
        fix: { target: 'image', account: ref.account, resource: ref.repositoryArn, description: `Check the image URI (account, region, repository name), or create the repository and push the image.` },
      })];
    }
    return [r.pass(`Repository ${ref.repository} exists in account ${ref.account}, region ${ref.region}.`, { evidence })];
  },
};
