import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FixHint, Result } from '../../src/model/result.js';
import { groupResultsByFix } from '../../src/report/fix-groups.js';

const A = '111122223333';
const B = '444455556666';
const EAST = 'us-east-1';
const WEST = 'eu-west-1';
const projectArn = (name: string, account = A, region = EAST) => `arn:aws:codebuild:${region}:${account}:project/${name}`;
const repoArn = (name: string, account = A, region = EAST) => `arn:aws:ecr:${region}:${account}:repository/${name}`;

/** A CODEBUILD-mode result whose fix is the repository statement, as codebuild-principal-can-pull writes it. */
function cannotPull(name: string, opts: { account?: string; region?: string; repo?: string; scope?: boolean; status?: Result['status'] } = {}): Result {
  const account = opts.account ?? A;
  const region = opts.region ?? EAST;
  const repo = opts.repo ?? 'seed-app';
  return {
    check: 'codebuild-principal-can-pull',
    status: opts.status ?? 'fail',
    severity: 'error',
    subject: projectArn(name, account, region),
    message: `codebuild.amazonaws.com may not pull from ${repo}: the repository has no repository policy. In CODEBUILD mode the pull is made by the service principal.`,
    fix: {
      target: 'repository-policy',
      account,
      resource: repoArn(repo, account, region),
      description: `Add a statement to the repository policy of ${repo} (account ${account}) that allows codebuild.amazonaws.com to pull.`,
      command: `ecr-doctor fix --project ${name} --dry-run --region ${EAST}`,
      statement: { Sid: 'EcrDoctorCodeBuildPull', Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Condition: { ArnLike: { 'aws:SourceArn': projectArn(name, account, region) } } },
    },
    ...(opts.scope ? { account, region } : {}),
  };
}

function result(name: string, check: string, status: Result['status'], message: string, fix?: FixHint, scope?: { account: string; region: string }): Result {
  return { check, status, severity: status === 'warn' ? 'warning' : 'error', subject: projectArn(name, scope?.account, scope?.region), message, ...(fix ? { fix } : {}), ...(scope ?? {}) };
}

const names = (n: number, prefix = 'app') => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);

