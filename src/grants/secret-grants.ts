/**
 * The role statements `fix` writes so the service role can read a registryCredential secret
 * (DOMAIN.md §1): GetSecretValue on the secret, and kms:Decrypt on its customer managed key only
 * through Secrets Manager of that region (kms:ViaService, KMS Developer Guide "kms:ViaService").
 * They live in ecr-doctor's own inline role policy next to the pull grants, owned by Sid + shape
 * (fix/ownership.ts).
 */
export const SECRET_READ_SID = 'EcrDoctorRegistryCredentialRead';
export const SECRET_DECRYPT_SID = 'EcrDoctorRegistryCredentialDecrypt';

export interface KeyGrant {
  keyArn: string;
  region: string;
}

const one = (xs: string[]) => (xs.length === 1 ? xs[0] : xs);

export function secretReadStatements(secretArns: readonly string[], keys: readonly KeyGrant[]): Record<string, unknown>[] {
  const arns = [...new Set(secretArns)].sort();
  const statements: Record<string, unknown>[] = [];
  if (arns.length) statements.push({ Sid: SECRET_READ_SID, Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: one(arns) });
  const keyArns = [...new Set(keys.map((k) => k.keyArn))].sort();
  const services = [...new Set(keys.map((k) => `secretsmanager.${k.region}.amazonaws.com`))].sort();
  if (keyArns.length) {
    statements.push({ Sid: SECRET_DECRYPT_SID, Effect: 'Allow', Action: 'kms:Decrypt', Resource: one(keyArns), Condition: { StringEquals: { 'kms:ViaService': one(services) } } });
  }
  return statements;
}
