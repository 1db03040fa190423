/**
 * The backup file fix writes before every write, and restore reads. Format 2 records where the
 * policy lives (region, registry, role) and the text ecr-doctor wrote over it, so that restore
 * can tell whether someone changed the policy since. Format 1 files (resource, policyName,
 * savedAt, existed, policyText) stay readable: their coordinates come from the ARN, and they
 * cannot say what was written.
 */
import { readFile } from 'node:fs/promises';
import { parseArn, roleNameOf } from '../model/arn.js';
import { UsageError } from '../model/errors.js';
import type { PolicyLocation } from './types.js';

export const BACKUP_FORMAT = 'ecr-doctor-backup/2';

export interface BackupContents {
  location: PolicyLocation;
  savedAt: string;
  /** The policy before ecr-doctor's write; undefined: there was none. */
  before: string | undefined;
  /** What ecr-doctor wrote over it: a text, null for a delete, undefined when the file does not say (format 1). */
  written: string | null | undefined;
  profile?: string;
}

/** The record saved before a write; `writing` null is a delete, undefined unknown. */
export function backupRecord(c: PolicyLocation, before: string | undefined, writing: string | null | undefined, savedAt: Date, profile?: string): Record<string, unknown> {
  const where =
    c.kind === 'repository-policy'
      ? { resource: c.repositoryArn, kind: c.kind, account: c.account, region: c.region, registryId: c.registryId, repositoryName: c.repositoryName }
      : { resource: c.roleArn, kind: c.kind, account: c.account, roleName: c.roleName, policyName: c.policyName };
  return {
    format: BACKUP_FORMAT,
    ...where,
    // Format 1 readers know these two fields only.
    ...(c.kind === 'role-policy' ? { policyName: c.policyName } : {}),
    ...(profile ? { profile } : {}),
    savedAt: savedAt.toISOString(),
    existed: before !== undefined,
    policyText: before ?? null,
    ...(writing !== undefined ? { written: writing } : {}),
  };
}

function bad(path: string, why: string): UsageError {
  return new UsageError(`${path} is not an ecr-doctor backup: ${why}`, 'give a file fix wrote (its path is printed after every write; by default under ~/.ecr-doctor/backups/)');
}

const REPOSITORY = /^repository\/(.+)$/;

function locationOf(path: string, r: Record<string, unknown>): PolicyLocation {
  const resource = r['resource'];
  if (typeof resource !== 'string') throw bad(path, 'it has no "resource" ARN');
  const arn = parseArn(resource);
  if (!arn) throw bad(path, `"resource" is not an ARN`);
  const repo = arn.service === 'ecr' ? REPOSITORY.exec(arn.resource) : null;
  if (repo) {
    const region = typeof r['region'] === 'string' ? r['region'] : arn.region;
    const registryId = typeof r['registryId'] === 'string' ? r['registryId'] : arn.account;
    const repositoryName = typeof r['repositoryName'] === 'string' ? r['repositoryName'] : repo[1]!;
    return { kind: 'repository-policy', repositoryArn: resource, repositoryName, registryId, region, account: arn.account };
  }
  if (arn.service === 'iam' && arn.resource.startsWith('role/')) {
    const policyName = r['policyName'];
    if (typeof policyName !== 'string' || policyName === '') throw bad(path, 'a role backup needs "policyName"');
    return { kind: 'role-policy', roleArn: resource, roleName: typeof r['roleName'] === 'string' ? r['roleName'] : roleNameOf(resource), policyName, account: arn.account };
  }
  throw bad(path, `"resource" is neither an ECR repository nor an IAM role`);
}

/** Reads and checks a backup file; anything wrong with it is a one-line usage error (exit 2). */
export async function readBackupFile(path: string): Promise<BackupContents> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read the backup ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable')}`, 'give the path fix printed after its write');
  }
  let r: unknown;
  try {
    r = JSON.parse(raw);
  } catch {
    throw bad(path, 'it is not JSON');
  }
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw bad(path, 'it is not a JSON object');
  const rec = r as Record<string, unknown>;
  if (rec['format'] !== undefined && rec['format'] !== BACKUP_FORMAT) throw bad(path, `its format ${JSON.stringify(rec['format'])} is not one this version reads`);
  if (typeof rec['existed'] !== 'boolean') throw bad(path, 'it has no "existed" true/false');
  const text = rec['policyText'];
  if (rec['existed'] ? typeof text !== 'string' || text === '' : text !== null && text !== undefined) throw bad(path, '"policyText" does not match "existed"');
  const written = rec['written'];
  if (written !== undefined && written !== null && typeof written !== 'string') throw bad(path, '"written" is neither a policy text nor null');
  if (typeof rec['savedAt'] !== 'string') throw bad(path, 'it has no "savedAt"');
  return {
    location: locationOf(path, rec),
    savedAt: rec['savedAt'],
    before: rec['existed'] ? (text as string) : undefined,
    written: written as string | null | undefined,
    ...(typeof rec['profile'] === 'string' ? { profile: rec['profile'] } : {}),
  };
}
