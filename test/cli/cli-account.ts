// The spawned CLI cannot send x-moto-account-id. moto maps an access key it created to the
// account it was created in, so an IAM user + key made through clients acting in account X makes
// the child a caller in X (STS GetCallerIdentity answers X; ECR/IAM/CodeBuild read X's backend).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateAccessKeyCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import type { TestClients } from '../support/aws.js';

export interface CliCredentials {
  account: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export async function createCliCredentials(clients: TestClients, userName = 'ecr-doctor-e2e'): Promise<CliCredentials> {
  await clients.iam.send(new CreateUserCommand({ UserName: userName }));
  const key = await clients.iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  const accessKeyId = key.AccessKey?.AccessKeyId;
  const secretAccessKey = key.AccessKey?.SecretAccessKey;
  if (!accessKeyId || !secretAccessKey) throw new Error(`moto returned no access key for ${userName}`);
  return { account: clients.account, accessKeyId, secretAccessKey };
}

/** The child env that makes the CLI act as `creds.account` against `endpoint`. */
export function awsEnv(endpoint: string, creds: CliCredentials): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
  };
}

/**
 * A shared credentials file in `dir` holding `profiles` (each with the same key), for EB folders
 * whose .elasticbeanstalk/config.yml names a profile (the SDK then skips the env key). Returns the
 * env that points the child at it.
 */
export async function writeCredentialsFile(dir: string, creds: CliCredentials, profiles: string[]): Promise<Record<string, string>> {
  const file = join(dir, 'aws-credentials');
  const text = profiles.map((p) => `[${p}]\naws_access_key_id = ${creds.accessKeyId}\naws_secret_access_key = ${creds.secretAccessKey}\n`).join('\n');
  await writeFile(file, text);
  return { AWS_SHARED_CREDENTIALS_FILE: file };
}
