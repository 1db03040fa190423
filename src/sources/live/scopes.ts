import { IncompleteError, UsageError, UserError } from '../../model/errors.js';
import type { CallerIdentity, Facts } from '../../model/facts.js';
import type { Target } from '../../model/target.js';
import { errorName } from './aws-errors.js';
import type { AwsClients, AwsCredentialSource, AwsOptions } from './clients.js';
import { createAwsClients } from './clients.js';
import { gatherLiveFacts, readCaller } from './gather.js';
import { mapLimited } from './limit.js';
import { listCodeBuildRegions, listOrganizationAccounts } from './scope-lists.js';

/** Which accounts × regions a run covers (issue 15). */
export interface ScopeRequest {
  /** The caller's own account, a list, or every ACTIVE account of the organization. */
  accounts: { kind: 'caller' } | { kind: 'list'; ids: string[] } | { kind: 'organization' };
  /** Named regions (the first is where the run starts), or every enabled region where CodeBuild runs. */
  regions: { kind: 'list'; names: string[] } | { kind: 'all' };
  /** The role to assume in each account other than the caller's: a name, a path/name, or an ARN pattern with the account. */
  assumeRole?: string;
  externalId?: string;
  /** Accounts read at once; each account's regions two at a time. */
  concurrency: number;
}

export type ScopeRead =
  | { kind: 'read'; account: string; region: string; facts: Facts }
  /** `region` absent: the account could not be reached at all (its role could not be assumed, its regions not listed). */
  | { kind: 'error'; account: string; region?: string; message: string; hint?: string };

export interface ScopeEvents {
  /** Who the run is, before any scope is read. */
  started?(caller: CallerIdentity): void;
  /** Once the scopes are known: how many accounts and account × region pairs. */
  planned?(accounts: number, scopes: number): void;
  /** A note for --verbose (regions left out, accounts skipped). */
  note?(line: string): void;
}

const REGIONS_PER_ACCOUNT = 2;

/** The role ARN for an account: `--assume-role` as a name, a path/name, or a full ARN of another account's role of that name. */
export function roleArnFor(account: string, role: string, partition: string): string {
  const arn = /^arn:([^:]+):iam::\d{12}:role\/(.+)$/.exec(role);
  if (arn) return `arn:${arn[1]}:iam::${account}:role/${arn[2]}`;
  return `arn:${partition}:iam::${account}:role/${role.replace(/^\/+/, '')}`;
}

/**
 * Reads every account × region of the request, each on its own: its own clients (and, across
 * accounts, its own assumed role), its own deadline, its failure its own. Each scope is handed to
 * `onScope` as soon as it is read, so a caller can stream results and let the facts go.
 */
export async function readScopes(options: AwsOptions, request: ScopeRequest, target: Target, onScope: (scope: ScopeRead) => Promise<void> | void, events: ScopeEvents = {}): Promise<CallerIdentity> {
  const firstRegion = request.regions.kind === 'list' ? request.regions.names[0] : undefined;
  const home = await createAwsClients({ ...options, ...(firstRegion ? { region: firstRegion } : {}) });
  const caller = await readCaller(home);
  events.started?.(caller);
  const source = home.config().credentials as AwsCredentialSource;
  const accounts = await accountsOf(home, request, caller, events);
  const inRun = new Set(accounts);
  if (!request.assumeRole && accounts.some((a) => a !== caller.account)) {
    throw new UsageError(`--accounts names accounts other than ${caller.account} (the account ecr-doctor runs as): give --assume-role ROLE_NAME, the role to assume in each of them`, 'for example --assume-role ecr-doctor-read (session name ecr-doctor)');
  }

  // One client set per account × region, made on first use; another account's set serves the cross-account reads.
  const made = new Map<string, Promise<AwsClients>>();
  const clientsFor = (account: string, region: string): Promise<AwsClients> => {
    const key = `${account}/${region}`;
    let pending = made.get(key);
    if (!pending) {
      const assumeRole = account === caller.account ? undefined : { roleArn: roleArnFor(account, request.assumeRole!, caller.partition), ...(request.externalId ? { externalId: request.externalId } : {}) };
      pending = createAwsClients({ ...options, region, sourceCredentials: source, ...(assumeRole ? { assumeRole } : {}) }).then((c) => {
        c.ownerClients = (owner, r) => (inRun.has(owner) && owner !== account ? clientsFor(owner, r).catch(() => undefined) : Promise.resolve(undefined));
        return c;
      });
      made.set(key, pending);
    }
    return pending;
  };

  const homeRegion = home.region;
  // The regions of each account first (an --all-regions listing is per account: opt-in regions differ).
  const plans = await mapLimited(accounts, request.concurrency, async (account) => {
    try {
      const clients = await clientsFor(account, homeRegion);
      // No region named: the run's own (--region, AWS_REGION, the profile's).
      if (request.regions.kind === 'list') return { account, regions: request.regions.names.length ? request.regions.names : [homeRegion] };
      const list = await listCodeBuildRegions(clients);
      if (list.note) events.note?.(`account ${account}: ${list.note}`);
      if (list.withoutCodeBuild.length) events.note?.(`account ${account}: no CodeBuild in ${list.withoutCodeBuild.join(', ')} (left out)`);
      return { account, regions: list.regions };
    } catch (e) {
      await onScope({ kind: 'error', account, ...describeFailure(e) });
      return { account, regions: [] as string[] };
    }
  });
  events.planned?.(accounts.length, plans.reduce((n, p) => n + p.regions.length, 0));

  await mapLimited(plans, request.concurrency, ({ account, regions }) =>
    mapLimited(regions, REGIONS_PER_ACCOUNT, async (region) => {
      let read: ScopeRead;
      try {
        const clients = await clientsFor(account, region);
        read = { kind: 'read', account, region, facts: await gatherLiveFacts(clients, target, process.cwd(), account === caller.account ? caller : undefined) };
      } catch (e) {
        read = { kind: 'error', account, region, ...describeFailure(e) };
      }
      await onScope(read);
    }),
  );
  return caller;
}

async function accountsOf(home: AwsClients, request: ScopeRequest, caller: CallerIdentity, events: ScopeEvents): Promise<string[]> {
  if (request.accounts.kind === 'caller') return [caller.account];
  if (request.accounts.kind === 'list') return [...new Set(request.accounts.ids)];
  const { accounts, skipped } = await listOrganizationAccounts(home);
  if (skipped) events.note?.(`--organization: ${skipped} account${skipped === 1 ? '' : 's'} not ACTIVE (suspended or closing), left out`);
  if (accounts.length === 0) throw new IncompleteError('--organization: ListAccounts named no ACTIVE account', 'name the accounts with --accounts ID,ID');
  return accounts.map((a) => a.id);
}

/** A scope's failure in one sentence and a hint; never a stack, never a credential. */
function describeFailure(e: unknown): { message: string; hint?: string } {
  if (e instanceof UserError) return { message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  return { message: `${errorName(e)}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
}