describe('groupResultsByFix: one change for many projects', () => {
  it('312 projects failing for one repository statement are one group, fixed by one --all-projects command that says what it covers', () => {
    const groups = groupResultsByFix(names(312).map((n) => cannotPull(n)), { account: A, region: EAST });
    expect(groups).toHaveLength(1);
    const [g] = groups;
    expect(g).toMatchObject({ status: 'fail', check: 'codebuild-principal-can-pull', count: 312, cause: 'codebuild.amazonaws.com may not pull from seed-app: the repository has no repository policy.' });
    expect(g!.subjects).toHaveLength(312);
    expect(g!.subjects[0]).toBe(projectArn('app-000'));
    expect(g!.fix).toMatchObject({ target: 'repository-policy', account: A, resource: repoArn('seed-app') });
    // 312 project ARNs in one aws:SourceArn list would not fit ECR's 10,240-character policy limit.
    expect(g!.fix!.command).toBe('ecr-doctor fix --all-projects --scope account --dry-run --region us-east-1');
    expect(g!.fix!.commandNote).toContain(`--all-projects plans the fix for every project in account ${A}, us-east-1, these 312 among them`);
    expect(g!.fix!.commandNote).toContain("--scope account grants project/* of account 111122223333: one statement naming all 312 projects would pass ECR's 10,240-character limit");
  });

  it('a group whose ARNs fit in one statement keeps the per-project grant (no --scope account)', () => {
    const [g] = groupResultsByFix(names(20).map((n) => cannotPull(n)), { account: A, region: EAST });
    expect(g!.fix!.command).toBe('ecr-doctor fix --all-projects --dry-run --region us-east-1');
  });

  it('up to three projects are named; one project keeps its own command', () => {
    const [three] = groupResultsByFix(['c', 'a', 'b'].map((n) => cannotPull(n)));
    expect(three!.fix!.command).toBe('ecr-doctor fix --project a --project b --project c --dry-run --region us-east-1');
    expect(three!.fix!.commandNote).toBeUndefined();
    const [one] = groupResultsByFix([cannotPull('solo')]);
    expect(one!.fix!.command).toBe('ecr-doctor fix --project solo --dry-run --region us-east-1');
  });

  it('a trailing comment of the command stays last when flags are added', () => {
    const r = { ...cannotPull('x', { account: B, region: WEST, scope: true }) };
    r.fix = { ...r.fix!, command: 'ecr-doctor fix --buildspec buildspec.yml --dry-run   (in the EB project folder)' };
    const [g] = groupResultsByFix([r], { account: A, assumeRole: 'Audit' });
    expect(g!.fix!.command).toBe('ecr-doctor fix --buildspec buildspec.yml --dry-run --region eu-west-1 --account 444455556666 --assume-role Audit   (in the EB project folder)');
  });

  it('says so when no one command fixes the group', () => {
    const rs = names(2).map((n) => cannotPull(n));
    rs[1] = { ...rs[1]!, fix: { ...rs[1]!.fix!, command: 'ecr-doctor fix --image 111122223333.dkr.ecr.us-east-1.amazonaws.com/seed-app:1 --dry-run' } };
    const [g] = groupResultsByFix(rs);
    expect(g!.fix!.command).toBeUndefined();
    expect(g!.fix!.commandNote).toBe('no one command fixes these 2: they need 2 different commands; run with --verbose for each');
    const builds = names(5).map((n) => ({ ...cannotPull(n), fix: { ...cannotPull(n).fix!, command: `ecr-doctor fix --build ${n}:0e2d --dry-run` } }));
    expect(groupResultsByFix(builds)[0]!.fix!.commandNote).toBe('fix takes these 5 builds only one --build at a time; run with --verbose for each command');
  });

  it('cross-account repository statements for different roles are one statement (fix lists every role in it)', () => {
    const owner = repoArn('team/web', B);
    const rs = ['one', 'two'].map((n) => result(n, 'service-role-can-pull', 'fail', `The repository policy of team/web (account ${B}) does not allow arn:aws:iam::${A}:role/${n}-role to pull.`, {
      target: 'repository-policy', account: B, resource: owner, description: `The owner of team/web (account ${B}) must add a repository-policy statement that allows arn:aws:iam::${A}:role/${n}-role to pull.`,
      statement: { Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${A}:role/${n}-role`] }, Action: ['ecr:BatchGetImage'] },
    }));
    const groups = groupResultsByFix(rs);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ count: 2, causesDiffer: true });
    expect(groups[0]!.fix!.descriptions).toHaveLength(2);
    expect(groups[0]!.fix!.command).toBeUndefined();
  });
});

describe('groupResultsByFix: the same change on each project', () => {
  it('a project setting of each project is one group of the same change, not one group per project', () => {
    const privileged = (n: string) => result(n, 'docker-daemon', 'fail', `The buildspec runs docker build, and ${n} has no privileged mode. Docker needs it.`, {
      target: 'project-setting', account: A, resource: projectArn(n), description: 'Turn on privileged mode, keeping the rest of the environment as it is.', command: `aws codebuild update-project --name ${n} --environment '{...}'`,
    });
    const groups = groupResultsByFix(names(4).map(privileged));
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ count: 4, causesDiffer: true, fix: { target: 'project-setting', eachSubject: true, commandNote: 'each of the 4 has its own command; run with --verbose for each' } });
    expect(groups[0]!.fix).not.toHaveProperty('resource');
    expect(groups[0]!.fix).not.toHaveProperty('command');
  });
});

describe('groupResultsByFix: accounts and regions', () => {
  it('the same repository name in two accounts is two groups, each named with its account and region', () => {
    const rs = [...names(3).map((n) => cannotPull(n, { scope: true })), ...names(2, 'b').map((n) => cannotPull(n, { account: B, scope: true }))];
    const groups = groupResultsByFix(rs, { account: A, assumeRole: 'EcrDoctorAudit' });
    expect(groups.map((g) => [g.account, g.region, g.count])).toEqual([[A, EAST, 3], [B, EAST, 2]]);
    expect(groups[0]!.fix!.command).toBe('ecr-doctor fix --project app-000 --project app-001 --project app-002 --dry-run --region us-east-1');
    // Another account than the one ecr-doctor runs as: through the run's role.
    expect(groups[1]!.fix!.command).toBe('ecr-doctor fix --project b-000 --project b-001 --dry-run --region us-east-1 --account 444455556666 --assume-role EcrDoctorAudit');
  });

  it('member commands that already name the account and role (the runner adds them) are not given them twice', () => {
    const rs = names(5, 'b').map((n) => {
      const r = cannotPull(n, { account: B, scope: true });
      return { ...r, fix: { ...r.fix!, command: `ecr-doctor fix --project ${n} --dry-run --region us-east-1 --account ${B} --assume-role EcrDoctorAudit --external-id '<the external id>'` } };
    });
    const [g] = groupResultsByFix(rs, { account: A, assumeRole: 'EcrDoctorAudit' });
    expect(g!.fix!.command).toBe(`ecr-doctor fix --all-projects --dry-run --region us-east-1 --account ${B} --assume-role EcrDoctorAudit --external-id '<the external id>'`);
  });

  it('without a role to assume, the command is to be run in that account, and says so', () => {
    const [g] = groupResultsByFix(names(2, 'b').map((n) => cannotPull(n, { account: B, scope: true })), { account: A });
    expect(g!.fix!.command).toBe('ecr-doctor fix --project b-000 --project b-001 --dry-run --region us-east-1');
    expect(g!.fix!.commandNote).toBe('run it with credentials for account 444455556666');
  });

  it("the command names the results' region, replacing the one the run's flags gave", () => {
    const [g] = groupResultsByFix(names(4).map((n) => cannotPull(n, { region: WEST, scope: true })), { account: A, region: EAST });
    expect(g!.fix!.command).toBe('ecr-doctor fix --all-projects --dry-run --region eu-west-1');
    expect(g!.fix!.commandNote).toContain(`every project in account ${A}, eu-west-1`);
  });

  it('a single-scope run (no account or region on the results) leaves them out of the group', () => {
    const [g] = groupResultsByFix([cannotPull('a')]);
    expect(g).not.toHaveProperty('account');
    expect(g).not.toHaveProperty('region');
  });
});

describe('groupResultsByFix: results without a fix hint', () => {
  it('group by check and cause (the first sentence), per account and region', () => {
    const missing = (n: string, scope?: { account: string; region: string }) => result(n, 'project-found', 'fail', 'The image tag does not exist. It was deleted on 2026-01-01.', undefined, scope);
    const groups = groupResultsByFix([
      ...names(38).map((n) => missing(n)),
      result('x', 'project-found', 'fail', 'Another cause. Detail.'),
      missing('other', { account: B, region: EAST }),
    ]);
    expect(groups.map((g) => [g.count, g.cause, g.account ?? '-'])).toEqual([
      [38, 'The image tag does not exist.', '-'],
      [1, 'Another cause.', '-'],
      [1, 'The image tag does not exist.', B],
    ]);
    expect(groups[0]).not.toHaveProperty('fix');
  });
});

describe('groupResultsByFix: what is grouped, and in which order', () => {
  it('passes and skips are not problems; scope-read results are listed apart, as unread scopes', () => {
    const rs: Result[] = [
      result('a', 'image-exists', 'pass', 'fine.'),
      result('a', 'platform', 'skip', 'not applicable.'),
      { check: 'scope-read', status: 'error', severity: 'error', subject: `account ${B}`, message: 'sts:AssumeRole was denied.', account: B, region: EAST },
    ];
    expect(groupResultsByFix(rs)).toEqual([]);
  });

  it('most projects first; then fail before error before warn; then by name', () => {
    const warn = (n: string) => result(n, 'lifecycle-expiry', 'warn', 'Eligible for expiry.', { target: 'image', resource: repoArn('a-repo'), description: 'Retag.' });
    const error = (n: string) => result(n, 'codebuild-principal-can-pull', 'error', 'could not check: AccessDenied.');
    const fails = (n: string, repo: string) => cannotPull(n, { repo });
    const groups = groupResultsByFix([warn('w1'), warn('w2'), error('e1'), error('e2'), fails('f1', 'zeta'), fails('f2', 'zeta'), fails('f3', 'alpha'), fails('f4', 'alpha'), ...names(3).map((n) => warn(n))]);
    expect(groups.map((g) => `${g.count} ${g.status} ${g.fix?.resource ?? g.cause}`)).toEqual([
      `5 warn ${repoArn('a-repo')}`,
      `2 fail ${repoArn('alpha')}`,
      `2 fail ${repoArn('zeta')}`,
      '2 error could not check: AccessDenied.',
    ]);
  });

  it('a group with a failure and a warning for the same change is a failing group', () => {
    const [g] = groupResultsByFix([cannotPull('a', { status: 'warn' }), cannotPull('b')]);
    expect(g!.status).toBe('fail');
  });

  it('is deterministic: any order of the same results gives the same groups', () => {
    const rs: Result[] = [
      ...names(7).map((n) => cannotPull(n)),
      ...names(3, 'b').map((n) => cannotPull(n, { account: B, scope: true })),
      ...names(3, 'w').map((n) => result(n, 'lifecycle-expiry', 'warn', `Tag ${n} expires. Soon.`, { target: 'image', resource: repoArn('r'), description: 'Retag.' })),
      ...names(2, 'e').map((n) => result(n, 'codebuild-principal-can-pull', 'error', 'could not check: AccessDenied.')),
      result('p', 'project-found', 'fail', 'Not found.'),
    ];
    const expected = groupResultsByFix(rs, { account: A, assumeRole: 'R' });
    fc.assert(fc.property(fc.shuffledSubarray(rs, { minLength: rs.length, maxLength: rs.length }), (shuffled) => {
      expect(groupResultsByFix(shuffled, { account: A, assumeRole: 'R' })).toEqual(expected);
    }), { numRuns: 50 });
    expect(expected.map((g) => g.count)).toEqual([7, 3, 3, 2, 1]);
  });
});
