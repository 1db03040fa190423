import { DeleteRepositoryPolicyCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { DeleteRolePolicyCommand, GetRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { PolicyStore } from '../../fix/apply.js';
import { WriteRejectedError } from '../../fix/apply.js';
import { UserError } from '../../model/errors.js';
import { EXIT } from '../../model/exit-code.js';
import { asFatal, CredentialsError, errorName, isNamed, unreadableFrom } from './aws-errors.js';
import type { AwsClients } from './clients.js';
import { readRepositoryPolicy } from './ecr.js';
import { decodePolicyDocument } from './iam.js';

/**
 * A failed write, told apart by what AWS said: an error response (AccessDenied, a bad request,
 * rejected credentials) means the request was refused and nothing was written
 * (WriteRejectedError); no response or a server error (a time-out, a reset, HTTP 5xx) means it
 * may or may not have been applied, and the caller says so with the backup.
 */
function failWrite(e: unknown, permission: string, what: string, resource: string): never {
  const name = errorName(e);
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || status === 403) {
    throw new WriteRejectedError(`cannot write ${what}: AccessDenied on ${permission}`, `grant ${permission} on ${resource} to the identity running ecr-doctor, or apply the --dry-run output another way`);
  }
  const fatal = asFatal(e, permission);
  if (fatal instanceof CredentialsError) throw new WriteRejectedError(`cannot write ${what}: ${fatal.message}`, fatal.hint);
  if (fatal) throw fatal;
  const detail = `${name}: ${(e as Error).message?.split('\n')[0] ?? ''}`;
  if (status !== undefined && status >= 400 && status < 500) throw new WriteRejectedError(`cannot write ${what}: ${detail}`);
  throw new UserError(`cannot write ${what}: ${detail}`, EXIT.incomplete);
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The live PolicyStore: reads through the same readers as doctor; writes never use `force`. */
export function livePolicyStore(clients: AwsClients): PolicyStore {
  return {
    async readRepositoryPolicy(c) {
      const fact = await readRepositoryPolicy(clients.ecrIn(c.region), c.registryId, c.repositoryName);
      if (fact.state === 'unreadable') throw new UserError(`cannot re-read the repository policy of ${c.repositoryName}: ${fact.reason}`, EXIT.incomplete);
      return fact.state === 'present' ? fact.value.text : undefined;
    },
    async writeRepositoryPolicy(c, text) {
      // A role ARN IAM has only just created can be refused as 'Principal not found' for a few seconds (DOMAIN.md §4).
      for (let attempt = 0; ; attempt++) {
        try {
          await clients.ecrIn(c.region).send(new SetRepositoryPolicyCommand({ registryId: c.registryId, repositoryName: c.repositoryName, policyText: text }));
          return;
        } catch (e) {
          if (attempt < 3 && /Principal not found/i.test(String((e as Error).message))) {
            await delay(2000 * (attempt + 1));
            continue;
          }
          failWrite(e, 'ecr:SetRepositoryPolicy', `the repository policy of ${c.repositoryName}`, c.repositoryArn);
        }
      }
    },
    async deleteRepositoryPolicy(c) {
      try {
        await clients.ecrIn(c.region).send(new DeleteRepositoryPolicyCommand({ registryId: c.registryId, repositoryName: c.repositoryName }));
      } catch (e) {
        // Already gone is what a delete wants (DeleteRepositoryPolicy API reference: RepositoryPolicyNotFoundException).
        if (isNamed(e, 'RepositoryPolicyNotFoundException')) return;
        failWrite(e, 'ecr:DeleteRepositoryPolicy', `the repository policy of ${c.repositoryName}`, c.repositoryArn);
      }
    },
    async readRolePolicy(c) {
      try {
        const out = await clients.iam.send(new GetRolePolicyCommand({ RoleName: c.roleName, PolicyName: c.policyName }));
        return out.PolicyDocument ? decodePolicyDocument(out.PolicyDocument) : undefined;
      } catch (e) {
        if (isNamed(e, 'NoSuchEntity', 'NoSuchEntityException')) return undefined;
        const fact = unreadableFrom<never>(e, 'iam:GetRolePolicy');
        throw new UserError(`cannot re-read the inline policy ${c.policyName} of ${c.roleName}: ${fact.state === 'unreadable' ? fact.reason : 'unknown error'}`, EXIT.incomplete);
      }
    },
    async writeRolePolicy(c, text) {
      try {
        await clients.iam.send(new PutRolePolicyCommand({ RoleName: c.roleName, PolicyName: c.policyName, PolicyDocument: text }));
      } catch (e) {
        failWrite(e, 'iam:PutRolePolicy', `the inline policy ${c.policyName} of ${c.roleName}`, c.roleArn);
      }
    },
    async deleteRolePolicy(c) {
      try {
        await clients.iam.send(new DeleteRolePolicyCommand({ RoleName: c.roleName, PolicyName: c.policyName }));
      } catch (e) {
        if (isNamed(e, 'NoSuchEntity', 'NoSuchEntityException')) return;
        failWrite(e, 'iam:DeleteRolePolicy', `the inline policy ${c.policyName} of ${c.roleName}`, c.roleArn);
      }
    },
  };
}
