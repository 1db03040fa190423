import type { PolicyStatement } from '../policy/index.js';
import { matchesArnPattern, matchesGlob } from '../policy/matchers.js';
import type { Check } from './check.js';
import { resultsFor } from './check.js';
import { fixCommandFor } from './fix-command.js';
import { CODEBUILD_SERVICE, sourceArnFor } from './pull-access.js';
import { statementName, isEveryone, readablePolicy, servicePrincipals } from './policy-statements.js';

// ArnEquals, like ArnLike, expands wildcards (IAM guide, ARN condition operators); StringEquals does not.
const EXACT = /^(StringEquals|StringEqualsIgnoreCase)(IfExists)?$/i;
const LIKE = /^(StringLike|ArnLike|ArnEquals)(IfExists)?$/i;

/** The aws:SourceArn values a statement pins, when none of them can match the sample temporary project. */
function pinnedValues(s: PolicyStatement, sample: string): { operator: string; values: string[] } | undefined {
  for (const [operator, keys] of Object.entries(s.condition ?? {})) {
    const bare = operator.replace(/^For(Any|All)Value:/i, '');
    for (const [key, values] of Object.entries(keys)) {
      if (key.toLowerCase() !== 'aws:sourcearn') continue;
      if (EXACT.test(bare) && !values.includes(sample)) return { operator, values };
      const like = /^Arn/i.test(bare) ? matchesArnPattern : matchesGlob;
      if (LIKE.test(bare) && !values.some((v) => like(v, sample))) return { operator, values };
    }
  }
  return undefined;
}

/**
 * A statement that pins aws:SourceArn to the pipeline's project works for that project and never
 * for eb deploy's temporary one, whose name ends in 5 random characters (DOMAIN.md §2).
 */
export const ebSourceArnPinned: Check = {
  id: 'eb-source-arn-pinned',
  run(ctx) {
    const { subject } = ctx;
    const ref = subject.imageRef;
    const policy = readablePolicy(ctx.repository);
    const sample = sourceArnFor(subject);
    if (subject.kind !== 'eb-app' || ref.kind !== 'ecr' || !policy || typeof sample !== 'string') return [];
    const r = resultsFor('eb-source-arn-pinned', ctx);
    const pinned = policy.statements
      .filter((s) => s.effect === 'Allow' && (servicePrincipals(s).includes(CODEBUILD_SERVICE) || isEveryone(s)))
      .map((s) => ({ s, pin: pinnedValues(s, sample) }))
      .filter((x) => x.pin !== undefined);
    if (pinned.length === 0) return [r.pass(`No repository-policy statement for ${CODEBUILD_SERVICE} pins aws:SourceArn in a way eb deploy's temporary project cannot match.`)];
    return pinned.map(({ s, pin }) =>
      r.warn(`Statement ${statementName(s)} of the repository policy of ${ref.repository} allows ${CODEBUILD_SERVICE} only when aws:SourceArn ${pin!.operator} ${pin!.values.join(', ')}; eb deploy's temporary project is named Elastic-Beanstalk-<app>-<label>-<random>, so it never matches. It may still work for your pipeline's project.`, {
        evidence: { statement: s.raw, operator: pin!.operator, values: pin!.values, expectedPattern: subject.projectArn },
        fix: { target: 'repository-policy', account: ref.account, resource: ref.repositoryArn, description: `Allow the pattern ${subject.projectArn} with ArnLike (ecr-doctor fix --buildspec adds its own statement and leaves this one as it is).`, command: fixCommandFor(subject, ctx.facts) },
      }),
    );
  },
};
