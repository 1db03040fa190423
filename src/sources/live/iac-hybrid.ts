import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { parseArn } from '../../model/arn.js';
import { IncompleteError } from '../../model/errors.js';
import type { CallerIdentity, FactLocation, Facts } from '../../model/facts.js';
import { asFatal, errorName } from './aws-errors.js';
import type { AwsClients } from './clients.js';
import { readRepository } from './ecr.js';
import { readRegistry } from './ecr-registry.js';
import { readRole } from './iam.js';
import { mapLimited } from './limit.js';

export async function readCallerIdentity(clients: AwsClients): Promise<CallerIdentity> {
  try {
    const out = await clients.sts.send(new GetCallerIdentityCommand({}));
    if (!out.Account) throw new IncompleteError('sts:GetCallerIdentity returned no account: the endpoint did not answer like AWS', 'check --endpoint-url, --region and any proxy in between');
    const arn = out.Arn ?? '';
    return { account: out.Account, arn, partition: parseArn(arn)?.partition ?? 'aws' };
  } catch (e) {
    if (e instanceof IncompleteError) throw e;
    throw asFatal(e, 'sts:GetCallerIdentity') ?? new IncompleteError(`cannot tell who ecr-doctor runs as: ${errorName(e)} on sts:GetCallerIdentity`, 'check the credentials, --endpoint-url and --region');
  }
}

const LIVE: FactLocation = { source: 'live' };

/**
 * `--live` with infrastructure code (issue 13): what the code refers to but does not define (an
 * existing repository, a role of another stack) is read from AWS and merged into the same Facts;
 * for repositories the code defines, the images already pushed are read too (the code itself is
 * what will be deployed, so its policy is kept). Returns what came from where, for --verbose.
 */
export async function mergeLiveFacts(clients: AwsClients, facts: Facts): Promise<string[]> {
  const said: string[] = [];
  const locations = (facts.locations ??= {});
  await mapLimited(Object.values(facts.repositories), 4, async (repo) => {
    const references = Object.keys(repo.images);
    const live = await readRepository(clients.ecr, { arn: repo.arn, registryId: repo.registryId, region: repo.region, name: repo.name, references });
    if (repo.repository.state === 'present') {
      // Defined in code: a repository that exists already lends its images; a new one has none yet.
      if (live.repository.state !== 'present') return;
      repo.images = live.images;
      if (live.knownTags) repo.knownTags = live.knownTags;
      said.push(`${repo.name}: policy from the code, images read from AWS`);
      return;
    }
    facts.repositories[repo.arn] = live;
    locations[repo.arn] = { ...LIVE, ...(locations[repo.arn]?.address ? { address: locations[repo.arn]!.address! } : {}) };
    said.push(`${repo.name}: read from AWS (not defined in the code)`);
  });
  await mapLimited(Object.values(facts.roles), 4, async (role) => {
    if (role.role.state === 'present') return;
    facts.roles[role.arn] = await readRole(clients.iam, role.arn);
    locations[role.arn] = LIVE;
    said.push(`${role.arn}: read from AWS (not defined in the code)`);
  });
  // Registries: the code's own registry policy is kept (it is what will be deployed), its scope
  // and pull-through rules read; a registry the code does not define is read whole.
  const caller = facts.caller.state === 'present' ? Promise.resolve(facts.caller.value.account) : readCallerIdentity(clients).then((c) => c.account);
  await mapLimited(Object.entries(facts.registries ?? {}), 4, async ([key, registry]) => {
    const live = await readRegistry(clients.ecrIn(registry.region), { registryId: registry.registryId, region: registry.region }, caller);
    const defined = locations[`registry:${key}`] !== undefined;
    facts.registries![key] = defined ? { ...live, policy: registry.policy } : live;
    said.push(`registry ${registry.registryId} (${registry.region}): ${defined ? 'policy from the code, its scope read from AWS' : 'policy read from AWS (not defined in the code)'}`);
  });
  return said;
}
