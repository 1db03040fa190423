import { secretReadStatements } from '../grants/secret-grants.js';
import { parseArn } from '../model/arn.js';
import type { Result } from '../model/result.js';
import type { Evaluation } from '../policy/index.js';
import { explainEvaluation } from '../policy/index.js';
import type { Check } from './check.js';
import { resultsFor, unreadableMessage } from './check.js';
import { statementName } from './policy-statements.js';
import { parseOrThrow, rolePolicies } from './pull-access.js';
import { GET_SECRET_VALUE, KMS_DECRYPT, evaluateKeyDecrypt, evaluateSecretRead, secretLocation } from './secret-access.js';

function denyWords(e: Evaluation): string {
  return e.deciding.map((d) => `statement ${statementName(d)} of ${d.policy}`).join(', ');
}

/**
 * registryCredential (SERVICE_ROLE mode, an image outside ECR): the secret exists, the role may
 * read it, and may decrypt it with its customer managed key (DOMAIN.md §1). The doctor never
 * reads the secret's value: only DescribeSecret, GetResourcePolicy, DescribeKey, GetKeyPolicy.
 */
export const registryCredential: Check = {
  id: 'registry-credential',
  run(ctx) {
    const { subject, role } = ctx;
    const cred = subject.registryCredential;
    // ECR images: pull-mode says the credential is ignored; curated images and CODEBUILD mode: pull-mode fails them.
    if (!cred || subject.mode !== 'SERVICE_ROLE' || subject.imageRef.kind === 'ecr' || subject.imageRef.kind === 'curated' || subject.imageRef.kind === 'invalid') return [];
    const r = resultsFor('registry-credential', ctx);
    const { region, key } = secretLocation(cred.credential, subject.region);
    const evidence: Record<string, unknown> = { credential: cred.credential, region };
    const facts = ctx.facts.secrets?.[key];
    if (!facts) return [r.error(`could not check the registry credential ${cred.credential}: it was not read`, { evidence })];
    if (facts.secret.state === 'unreadable') return [r.error(unreadableMessage(`the registry credential ${cred.credential}`, facts.secret), { evidence })];
    if (facts.secret.state === 'absent') {
      const byName = !cred.credential.startsWith('arn:');
      return [r.fail(`The registryCredential secret ${cred.credential} does not exist in ${region}${byName ? ' (a secret named without its ARN is looked up in the project\'s region only)' : ''}: CodeBuild cannot log in to the registry.`, {
        evidence,
        fix: { target: 'project-setting', ...(subject.projectArn ? { resource: subject.projectArn } : {}), description: `Create the secret (JSON with "username" and "password") in ${region}, or point registryCredential.credential at the ARN of an existing one.` },
      })];
    }
    const secret = facts.secret.value;
    evidence.secretArn = secret.arn;
    const roleArn = subject.serviceRoleArn;
    if (!roleArn) return [r.fail('The project reads a registry credential in SERVICE_ROLE mode but has no service role.', { evidence })];
    if (!role) return [r.error(`could not check whether ${roleArn} may read ${secret.arn}: the role was not read`, { evidence })];
    if (role.role.state === 'absent') return [r.fail(`The service role ${roleArn} does not exist, so nothing can read the secret ${secret.arn}.`, { evidence })];
    const unreadable: Result[] = [];
    for (const [what, fact] of [
      ['the service role', role.role],
      [`the inline policies of ${roleArn}`, role.inlinePolicies],
      [`the managed policies of ${roleArn}`, role.attachedPolicies],
      [`the permissions boundary of ${roleArn}`, role.permissionsBoundary],
      [`the resource policy of ${secret.arn}`, facts.resourcePolicy],
    ] as const) {
      if (fact.state === 'unreadable') unreadable.push(r.error(unreadableMessage(what, fact), { evidence }));
    }
    if (unreadable.length > 0) return unreadable;

    const roleAccount = parseArn(roleArn)?.account ?? subject.account ?? '';
    const policies = rolePolicies(role);
    const resourcePolicy = facts.resourcePolicy.state === 'present' ? parseOrThrow('the resource policy of the secret', facts.resourcePolicy.value.text) : undefined;
    const read = evaluateSecretRead(roleArn, roleAccount, secret.arn, region, policies, resourcePolicy);
    evidence.getSecretValue = read.decision;
    const grant = (keyArn?: string) => ({
      target: 'role-policy' as const,
      account: roleAccount,
      resource: roleArn,
      description: `Allow ${roleArn} ${GET_SECRET_VALUE} on ${secret.arn}${keyArn ? ` and ${KMS_DECRYPT} on ${keyArn} through Secrets Manager` : ''} (fix writes this into ecr-doctor's inline role policy).`,
      statement: secretReadStatements([secret.arn], keyArn ? [{ keyArn, region }] : []),
    });
    if (read.decision === 'explicit-deny') return [r.fail(`${denyWords(read)} denies ${roleArn} ${GET_SECRET_VALUE} on ${secret.arn}; fix never edits statements it did not write.`, { evidence: { ...evidence, explanation: explainEvaluation(read) } })];
    if (read.decision === 'implicit-deny') {
      const boundary = read.parts.boundary === 'implicit-deny' ? ` (the permissions boundary does not allow it either)` : '';
      return [r.fail(`The service role ${roleArn} may not ${GET_SECRET_VALUE} on the registry credential ${secret.arn}: no policy allows it${boundary}, so CodeBuild cannot log in to the registry.`, { evidence: { ...evidence, explanation: explainEvaluation(read) }, fix: grant() })];
    }
    if (read.decision === 'undecidable') return [r.warn(`Cannot decide whether ${roleArn} may ${GET_SECRET_VALUE} on ${secret.arn}: a condition depends on what ecr-doctor cannot know (${read.undecidable[0]?.why ?? 'a condition'}).`, { evidence })];

    if (!secret.kmsKeyId) return [r.pass(`The service role ${roleArn} may read the registry credential ${secret.arn} (encrypted with the AWS managed key aws/secretsmanager, which needs no grant).`, { evidence })];
    evidence.kmsKeyId = secret.kmsKeyId;
    const keyFact = facts.kmsKey;
    if (!keyFact) return [r.error(`could not check ${KMS_DECRYPT} with the key ${secret.kmsKeyId} of ${secret.arn}: the key was not read`, { evidence })];
    if (keyFact.state === 'unreadable') return [r.error(unreadableMessage(`${KMS_DECRYPT} with the key ${secret.kmsKeyId} of ${secret.arn}`, keyFact), { evidence })];
    if (keyFact.state === 'absent') return [r.fail(`The KMS key ${secret.kmsKeyId} of the secret ${secret.arn} does not exist: the secret cannot be decrypted.`, { evidence })];
    const keyArn = keyFact.value.arn;
    evidence.kmsKeyArn = keyArn;
    if (keyFact.value.keyManager !== 'CUSTOMER') return [r.pass(`The service role ${roleArn} may read the registry credential ${secret.arn} (its key ${keyArn} is AWS managed).`, { evidence })];
    const keyPolicy = facts.keyPolicy;
    if (!keyPolicy || keyPolicy.state === 'absent') return [r.error(`could not check ${KMS_DECRYPT} with the customer managed key ${keyArn}: its key policy was not read`, { evidence })];
    if (keyPolicy.state === 'unreadable') return [r.error(unreadableMessage(`${KMS_DECRYPT} with the customer managed key ${keyArn} (the key policy decides)`, keyPolicy), { evidence })];
    const decrypt = evaluateKeyDecrypt(roleArn, roleAccount, keyArn, secret.arn, region, policies, parseOrThrow('the key policy', keyPolicy.value.text));
    evidence.kmsDecrypt = decrypt.decision;
    if (decrypt.decision === 'allowed') return [r.pass(`The service role ${roleArn} may read the registry credential ${secret.arn} and decrypt it with ${keyArn}.`, { evidence })];
    if (decrypt.decision === 'undecidable') return [r.warn(`Cannot decide whether ${roleArn} may ${KMS_DECRYPT} with ${keyArn}: ${decrypt.undecidable[0]?.why ?? 'a condition depends on what ecr-doctor cannot know'}.`, { evidence })];
    if (decrypt.decision === 'explicit-deny') return [r.fail(`${denyWords(decrypt)} denies ${roleArn} ${KMS_DECRYPT} with ${keyArn}, the key of ${secret.arn}.`, { evidence: { ...evidence, explanation: explainEvaluation(decrypt) } })];
    const keyPolicyOnly = decrypt.parts.identity === 'allowed';
    return [r.fail(
      keyPolicyOnly
        ? `The key policy of ${keyArn} lets neither ${roleArn} nor its account use the key, so the role cannot decrypt ${secret.arn}; an identity policy alone cannot grant a KMS key.`
        : `The service role ${roleArn} may not ${KMS_DECRYPT} with ${keyArn}, the customer managed key of ${secret.arn}, so the secret cannot be read.`,
      { evidence: { ...evidence, explanation: explainEvaluation(decrypt) }, ...(keyPolicyOnly ? {} : { fix: grant(keyArn) }) },
    )];
  },
};
