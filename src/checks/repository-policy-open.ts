import type { PolicyStatement } from '../policy/index.js';
import type { Check } from './check.js';
import { resultsFor, unreadableMessage } from './check.js';
import { statementName, isEveryone, readablePolicy, servicePrincipals, statementCoversAction } from './policy-statements.js';
import { CODEBUILD_SERVICE } from './pull-access.js';

/**
 * Condition keys that tie a service principal's request to the resource or account it acts for.
 * Without one, any account's CodeBuild project can pull: the confused-deputy problem (IAM User
 * Guide, "The confused deputy problem", https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html;
 * CodeBuild User Guide, "Cross-service confused deputy prevention").
 */
const SOURCE_KEYS = ['aws:sourceaccount', 'aws:sourcearn', 'aws:sourceorgid', 'aws:sourceorgpaths'];

function namesSource(s: PolicyStatement): boolean {
  return Object.values(s.condition ?? {}).some((block) => Object.keys(block).some((key) => SOURCE_KEYS.includes(key.toLowerCase())));
}

const pulls = (s: PolicyStatement) => s.effect === 'Allow' && statementCoversAction(s, 'ecr:BatchGetImage');

export const repositoryPolicyOpen: Check = {
  id: 'repository-policy-open',
  run(ctx) {
    const ref = ctx.subject.imageRef;
    if (ref.kind !== 'ecr' || !ctx.repository || ctx.repository.repository.state !== 'present') return [];
    const r = resultsFor('repository-policy-open', ctx);
    const subject = ref.repositoryArn;
    if (ctx.repository.policy.state === 'unreadable') return [r.skip(`not checked: ${unreadableMessage(`whether the repository policy of ${ref.repository} is open`, ctx.repository.policy)}.`, { subject })];
    const policy = readablePolicy(ctx.repository);
    if (!policy) return [];
    const results = [];
    // An Allow with NotPrincipal allows every principal it does not name: almost everyone.
    const open = policy.statements.filter((s) => pulls(s) && !s.condition && (isEveryone(s) || s.notPrincipal !== undefined));
    if (open.length > 0) {
      const everyone = open.filter((s) => s.notPrincipal === undefined).map(statementName);
      const allBut = open.filter((s) => s.notPrincipal !== undefined).map(statementName);
      const what = [
        ...(everyone.length ? [`${everyone.join(', ')} let${everyone.length === 1 ? 's' : ''} every AWS principal pull`] : []),
        ...(allBut.length ? [`${allBut.join(', ')} let${allBut.length === 1 ? 's' : ''} every principal except those its NotPrincipal names pull`] : []),
      ].join('; ');
      results.push(r.warn(`Statement ${what} from ${ref.repository}, with no condition.`, {
        subject,
        evidence: { statements: open.map((s) => s.raw) },
        fix: { target: 'repository-policy', account: ref.account, resource: subject, description: `Replace Principal "*" or NotPrincipal with the principals that need to pull (codebuild.amazonaws.com with aws:SourceAccount/aws:SourceArn, or named roles or accounts).` },
      }));
    }
    const deputy = policy.statements.filter((s) => pulls(s) && servicePrincipals(s).includes(CODEBUILD_SERVICE) && !namesSource(s));
    if (deputy.length > 0) {
      results.push(r.warn(`Statement ${deputy.map(statementName).join(', ')} of the repository policy of ${ref.repository} lets ${CODEBUILD_SERVICE} pull with no aws:SourceAccount or aws:SourceArn condition, so a CodeBuild project in any AWS account can pull the image (the confused-deputy problem). ecr-doctor fix writes the conditioned form; condition or remove this statement yourself (fix never edits statements it did not write).`, {
        subject,
        evidence: { statements: deputy.map((s) => s.raw) },
        fix: { target: 'repository-policy', account: ref.account, resource: subject, description: `Condition the statement on aws:SourceAccount (${ref.account}) and aws:SourceArn (the projects that pull), as AWS's confused-deputy guidance asks (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).` },
      }));
    }
    if (results.length === 0) return [r.pass(`No statement of the repository policy lets any principal pull without a condition.`, { subject })];
    return results;
  },
};
