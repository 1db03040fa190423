import { IncompleteError } from '../../model/errors.js';
import { errorName, isNamed, unreadableFrom } from './aws-errors.js';
import type { AwsClients } from './clients.js';

/** An account of the organization, as ListAccounts names it. */
export interface OrganizationAccount {
  id: string;
  name?: string;
}

/**
 * The organization's ACTIVE accounts (Organizations API Reference, ListAccounts: callable from the
 * management account or a delegated administrator; paged by NextToken). SUSPENDED and
 * PENDING_CLOSURE accounts cannot be assumed into and are left out, and said so by the caller.
 */
export async function listOrganizationAccounts(clients: AwsClients): Promise<{ accounts: OrganizationAccount[]; skipped: number }> {
  const { OrganizationsClient, ListAccountsCommand } = await import('@aws-sdk/client-organizations');
  // Organizations is a global service with its endpoint in us-east-1 (aws partition).
  const client = clients.adopt(new OrganizationsClient({ ...clients.config(), region: clients.region.startsWith('cn-') ? 'cn-northwest-1' : clients.region.startsWith('us-gov-') ? 'us-gov-west-1' : 'us-east-1' }));
  const accounts: OrganizationAccount[] = [];
  let skipped = 0;
  let NextToken: string | undefined;
  try {
    do {
      const out = await client.send(new ListAccountsCommand(NextToken ? { NextToken } : {}));
      for (const a of out.Accounts ?? []) {
        if (!a.Id) continue;
        // `State` replaces `Status` (2025); either says ACTIVE for an account in use.
        const state = (a as { State?: string }).State ?? a.Status;
        if (state && state !== 'ACTIVE') skipped += 1;
        else accounts.push({ id: a.Id, ...(a.Name ? { name: a.Name } : {}) });
      }
      NextToken = out.NextToken;
    } while (NextToken);
  } catch (e) {
    if (isNamed(e, 'AWSOrganizationsNotInUseException')) throw new IncompleteError('--organization: the account ecr-doctor runs as is not in an organization', 'name the accounts with --accounts ID,ID instead');
    const fact = unreadableFrom<never>(e, 'organizations:ListAccounts');
    const reason = fact.state === 'unreadable' ? fact.reason : errorName(e);
    throw new IncompleteError(`--organization: cannot list the accounts: ${reason}`, 'run from the management account or a delegated administrator with organizations:ListAccounts, or name the accounts with --accounts ID,ID');
  }
  return { accounts: accounts.sort((a, b) => a.id.localeCompare(b.id)), skipped };
}

export interface RegionList {
  regions: string[];
  /** Regions enabled for the account where CodeBuild does not run, left out. */
  withoutCodeBuild: string[];
  note?: string;
}

/**
 * The regions enabled for the account (EC2 API Reference, DescribeRegions: without AllRegions,
 * only the regions enabled for the account), filtered to where CodeBuild runs. Where CodeBuild
 * runs is AWS's own public parameter (Systems Manager User Guide, "Calling AWS service, Region,
 * and endpoint information from Parameter Store": /aws/service/global-infrastructure/services/codebuild/regions).
 */
export async function listCodeBuildRegions(clients: AwsClients): Promise<RegionList> {
  const codebuildRegions = readCodeBuildRegions(clients);
  const { DescribeRegionsCommand } = await import('@aws-sdk/client-ec2');
  const ec2 = await clients.ec2In(clients.region);
  let enabled: string[];
  try {
    const out = await ec2.send(new DescribeRegionsCommand({}));
    enabled = (out.Regions ?? []).map((r) => r.RegionName).filter((r): r is string => !!r);
  } catch (e) {
    const fact = unreadableFrom<never>(e, 'ec2:DescribeRegions');
    throw new IncompleteError(`--all-regions: cannot list the regions enabled for the account: ${fact.state === 'unreadable' ? fact.reason : errorName(e)}`, 'grant ec2:DescribeRegions, or name the regions with --region a,b');
  }
  enabled.sort();
  const where = await codebuildRegions;
  if (where.state === 'unreadable') {
    return { regions: enabled, withoutCodeBuild: [], note: `where CodeBuild runs is not known (${where.reason}): every enabled region is read` };
  }
  const known = new Set(where.value);
  return { regions: enabled.filter((r) => known.has(r)), withoutCodeBuild: enabled.filter((r) => !known.has(r)) };
}

async function readCodeBuildRegions(clients: AwsClients): Promise<{ state: 'present'; value: string[] } | { state: 'unreadable'; reason: string }> {
  const { SSMClient, GetParametersByPathCommand } = await import('@aws-sdk/client-ssm');
  const ssm = clients.adopt(new SSMClient({ ...clients.config(), region: clients.region }));
  const path = '/aws/service/global-infrastructure/services/codebuild/regions';
  const regions: string[] = [];
  let NextToken: string | undefined;
  try {
    do {
      const out = await ssm.send(new GetParametersByPathCommand({ Path: path, ...(NextToken ? { NextToken } : {}) }));
      for (const p of out.Parameters ?? []) if (p.Value) regions.push(p.Value);
      NextToken = out.NextToken;
    } while (NextToken);
  } catch (e) {
    const fact = unreadableFrom<never>(e, 'ssm:GetParametersByPath');
    return { state: 'unreadable', reason: fact.state === 'unreadable' ? fact.reason : errorName(e) };
  }
  return regions.length ? { state: 'present', value: regions } : { state: 'unreadable', reason: `${path} is empty` };
}
