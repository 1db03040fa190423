/**
 * What fix plans for a registryCredential (SERVICE_ROLE mode, an image outside ECR): the role
 * statements that let the service role read the secret and decrypt it with its customer managed
 * key. Pure. Where no role statement can help (a missing secret, a Deny, a key policy that does
 * not admit the account) it says so in a note instead.
 */
import { rolePolicies, parseOrThrow } from '../checks/pull-access.js';
import { evaluateKeyDecrypt, evaluateSecretRead, secretLocation } from '../checks/secret-access.js';
import type { PullSubject } from '../checks/subjects.js';
import type { KeyGrant } from '../grants/secret-grants.js';
import { parseArn } from '../model/arn.js';
import type { Facts } from '../model/facts.js';

export interface SecretWant {
  roleArn: string;
  secretArn?: string;
  keyGrant?: KeyGrant;
  why: string;
}

export function planSecretRead(facts: Facts, s: PullSubject): { wants: SecretWant[]; notes: string[] } {
  const none = { wants: [], notes: [] };
  const cred = s.registryCredential;
  const ref = s.imageRef;
  if (!cred || s.mode !== 'SERVICE_ROLE' || ref.kind === 'ecr' || ref.kind === 'curated' || ref.kind === 'invalid') return none;
  const { region, key } = secretLocation(cred.credential, s.region);
  const secretFacts = facts.secrets?.[key];
  const roleArn = s.serviceRoleArn;
  const role = roleArn ? facts.roles[roleArn] : undefined;
  if (!secretFacts || secretFacts.secret.state !== 'present') {
    return { wants: [], notes: [`${s.label}: the registry credential ${cred.credential} is missing or unreadable in ${region}; fix writes no grant for it.`] };
  }
  if (!roleArn || !role || role.role.state !== 'present' || role.inlinePolicies.state !== 'present' || role.attachedPolicies.state !== 'present' || role.permissionsBoundary.state === 'unreadable' || secretFacts.resourcePolicy.state === 'unreadable') {
    return { wants: [], notes: [`${s.label}: the service role or the secret's resource policy could not be read, so fix plans nothing for the registry credential.`] };
  }
  const secret = secretFacts.secret.value;
  const roleAccount = parseArn(roleArn)?.account ?? s.account ?? '';
  const policies = rolePolicies(role);
  const resourcePolicy = secretFacts.resourcePolicy.state === 'present' ? parseOrThrow('the resource policy of the secret', secretFacts.resourcePolicy.value.text) : undefined;
  const read = evaluateSecretRead(roleArn, roleAccount, secret.arn, region, policies, resourcePolicy);
  const wants: SecretWant[] = [];
  const notes: string[] = [];
  if (read.decision === 'explicit-deny') return { wants, notes: [`${s.label}: a Deny keeps ${roleArn} from reading ${secret.arn}; fix never edits statements it did not write: change or remove it yourself.`] };
  if (read.decision === 'implicit-deny') {
    if (read.parts.boundary === 'implicit-deny') notes.push(`${s.label}: the permissions boundary of ${roleArn} does not allow secretsmanager:GetSecretValue; fix does not edit boundaries.`);
    else wants.push({ roleArn, secretArn: secret.arn, why: `let ${roleArn} read the registry credential ${secret.arn} (secretsmanager:GetSecretValue)` });
  }
  const keyFacts = secretFacts.kmsKey;
  const keyPolicy = secretFacts.keyPolicy;
  if (secret.kmsKeyId && keyFacts?.state === 'present' && keyFacts.value.keyManager === 'CUSTOMER') {
    if (keyPolicy?.state !== 'present') {
      notes.push(`${s.label}: the key policy of ${keyFacts.value.arn} could not be read; fix cannot tell whether ${roleArn} may decrypt the secret.`);
    } else {
      const decrypt = evaluateKeyDecrypt(roleArn, roleAccount, keyFacts.value.arn, secret.arn, region, policies, parseOrThrow('the key policy', keyPolicy.value.text));
      if (decrypt.decision === 'implicit-deny' && decrypt.parts.identity !== 'allowed' && decrypt.parts.boundary !== 'implicit-deny') {
        wants.push({ roleArn, keyGrant: { keyArn: keyFacts.value.arn, region }, why: `let ${roleArn} decrypt it with ${keyFacts.value.arn} through Secrets Manager (kms:Decrypt, kms:ViaService)` });
      } else if (decrypt.decision === 'implicit-deny') {
        notes.push(`${s.label}: the key policy of ${keyFacts.value.arn} (or the role's boundary) does not let ${roleArn} use the key; fix writes role policies only: add the role or its account to the key policy.`);
      } else if (decrypt.decision === 'explicit-deny') {
        notes.push(`${s.label}: a Deny keeps ${roleArn} from using ${keyFacts.value.arn}; fix never edits statements it did not write.`);
      }
    }
  }
  return { wants, notes };
}
