import type { ECRClient } from '@aws-sdk/client-ecr';
import { GetAccountSettingCommand, GetRegistryPolicyCommand } from '@aws-sdk/client-ecr';
import type { Fact } from '../../model/fact.js';
import { absent, present, unreadable } from '../../model/fact.js';
import type { RegistryFacts, RegistryPolicyScope } from '../../model/facts.js';
import { isNamed, isNotAwsResponse, unreadableFrom } from './aws-errors.js';
import { readCreationTemplates, readPullThroughRules } from './ecr-pull-through.js';

export interface RegistryRequest {
  registryId: string;
  region: string;
}

async function readPolicyScope(client: ECRClient): Promise<RegistryFacts['policyScope']> {
  try {
    // ECR API Reference, GetAccountSetting: name REGISTRY_POLICY_SCOPE answers value V1 or V2.
    const out = await client.send(new GetAccountSettingCommand({ name: 'REGISTRY_POLICY_SCOPE' }));
    const value = out.value;
    if (value === 'V1' || value === 'V2') return present({ scope: value satisfies RegistryPolicyScope });
    return unreadable(`ecr:GetAccountSetting answered REGISTRY_POLICY_SCOPE=${JSON.stringify(value ?? null)}, neither V1 nor V2`, 'ecr:GetAccountSetting');
  } catch (e) {
    // The caller's identity was read from this endpoint already, so a non-AWS answer here is an
    // endpoint without this one call (moto 5.2 has no GetAccountSetting), not a wrong endpoint.
    if (isNotAwsResponse(e)) return unreadable('the endpoint does not implement ecr:GetAccountSetting', 'ecr:GetAccountSetting');
    return unreadableFrom(e, 'ecr:GetAccountSetting');
  }
}

async function readRegistryPolicy(client: ECRClient): Promise<RegistryFacts['policy']> {
  try {
    const out = await client.send(new GetRegistryPolicyCommand({}));
    return out.policyText ? present({ text: out.policyText }) : absent();
  } catch (e) {
    // ECR API Reference, GetRegistryPolicy: a registry without a policy answers RegistryPolicyNotFoundException.
    if (isNamed(e, 'RegistryPolicyNotFoundException')) return absent();
    return unreadableFrom(e, 'ecr:GetRegistryPolicy');
  }
}

/**
 * The registry's policy scope and policy. Both calls take no registryId: they read the caller's
 * own registry only, so another account's registry is a fact we cannot read, never an empty one.
 */
export async function readRegistry(client: ECRClient, req: RegistryRequest, callerAccount: Promise<string>): Promise<RegistryFacts> {
  const account = await callerAccount;
  if (account !== req.registryId) {
    const fact: Fact<never> = unreadable(`cannot read from this account: the registry belongs to account ${req.registryId}, and ECR reads a registry policy and its scope only for the caller's own registry (account ${account})`);
    return { registryId: req.registryId, region: req.region, policyScope: fact, policy: fact, pullThroughRules: fact, creationTemplates: fact };
  }
  const [policyScope, policy, pullThroughRules, creationTemplates] = await Promise.all([
    readPolicyScope(client),
    readRegistryPolicy(client),
    readPullThroughRules(client),
    readCreationTemplates(client),
  ]);
  return { registryId: req.registryId, region: req.region, policyScope, policy, pullThroughRules, creationTemplates };
}
