import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/model/errors.js';
import { assumeRoleOf } from '../../src/cli/aws-choice.js';
import { isMultiScope, parseAccounts, parseConcurrency, parseRegions, scopeRequestOf } from '../../src/cli/scope-options.js';
import { roleArnFor } from '../../src/sources/live/scopes.js';

const base = { color: false, project: [] as string[], image: [] as string[], build: [] as string[] };

describe('multi-scope flags (issue 15)', () => {
  it('takes comma lists, repeated flags and spaces; drops duplicates', () => {
    expect(parseAccounts(['111122223333, 444455556666', '111122223333'])).toEqual(['111122223333', '444455556666']);
    expect(parseRegions('us-east-1,eu-west-1, us-east-1')).toEqual(['us-east-1', 'eu-west-1']);
  });

  it('refuses what is not an account id, a region or a concurrency, with exit 2', () => {
    expect(() => parseAccounts(['12345'])).toThrow(UsageError);
    expect(() => parseAccounts([','])).toThrow(/at least one/);
    expect(() => parseRegions('us-east-1,mars')).toThrow(/invalid region "mars"/);
    expect(() => parseConcurrency('0')).toThrow(/from 1 to 32/);
    expect(() => parseConcurrency('2.5')).toThrow(UsageError);
    expect(parseConcurrency(undefined)).toBe(4);
    expect(parseConcurrency('8')).toBe(8);
  });

  it('is multi-scope with --accounts, --organization, --all-regions or a region list only', () => {
    expect(isMultiScope({ ...base })).toBe(false);
    expect(isMultiScope({ ...base, region: 'us-east-1' })).toBe(false);
    expect(isMultiScope({ ...base, region: 'us-east-1,eu-west-1' })).toBe(true);
    expect(isMultiScope({ ...base, allRegions: true })).toBe(true);
    expect(isMultiScope({ ...base, organization: true })).toBe(true);
    expect(isMultiScope({ ...base, accounts: ['111122223333'] })).toBe(true);
  });

  it('builds the request: every project, the accounts and regions, the role', () => {
    expect(scopeRequestOf({ ...base, accounts: ['111122223333,444455556666'], assumeRole: 'ecr-doctor-read', region: 'us-east-1,eu-west-1' })).toEqual({
      accounts: { kind: 'list', ids: ['111122223333', '444455556666'] },
      regions: { kind: 'list', names: ['us-east-1', 'eu-west-1'] },
      assumeRole: 'ecr-doctor-read',
      concurrency: 4,
    });
    expect(scopeRequestOf({ ...base, organization: true, assumeRole: 'r', allRegions: true, allProjects: true, externalId: 'x' })).toMatchObject({ accounts: { kind: 'organization' }, regions: { kind: 'all' }, externalId: 'x' });
  });

  it('refuses conflicting flags', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ accounts: ['111122223333'], organization: true, assumeRole: 'r' }, /--accounts or --organization/],
      [{ allRegions: true, region: 'us-east-1' }, /--region or --all-regions/],
      [{ organization: true }, /--organization needs --assume-role/],
      [{ allRegions: true, project: ['my-build'] }, /--all-projects only/],
      [{ allRegions: true, lastFailed: true }, /--all-projects only/],
      [{ allRegions: true, snapshot: 'f.json' }, /--snapshot/],
      [{ accounts: ['111122223333'], account: '111122223333', assumeRole: 'r' }, /--accounts ID,ID/],
      [{ allRegions: true, account: '111122223333' }, /--account needs --assume-role/],
      [{ allRegions: true, externalId: 'x' }, /--external-id goes with --assume-role/],
    ];
    for (const [flags, message] of cases) expect(() => scopeRequestOf({ ...base, ...flags } as never), JSON.stringify(flags)).toThrow(message);
  });

  it('names the role in each account, from a name, a path or an ARN', () => {
    expect(roleArnFor('444455556666', 'ecr-doctor-read', 'aws')).toBe('arn:aws:iam::444455556666:role/ecr-doctor-read');
    expect(roleArnFor('444455556666', 'audit/ecr-doctor-read', 'aws-cn')).toBe('arn:aws-cn:iam::444455556666:role/audit/ecr-doctor-read');
    expect(roleArnFor('444455556666', 'arn:aws:iam::111122223333:role/x/y', 'aws')).toBe('arn:aws:iam::444455556666:role/x/y');
  });
});

describe('--account and --assume-role of a single-account run', () => {
  it('builds the role ARN in the partition of the region', () => {
    expect(assumeRoleOf({ color: false, account: '444455556666', assumeRole: 'r' }, 'us-east-1')).toEqual({ assumeRole: { roleArn: 'arn:aws:iam::444455556666:role/r' } });
    expect(assumeRoleOf({ color: false, account: '444455556666', assumeRole: 'r', externalId: 'e' }, 'cn-north-1')).toEqual({ assumeRole: { roleArn: 'arn:aws-cn:iam::444455556666:role/r', externalId: 'e' } });
    expect(assumeRoleOf({ color: false, assumeRole: 'arn:aws:iam::444455556666:role/r' }, undefined)).toEqual({ assumeRole: { roleArn: 'arn:aws:iam::444455556666:role/r' } });
    expect(assumeRoleOf({ color: false }, 'us-east-1')).toEqual({});
  });

  it('refuses half of the pair, a bad id, and an ARN of another account', () => {
    expect(() => assumeRoleOf({ color: false, account: '444455556666' }, undefined)).toThrow(/--account needs --assume-role/);
    expect(() => assumeRoleOf({ color: false, assumeRole: 'r' }, undefined)).toThrow(/needs --account/);
    expect(() => assumeRoleOf({ color: false, account: '4444', assumeRole: 'r' }, undefined)).toThrow(/12-digit/);
    expect(() => assumeRoleOf({ color: false, account: '444455556666', assumeRole: 'arn:aws:iam::111122223333:role/r' }, undefined)).toThrow(/not --account 444455556666/);
    expect(() => assumeRoleOf({ color: false, externalId: 'e' }, undefined)).toThrow(/goes with --assume-role/);
    expect(() => assumeRoleOf({ color: false, account: '444455556666', assumeRole: 'bad role!' }, undefined)).toThrow(/invalid --assume-role/);
  });
});
