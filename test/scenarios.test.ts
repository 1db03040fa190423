// The scenario table (DESIGN.md §4): one line per fixtures/snapshots/*.json → the check ids that
// fail (status fail or error) and the ones that warn. The snapshots were written by the real CLI
// against moto (scripts/record-snapshots.mjs, which says how to re-record them); two are derived
// by hand where moto cannot produce the facts. Pure functions only: parseSnapshot → runChecks,
// and planFix for every scenario with failures.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../src/checks/index.js';
import type { FixPlan } from '../src/fix/plan.js';
import { planFix } from '../src/fix/plan.js';
import type { Facts } from '../src/model/facts.js';
import type { Result } from '../src/model/result.js';
import { parseSnapshot } from '../src/sources/snapshot.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'snapshots');

interface Row {
  file: string;
  failing: string[];
  warn: string[];
  /** The tool's verdict differs from what AWS does: the row runs as it.fails until the issue is fixed. */
  knownIssue?: string;
  /** planFix neither plans a change nor says why not, though DESIGN.md lists the case under notes. */
  planIssue?: string;
}

const TABLE: Row[] = [
  { file: 'seed-codebuild-mode.json', failing: ['codebuild-principal-can-pull'], warn: ['role-rights-unused'] },
  { file: 'codebuild-mode-granted.json', failing: [], warn: [] },
  { file: 'codebuild-mode-no-policy.json', failing: ['codebuild-principal-can-pull'], warn: [] },
  { file: 'codebuild-mode-pinned-other-project.json', failing: ['codebuild-principal-can-pull'], warn: [] },
  { file: 'codebuild-mode-explicit-deny.json', failing: ['codebuild-principal-can-pull'], warn: [] },
  { file: 'service-role-granted-inline.json', failing: [], warn: [] },
  { file: 'service-role-managed-policy.json', failing: [], warn: [] },
  { file: 'service-role-missing-grant.json', failing: ['service-role-can-pull'], warn: [] },
  { file: 'service-role-boundary-blocks.json', failing: ['service-role-can-pull'], warn: [] },
  // The owner's registry policy cannot be read from the build account: under V2 a Deny there would block, so no pass.
  { file: 'cross-account-both-halves.json', failing: [], warn: ['service-role-can-pull'] },
  { file: 'cross-account-repo-half-missing.json', failing: ['service-role-can-pull'], warn: [] },
  { file: 'tag-missing.json', failing: ['image-exists'], warn: [] },
  { file: 'archived-image.json', failing: ['image-exists'], warn: [] },
  { file: 'repository-missing.json', failing: ['repository-exists'], warn: [] },
  { file: 'curated-image.json', failing: [], warn: [] },
  { file: 'docker-hub-image.json', failing: [], warn: ['docker-hub-rate-limit'] },
  { file: 'region-mismatch.json', failing: ['pull-mode'], warn: [] },
  { file: 'eb-deploy-role-rights-unused.json', failing: ['codebuild-principal-can-pull'], warn: ['role-rights-unused'] },
  { file: 'eb-deploy-granted-pattern.json', failing: [], warn: [] },
  { file: 'open-principal-star.json', failing: [], warn: ['repository-policy-open'] },
  { file: 'legacy-codebuild-principal.json', failing: ['codebuild-principal-can-pull'], warn: ['legacy-codebuild-principals'] },
  { file: 'multi-project.json', failing: ['codebuild-principal-can-pull'], warn: [] },
  { file: 'in-build-no-login.json', failing: ['registry-login'], warn: [] },
  { file: 'in-build-not-privileged.json', failing: ['docker-daemon'], warn: ['buildspec-pulls'] },
  { file: 'access-denied-role-policy.json', failing: ['service-role-can-pull'], warn: [] },
  { file: 'platform-arm-amd64-only.json', failing: ['platform'], warn: [] },
  { file: 'platform-arm-multi-arch.json', failing: [], warn: [] },
  { file: 'image-size-too-large.json', failing: ['image-size'], warn: [] },
  { file: 'image-size-near-limit.json', failing: [], warn: ['image-size'] },
  { file: 'registry-credential-missing-secret.json', failing: ['registry-credential'], warn: [] },
  { file: 'registry-credential-role-cannot-read.json', failing: ['registry-credential'], warn: [] },
  { file: 'registry-credential-readable.json', failing: [], warn: [] },
  { file: 'registry-credential-key-policy-unreadable.json', failing: ['registry-credential'], warn: [] },
  // Hand-derived (moto has no V2 registry policy): a registry Deny on ecr:* outside an office IP range blocks CodeBuild's pull.
  { file: 'registry-policy-deny.json', failing: ['codebuild-principal-can-pull'], warn: [] },
  // Hand-derived from multi-project.json (issue 15, the report at scale): six projects one repository statement fixes, one missing tag.
  { file: 'many-projects.json', failing: ['codebuild-principal-can-pull', 'image-exists'], warn: [] },
];

