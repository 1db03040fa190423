import { UsageError } from '../model/errors.js';
import { quote } from '../model/safe-text.js';
import type { ScopeRequest } from '../sources/live/scopes.js';
import type { CommonOptions, TargetOptions } from './options.js';
import { hasExplicitTarget, hasIacTarget, validateRegion } from './options.js';

/** Flags of a run over several accounts or regions (doctor only; fix stays one account, issue 15). */
export interface ScopeOptions {
  accounts?: string[];
  organization?: boolean;
  allRegions?: boolean;
  concurrency?: string;
}

const ACCOUNT = /^\d{12}$/;
const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 32;

/** `--accounts a,b --accounts c` and `--region a,b`: comma lists, repeatable, spaces allowed. */
function splitList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

export function parseAccounts(values: readonly string[]): string[] {
  const ids = splitList(values);
  if (ids.length === 0) throw new UsageError('--accounts needs at least one 12-digit account id', 'for example --accounts 111122223333,444455556666');
  for (const id of ids) if (!ACCOUNT.test(id)) throw new UsageError(`invalid account id ${quote(id)} in --accounts: expected 12 digits`, 'for example --accounts 111122223333,444455556666');
  return [...new Set(ids)];
}

export function parseRegions(value: string): string[] {
  const names = splitList([value]);
  if (names.length === 0) throw new UsageError('--region needs a region code', 'for example --region us-east-1,eu-west-1');
  for (const r of names) validateRegion(r, '--region');
  return [...new Set(names)];
}

export function parseConcurrency(value: string | undefined): number {
  if (value === undefined) return DEFAULT_CONCURRENCY;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (Number.isInteger(n) && n >= 1 && n <= MAX_CONCURRENCY) return n;
  throw new UsageError(`invalid --concurrency ${quote(value)}: expected a whole number of accounts from 1 to ${MAX_CONCURRENCY}`, `for example --concurrency ${DEFAULT_CONCURRENCY}`);
}

/** Whether the run covers more than one account or region (then it is read scope by scope). */
export function isMultiScope(o: ScopeOptions & CommonOptions): boolean {
  return !!o.accounts?.length || !!o.organization || !!o.allRegions || (o.region ?? '').includes(',');
}

/** The scope request of a multi-scope doctor run, after the flag conflicts are ruled out. */
export function scopeRequestOf(o: ScopeOptions & CommonOptions & TargetOptions): ScopeRequest {
  if (o.accounts?.length && o.organization) throw new UsageError('give --accounts or --organization, not both');
  if (o.allRegions && o.region) throw new UsageError('give --region or --all-regions, not both');
  if (o.account && (o.accounts?.length || o.organization)) throw new UsageError('--account names the one account of a single-account run; with several, use --accounts ID,ID');
  if (o.snapshot || hasIacTarget(o)) throw new UsageError('--accounts, --organization, --all-regions and --region a,b read live AWS; they cannot be combined with --snapshot or infrastructure code');
  if (o.lastFailed || (hasExplicitTarget(o) && !(o.allProjects && !o.project.length && !o.build.length && !o.image.length && !o.buildspec))) {
    throw new UsageError('a run over several accounts or regions examines every project in each: it takes --all-projects only (no --project, --build, --image, --buildspec or --last-failed)', 'drop the other targets, or run once per account and region');
  }
  const roleGiven = !!o.assumeRole;
  if (o.account && !roleGiven) throw new UsageError('--account needs --assume-role ROLE_NAME: the role ecr-doctor assumes in that account', `for example --account ${o.account} --assume-role ecr-doctor-read`);
  if (o.organization && !roleGiven) throw new UsageError('--organization needs --assume-role ROLE_NAME: the role to assume in each member account', 'for example --assume-role ecr-doctor-read (session name ecr-doctor)');
  if (o.externalId !== undefined && !roleGiven) throw new UsageError('--external-id goes with --assume-role');
  return {
    accounts: o.organization ? { kind: 'organization' } : o.accounts?.length ? { kind: 'list', ids: parseAccounts(o.accounts) } : o.account ? { kind: 'list', ids: parseAccounts([o.account]) } : { kind: 'caller' },
    regions: o.allRegions ? { kind: 'all' } : { kind: 'list', names: o.region ? parseRegions(o.region) : [] },
    ...(o.assumeRole ? { assumeRole: o.assumeRole } : {}),
    ...(o.externalId ? { externalId: o.externalId } : {}),
    concurrency: parseConcurrency(o.concurrency),
  };
}
