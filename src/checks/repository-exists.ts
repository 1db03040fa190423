import type { Check } from './check.js';
import { resultsFor, unreadableMessage } from './check.js';

export const repositoryExists: Check = {
  id: 'repository-exists',
  run(ctx) {
    const ref = ctx.subject.imageRef;
    if (ref.kind !== 'ecr' || !ctx.repository) return [];
    const r = resultsFor('repository-exists', ctx);
    const fact = ctx.repository.repository;
    const evidence = { repositoryArn: ref.repositoryArn };
    if (fact.state === 'unreadable') return [r.error(unreadableMessage(`repository ${ref.repository}`, fact), { evidence })];
    if (fact.state === 'absent') {
      return [r.fail(`Repository ${ref.repository} does not exist in account ${ref.account}, region ${ref.region}; the pull fails with "repository does not exist or may require 'docker login'".`, {
        evidence,
        fix: { target: 'image', account: ref.account, resource: ref.repositoryArn, description: `Check the image URI (account, region, repository name), or create the repository and push the image.` },
      })];
    }
    return [r.pass(`Repository ${ref.repository} exists in account ${ref.account}, region ${ref.region}.`, { evidence })];
  },
};