/** Checks whose failure a policy edit (what planFix writes) can cure. */
const GRANT_CHECKS = ['codebuild-principal-can-pull', 'service-role-can-pull', 'registry-credential'];

function load(file: string): Facts {
  return parseSnapshot(readFileSync(join(DIR, file), 'utf8'), file);
}

const idsWith = (results: readonly Result[], statuses: readonly string[]) =>
  [...new Set(results.filter((r) => statuses.includes(r.status)).map((r) => r.check))].sort();

const outline = (results: readonly Result[]) =>
  results.filter((r) => r.status !== 'pass').map((r) => `${r.status} ${r.check} ${r.subject}: ${r.message}`).join('\n');

/** The facts as they would read once every planned change is in place (the owner's half too). */
function applyPlan(facts: Facts, plan: FixPlan): Facts {
  const next = structuredClone(facts);
  for (const c of plan.changes) {
    if (c.kind === 'repository-policy') {
      next.repositories[c.repositoryArn]!.policy = { state: 'present', value: { text: c.after } };
    } else {
      const inline = next.roles[c.roleArn]!.inlinePolicies;
      if (inline.state !== 'present') throw new Error(`planned a role policy for ${c.roleArn} whose inline policies were not read`);
      inline.value = [...inline.value.filter((p) => p.name !== c.policyName), { name: c.policyName, document: c.after }];
    }
  }
  return next;
}

describe('scenario table: fixtures/snapshots/*.json', () => {
  it('has a line for every snapshot file, and a file for every line', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
    expect(TABLE.map((r) => r.file).sort()).toEqual(files);
    expect(files.length).toBeGreaterThanOrEqual(22);
  });

  for (const row of TABLE) {
    const verdict = `${row.file}: fails [${row.failing.join(', ')}], warns [${row.warn.join(', ')}]`;
    (row.knownIssue ? it.fails : it)(row.knownIssue ? `${verdict} [known issue: ${row.knownIssue}]` : verdict, () => {
      const results = runChecks(load(row.file));
      expect(results.length).toBeGreaterThan(0);
      expect(idsWith(results, ['fail', 'error']), outline(results)).toEqual([...row.failing].sort());
      expect(idsWith(results, ['warn']), outline(results)).toEqual([...row.warn].sort());
    });

    if (row.failing.length === 0) continue;
    const title = `${row.file}: planFix plans a change or says in notes why not`;
    (row.planIssue ? it.fails : it)(row.planIssue ? `${title} [known issue: ${row.planIssue}]` : title, () => {
      const facts = load(row.file);
      const plan = planFix(facts);
      expect(plan.changes.length + plan.notes.length, JSON.stringify(plan, null, 2)).toBeGreaterThan(0);
      for (const c of plan.changes) expect(() => JSON.parse(c.after) as unknown).not.toThrow();
      // Every change must cure what it is for: once applied, no grant check fails unless a note says why.
      if (plan.changes.length > 0 && plan.notes.length === 0) {
        const after = runChecks(applyPlan(facts, plan));
        expect(idsWith(after, ['fail', 'error']).filter((id) => GRANT_CHECKS.includes(id)), outline(after)).toEqual([]);
      }
    });
  }
});

