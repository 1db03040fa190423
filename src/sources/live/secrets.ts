import type { KMSClient } from '@aws-sdk/client-kms';
import { DescribeKeyCommand, GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeSecretCommand, GetResourcePolicyCommand } from '@aws-sdk/client-secrets-manager';
import type { Fact } from '../../model/fact.js';
import { absent, present } from '../../model/fact.js';
import type { KmsKeyInfo, SecretFacts, SecretInfo } from '../../model/facts.js';
import { isNamed, unreadableFrom } from './aws-errors.js';

/** What a registryCredential secret needs: never GetSecretValue, the doctor never reads a secret's value. */
export interface SecretRequest {
  credential: string;
  region: string;
}

async function describeSecret(client: SecretsManagerClient, id: string): Promise<Fact<SecretInfo>> {
  try {
    const out = await client.send(new DescribeSecretCommand({ SecretId: id }));
    // A secret scheduled for deletion cannot be read (GetSecretValue: InvalidRequestException): as good as gone.
    if (out.DeletedDate) return absent();
    return present({ arn: out.ARN ?? id, name: out.Name ?? id, ...(out.KmsKeyId ? { kmsKeyId: out.KmsKeyId } : {}) });
  } catch (e) {
    if (isNamed(e, 'ResourceNotFoundException')) return absent();
    return unreadableFrom(e, 'secretsmanager:DescribeSecret');
  }
}

async function readResourcePolicy(client: SecretsManagerClient, id: string): Promise<Fact<{ text: string }>> {
  try {
    const out = await client.send(new GetResourcePolicyCommand({ SecretId: id }));
    return out.ResourcePolicy ? present({ text: out.ResourcePolicy }) : absent();
  } catch (e) {
    if (isNamed(e, 'ResourceNotFoundException')) return absent();
    return unreadableFrom(e, 'secretsmanager:GetResourcePolicy');
  }
}

async function describeKey(client: KMSClient, keyId: string): Promise<Fact<KmsKeyInfo>> {
  try {
    const out = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
    const meta = out.KeyMetadata;
    if (!meta?.Arn) return absent();
    return present({ arn: meta.Arn, keyManager: meta.KeyManager ?? 'CUSTOMER' });
  } catch (e) {
    if (isNamed(e, 'NotFoundException')) return absent();
    return unreadableFrom(e, 'kms:DescribeKey');
  }
}

async function readKeyPolicy(client: KMSClient, keyArn: string): Promise<Fact<{ text: string }>> {
  try {
    // "default" is the only key policy name KMS has (API reference, GetKeyPolicy.PolicyName).
    const out = await client.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }));
    return out.Policy ? present({ text: out.Policy }) : absent();
  } catch (e) {
    if (isNamed(e, 'NotFoundException')) return absent();
    return unreadableFrom(e, 'kms:GetKeyPolicy');
  }
}

/**
 * The secret, its resource policy and, when it names a key, the key and its policy. DescribeSecret
 * and GetResourcePolicy go out together; the key is read once DescribeSecret has named it. The
 * key policy matters only for a customer managed key (an AWS managed key's policy allows use
 * through Secrets Manager to the account: KMS Developer Guide, "AWS managed keys").
 */
export async function readSecret(secrets: SecretsManagerClient, kms: () => Promise<KMSClient>, req: SecretRequest): Promise<SecretFacts> {
  const [secret, resourcePolicy] = await Promise.all([describeSecret(secrets, req.credential), readResourcePolicy(secrets, req.credential)]);
  const base: SecretFacts = { credential: req.credential, region: req.region, secret, resourcePolicy: secret.state === 'absent' ? absent() : resourcePolicy };
  if (secret.state !== 'present' || !secret.value.kmsKeyId) return base;
  const keyId = secret.value.kmsKeyId;
  const client = await kms();
  // A key ARN can be read at once; an alias must be resolved by DescribeKey first (GetKeyPolicy takes no alias).
  const isKeyArn = /^arn:[^:]+:kms:[^:]+:\d{12}:key\//.test(keyId);
  const [kmsKey, early] = await Promise.all([describeKey(client, keyId), isKeyArn ? readKeyPolicy(client, keyId) : Promise.resolve(undefined)]);
  if (kmsKey.state !== 'present') return { ...base, kmsKey };
  if (kmsKey.value.keyManager !== 'CUSTOMER') return { ...base, kmsKey };
  return { ...base, kmsKey, keyPolicy: early ?? (await readKeyPolicy(client, kmsKey.value.arn)) };
}
