import type { Check } from './check.js';
import { resultsFor } from './check.js';
import { fixCommandFor } from './fix-command.js';
import { awsPrincipals, statementName, readablePolicy } from './policy-statements.js';

// Account roots CodeBuild used before repository policies named the service principal (DOMAIN.md §6).
export const LEGACY_CODEBUILD_ACCOUNTS = ['201349592320', '570169269855', '964771811575'];

function legacyAccountOf(principal: string): string | undefined {
  return LEGACY_CODEBUILD_ACCOUNTS.find((a) => principal === a || principal.startsWith(`arn:aws:iam::${a}:`));
}

export const legacyCodebuildPrincipals: Check = {
  id: 'legacy-codebuild-principals',
  run(ctx) {
    const ref = ctx.subject.imageRef;
    const policy = readablePolicy(ctx.repository);
    if (ref.kind !== 'ecr' || !policy) return [];
    const r = resultsFor('legacy-codebuild-principals', ctx);
    const subject = ref.repositoryArn;
    const legacy = policy.statements.filter((s) => awsPrincipals(s).some((p) => legacyAccountOf(p)));
    if (legacy.length === 0) return [r.pass('The repository policy trusts no legacy CodeBuild account root.', { subject })];
    const accounts = [...new Set(legacy.flatMap((s) => awsPrincipals(s).map(legacyAccountOf).filter((a): a is string => !!a)))];
    return [r.warn(`Statement ${legacy.map(statementName).join(', ')} of the repository policy of ${ref.repository} trusts the legacy CodeBuild account root ${accounts.join(', ')}; CodeBuild now pulls as the service principal codebuild.amazonaws.com.`, {
      subject,
      evidence: { accounts, statements: legacy.map((s) => s.raw) },
      fix: { target: 'repository-policy', account: ref.account, resource: subject, description: 'Remove the legacy statement and allow codebuild.amazonaws.com instead (ecr-doctor adds its own statement; it never removes yours).', command: fixCommandFor(ctx.subject, ctx.facts) },
    })];
  },
};
