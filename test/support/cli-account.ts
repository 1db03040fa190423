import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { TestClients } from './aws.js';

// The spawned CLI signs with ordinary credentials and cannot send x-moto-account-id. moto maps
// an access key it created to the account it was created in (for every service, with or without
// IAM auth enforcement), so a user + key made through clients acting in account X turns the
// child into a caller in X: STS GetCallerIdentity answers X, and ECR/IAM/CodeBuild read X's backend.

export const ADMIN_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
} as const;

export interface CliAccount {
  account: string;
  userName: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_ENDPOINT_URL for runCli's `env`. */
  env: Record<string, string>;
}

export interface CliAccountOptions {
  /** Defaults to `ecr-doctor-cli`. */
  userName?: string;
  /** The user's inline policy; defaults to allow-all (only matters on a server with IAM auth on). */
  policy?: object;
  /** Where the child sends its requests; defaults to the endpoint the clients use. */
  endpoint?: string;
}

/** Creates an IAM user with an access key in `clients.account`; returns the env that makes the CLI act as that account. */
export async function createCliAccount(clients: TestClients, options: CliAccountOptions = {}): Promise<CliAccount> {
  const userName = options.userName ?? 'ecr-doctor-cli';
  await clients.iam.send(new CreateUserCommand({ UserName: userName }));
  await clients.iam.send(
    new PutUserPolicyCommand({
      UserName: userName,
      PolicyName: `${userName}-policy`,
      PolicyDocument: JSON.stringify(options.policy ?? ADMIN_POLICY),
    }),
  );
  const key = await clients.iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  const accessKeyId = key.AccessKey?.AccessKeyId;
  const secretAccessKey = key.AccessKey?.SecretAccessKey;
  if (!accessKeyId || !secretAccessKey) throw new Error(`createCliAccount: moto returned no access key for ${userName}`);
  const endpoint = options.endpoint ?? (await endpointOf(clients));
  return {
    account: clients.account,
    userName,
    accessKeyId,
    secretAccessKey,
    env: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_ENDPOINT_URL: endpoint },
  };
}

async function endpointOf(clients: TestClients): Promise<string> {
  const provider = clients.iam.config.endpoint;
  if (!provider) throw new Error('createCliAccount: the test clients have no endpoint; pass options.endpoint');
  const ep = await provider();
  const port = ep.port ? `:${ep.port}` : '';
  return `${ep.protocol}//${ep.hostname}${port}${ep.path === '/' ? '' : ep.path}`;
}
