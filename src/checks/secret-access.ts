/**
 * Who may read a registryCredential secret: the service role's GetSecretValue on the secret and,
 * for a customer managed key, kms:Decrypt through Secrets Manager. Pure: the engine decides.
 */
import type { ContextValue, Evaluation, PolicyDocument } from '../policy/index.js';
import { evaluateAccess } from '../policy/index.js';
import type { RolePolicies } from './pull-access.js';
import { codebuildRoleSession, roleSessionContext } from './pull-access.js';

export const GET_SECRET_VALUE = 'secretsmanager:GetSecretValue';
export const KMS_DECRYPT = 'kms:Decrypt';

/** Any other account than the caller's: makes the engine demand both sides (see evaluateKeyDecrypt). */
const ELSEWHERE = '000000000000';

export function evaluateSecretRead(roleArn: string, roleAccount: string, secretArn: string, region: string, policies: RolePolicies, resourcePolicy: PolicyDocument | undefined): Evaluation {
  const secretAccount = /^arn:[^:]+:secretsmanager:[^:]*:(\d{12}):/.exec(secretArn)?.[1] ?? roleAccount;
  return evaluateAccess({
    request: {
      principal: codebuildRoleSession(roleArn, roleAccount),
      action: GET_SECRET_VALUE,
      resource: secretArn,
      context: roleSessionContext(roleArn, roleAccount, region, secretAccount),
      unlistedKeys: 'unknown',
    },
    ...(resourcePolicy ? { resourcePolicy, resourcePolicyName: 'the resource policy of the secret' } : {}),
    resourceAccount: secretAccount,
    identityPolicies: policies.identity,
    ...(policies.boundary ? { permissionsBoundary: policies.boundary } : {}),
  });
}

/**
 * kms:Decrypt with the secret's key, as Secrets Manager calls it for the role. The KMS
 * Developer Guide ("Key policies in AWS KMS"): "Unless the key policy explicitly allows it, you
 * cannot use IAM policies to allow access to a KMS key." So, unlike ECR, an identity policy alone
 * is not enough in the same account: the key policy must name the role, or name the account
 * (the default "Enable IAM User Permissions" statement) and leave it to the identity policies.
 * The second path is the engine's cross-account rule (both sides must allow), so it is asked
 * with the key's owner set to another account.
 */
export function evaluateKeyDecrypt(roleArn: string, roleAccount: string, keyArn: string, secretArn: string, region: string, policies: RolePolicies, keyPolicy: PolicyDocument): Evaluation {
  const keyAccount = /^arn:[^:]+:kms:[^:]*:(\d{12}):/.exec(keyArn)?.[1] ?? roleAccount;
  const context: Record<string, ContextValue> = {
    ...roleSessionContext(roleArn, roleAccount, region, keyAccount),
    'kms:ViaService': `secretsmanager.${region}.amazonaws.com`,
    'kms:CallerAccount': roleAccount,
    'kms:EncryptionContext:SecretARN': secretArn,
    // Whether Secrets Manager's call to KMS carries aws:CalledVia is not documented: unknown, never a guess.
    'aws:CalledVia': { unknown: true },
    'aws:CalledViaFirst': { unknown: true },
    'aws:CalledViaLast': { unknown: true },
  };
  const input = {
    request: { principal: codebuildRoleSession(roleArn, roleAccount), action: KMS_DECRYPT, resource: keyArn, context, unlistedKeys: 'unknown' as const },
    resourcePolicy: keyPolicy,
    resourcePolicyName: 'the key policy',
    identityPolicies: policies.identity,
    ...(policies.boundary ? { permissionsBoundary: policies.boundary } : {}),
  };
  if (keyAccount !== roleAccount) return evaluateAccess({ ...input, resourceAccount: keyAccount });
  const direct = evaluateAccess({ ...input, resourceAccount: keyAccount });
  if (direct.decision === 'explicit-deny') return direct;
  // The key policy itself grants the role (its ARN, the session, or "*"): identity policies do not matter.
  if (direct.decision === 'allowed' && direct.parts.resource === 'allowed') return direct;
  return evaluateAccess({ ...input, resourceAccount: ELSEWHERE });
}

/**
 * Where the secret is read: an ARN names its region; a name resolves only in the project's
 * region (API reference, RegistryCredential.credential: "The credential can use the name of the
 * credentials only if they exist in your current AWS Region").
 */
export function secretLocation(credential: string, projectRegion: string): { region: string; key: string } {
  const region = /^arn:[^:]+:secretsmanager:([^:]+):/.exec(credential)?.[1] ?? projectRegion;
  return { region, key: `${region}|${credential}` };
}
