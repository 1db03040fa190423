import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { TestClients, TestCredentials } from './aws.js';

// moto's IAM enforcement is ONE switch for the whole server (POST /moto-api/reset-auth with the
// number of requests still let through unchecked), so never flip it on the shared server from
// globalSetup: other files running in parallel would start failing. Start a private server with
// startMotoServer() in the test file, set users up first, then enableIamAuth().

async function postResetAuth(endpoint: string, body: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body });
  if (!res.ok) throw new Error(`moto reset-auth failed: HTTP ${res.status}`);
}

/** From now on every request must be signed by a moto-created access key and allowed by its IAM policies. */
export function enableIamAuth(endpoint: string): Promise<void> {
  return postResetAuth(endpoint, '0');
}

/** Back to moto's default: nothing checked. */
export function disableIamAuth(endpoint: string): Promise<void> {
  return postResetAuth(endpoint, 'inf');
}

/**
 * Creates IAM user `userName` with one inline identity policy and returns its access key.
 * Call while auth is still off. With auth on, moto takes the account from the access key.
 */
export async function createRestrictedCredentials(
  admin: TestClients,
  userName: string,
  policy: object,
): Promise<TestCredentials> {
  await admin.iam.send(new CreateUserCommand({ UserName: userName }));
  await admin.iam.send(
    new PutUserPolicyCommand({ UserName: userName, PolicyName: `${userName}-policy`, PolicyDocument: JSON.stringify(policy) }),
  );
  const key = await admin.iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  const accessKeyId = key.AccessKey?.AccessKeyId;
  const secretAccessKey = key.AccessKey?.SecretAccessKey;
  if (!accessKeyId || !secretAccessKey) throw new Error('moto returned no access key');
  return { accessKeyId, secretAccessKey };
}
