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

export function viaSecretsManager(region: string): string {
  return `secretsmanager.${region}.amazonaws.com`;
}

/** The statements for these secrets and keys; `viaServices` are kms:ViaService values (one per region). */
export function secretGrantStatements(secretArns: readonly string[], keyArns: readonly string[], viaServices: readonly string[]): Record<string, unknown>[] {
  const arns = [...new Set(secretArns)].sort();
  const keys = [...new Set(keyArns)].sort();
  const services = [...new Set(viaServices)].sort();
  const statements: Record<string, unknown>[] = [];
  if (arns.length) statements.push({ Sid: SECRET_READ_SID, Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: one(arns) });
  if (keys.length) statements.push({ Sid: SECRET_DECRYPT_SID, Effect: 'Allow', Action: 'kms:Decrypt', Resource: one(keys), Condition: { StringEquals: { 'kms:ViaService': one(services) } } });
  return statements;
}

export function secretReadStatements(secretArns: readonly string[], keys: readonly KeyGrant[]): Record<string, unknown>[] {
  return secretGrantStatements(secretArns, keys.map((k) => k.keyArn), keys.map((k) => viaSecretsManager(k.region)));
}
