import { SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { GetRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { PolicyStore } from '../../fix/apply.js';
import { UserError } from '../../model/errors.js';
import { EXIT } from '../../model/exit-code.js';
import { asFatal, errorName, isNamed, unreadableFrom } from './aws-errors.js';
import type { AwsClients } from './clients.js';
import { readRepositoryPolicy } from './ecr.js';
import { decodePolicyDocument } from './iam.js';

function failWrite(e: unknown, permission: string, what: string): never {
  const fatal = asFatal(e);
  if (fatal) throw fatal;
  const name = errorName(e);
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || status === 403) {
    throw new UserError(`cannot write ${what}: AccessDenied on ${permission}`, EXIT.incomplete, `grant ${permission} to the identity running ecr-doctor, or apply the --dry-run output another way`);
  }
  throw new UserError(`cannot write ${what}: ${name}: ${(e as Error).message?.split('\n')[0] ?? ''}`, EXIT.incomplete);
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
          failWrite(e, 'ecr:SetRepositoryPolicy', `the repository policy of ${c.repositoryName}`);
        }
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
        failWrite(e, 'iam:PutRolePolicy', `the inline policy ${c.policyName} of ${c.roleName}`);
      }
    },
  };
}