describe('scenario details the table cannot show', () => {
  it('multi-project: the grant pinned to web-build passes it and fails api-build, one repository read for both', () => {
    const facts = load('multi-project.json');
    expect(Object.keys(facts.repositories)).toHaveLength(1);
    const results = runChecks(facts).filter((r) => r.check === 'codebuild-principal-can-pull');
    expect(results.map((r) => [r.subject.replace(/^.*project\//, ''), r.status]).sort()).toEqual([
      ['api-build', 'fail'],
      ['web-build', 'pass'],
    ]);
    const plan = planFix(facts);
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({ kind: 'repository-policy', grants: { codebuildSourceArns: ['arn:aws:codebuild:us-east-1:111122223333:project/api-build'] } });
    // The foreign statement that grants web-build is kept as it is.
    expect(JSON.parse(plan.changes[0]!.after).Statement).toContainEqual(expect.objectContaining({ Sid: 'WebBuildPull' }));
  });

  it('cross-account-repo-half-missing: the repository half is for the registry owner (444455556666), not applicable from the build account', () => {
    const plan = planFix(load('cross-account-repo-half-missing.json'));
    expect(plan.changes.map((c) => [c.kind, c.account, c.applicable])).toEqual([['repository-policy', '444455556666', false]]);
  });

  it('eb-deploy-role-rights-unused: the fix grants the Elastic-Beanstalk-<app>-* pattern, not the role', () => {
    const plan = planFix(load('eb-deploy-role-rights-unused.json'));
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({
      kind: 'repository-policy',
      applicable: true,
      grants: { codebuildSourceArns: ['arn:aws:codebuild:us-east-1:111122223333:project/Elastic-Beanstalk-my-web-app-*'], roleArns: [] },
    });
  });

  it('service-role-boundary-blocks and access-denied-role-policy: nothing planned, and the notes say why', () => {
    const boundary = planFix(load('service-role-boundary-blocks.json'));
    expect(boundary.changes).toEqual([]);
    expect(boundary.notes.join('\n')).toMatch(/permissions boundary .* fix does not edit boundaries/);
    const denied = planFix(load('access-denied-role-policy.json'));
    expect(denied.changes).toEqual([]);
    expect(denied.notes.join('\n')).toMatch(/service role could not be read/);
    const error = runChecks(load('access-denied-role-policy.json')).find((r) => r.status === 'error');
    expect(error?.message).toContain('iam:GetRolePolicy');
  });

  it('archived-image: the failure names ARCHIVED, not a missing tag', () => {
    const failing = runChecks(load('archived-image.json')).find((r) => r.check === 'image-exists');
    expect(failing).toMatchObject({ status: 'fail', evidence: expect.objectContaining({ imageStatus: 'ARCHIVED' }) });
  });

  it('registry-credential-role-cannot-read: fix plans GetSecretValue on that secret; platform and size print what to change, writing nothing', () => {
    const plan = planFix(load('registry-credential-role-cannot-read.json'));
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({ kind: 'role-policy', secretArns: ['arn:aws:secretsmanager:us-east-1:111122223333:secret:dockerhub-login-AbCdEf'] });
    const platform = planFix(load('platform-arm-amd64-only.json'));
    expect(platform.changes).toEqual([]);
    expect(platform.notes.join('\n')).toContain('docker buildx build --platform linux/amd64,linux/arm64');
    const size = planFix(load('image-size-too-large.json'));
    expect(size.changes).toEqual([]);
    expect(size.notes.join('\n')).toContain('larger compute type');
  });

  it('tag-missing: the nearest existing tags are offered', () => {
    const failing = runChecks(load('tag-missing.json')).find((r) => r.check === 'image-exists');
    expect((failing?.evidence?.['nearestTags'] as string[] | undefined)?.[0]).toBe('v1.2.0');
  });
});
