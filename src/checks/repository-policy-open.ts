import type { Check } from './check.js';
import { resultsFor } from './check.js';
import { statementName, isEveryone, readablePolicy, statementCoversAction } from './policy-statements.js';

export const repositoryPolicyOpen: Check = {
  id: 'repository-policy-open',
  run(ctx) {
    const ref = ctx.subject.imageRef;
    const policy = readablePolicy(ctx.repository);
    if (ref.kind !== 'ecr' || !policy) return [];
    const r = resultsFor('repository-policy-open', ctx);
    const subject = ref.repositoryArn;
    const open = policy.statements.filter(
      (s) => s.effect === 'Allow' && isEveryone(s) && !s.condition && statementCoversAction(s, 'ecr:BatchGetImage'),
    );
    if (open.length === 0) return [r.pass(`No statement of the repository policy lets any principal pull without a condition.`, { subject })];
    const names = open.map(statementName).join(', ');
    return [r.warn(`Statement ${names} of the repository policy of ${ref.repository} lets every AWS principal pull the image, with no condition.`, {
      subject,
      evidence: { statements: open.map((s) => s.raw) },
      fix: { target: 'repository-policy', account: ref.account, resource: subject, description: `Replace Principal "*" with the principals that need to pull (codebuild.amazonaws.com with aws:SourceAccount/aws:SourceArn, or named roles or accounts).` },
    })];
  },
};
