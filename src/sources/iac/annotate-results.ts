import type { FactLocation, Facts } from '../../model/facts.js';
import type { Result } from '../../model/result.js';

/** Which resource a check's finding belongs to, so the report points at the block to change. */
const POINTS_AT: Record<string, 'repository' | 'policy' | 'role' | 'project' | 'lifecycle'> = {
  'repository-exists': 'repository',
  'image-exists': 'repository',
  'codebuild-principal-can-pull': 'policy',
  'repository-policy-open': 'policy',
  'legacy-codebuild-principals': 'policy',
  'eb-source-arn-pinned': 'policy',
  'service-role-can-pull': 'role',
  'role-rights-unused': 'role',
  'lifecycle-expiry': 'lifecycle',
};

const DEPLOY_ACCOUNT = '<deploy account>';

function locationFor(r: Result, facts: Facts): FactLocation | undefined {
  const locations = facts.locations ?? {};
  const repoArn = typeof r.evidence?.repositoryArn === 'string' ? r.evidence.repositoryArn : undefined;
  const project = facts.projects.find((p) => p.project.state === 'present' && p.project.value.arn === r.subject);
  const roleArn = project?.project.state === 'present' ? project.project.value.serviceRole : undefined;
  const wanted = POINTS_AT[r.check] ?? 'project';
  const candidates =
    wanted === 'lifecycle' && repoArn ? [`lifecycle:${repoArn}`, repoArn] : wanted === 'policy' && repoArn ? [`policy:${repoArn}`, repoArn] : wanted === 'repository' && repoArn ? [repoArn] : wanted === 'role' && roleArn ? [roleArn] : [];
  // An in-build pull's subject is "<project ARN> (in the build: ...)": the project's block holds its buildspec.
  const owner = r.subject.includes(' (in the build: ') ? r.subject.slice(0, r.subject.indexOf(' (in the build: ')) : undefined;
  for (const key of [...candidates, r.subject, ...(owner ? [owner] : [])]) if (locations[key]) return locations[key];
  return undefined;
}

/**
 * For facts read from infrastructure code: each result about a resource the code defines carries
 * its location (evidence.source, evidence.location, and evidence.file/line, which every renderer
 * reads); the placeholder for an account the code does not name reads "<deploy account>"; and a
 * pass that a literal account id in a policy could turn (compared with the unnamed account)
 * becomes a warning, never a pass on a guess.
 */
export function annotateResults(results: readonly Result[], facts: Facts, options: { fixCommand?: string } = {}): Result[] {
  if (!facts.locations && !facts.unknownAccount) return [...results];
  const placeholder = facts.unknownAccount;
  const literalAccounts = placeholder ? literalAccountIds(facts, placeholder) : [];
  return results.map((r) => {
    let out: Result = r;
    // The live fix command names a project that does not exist yet: fix the code instead.
    if (out.fix?.command?.startsWith('ecr-doctor fix') && facts.locations) {
      const { command: _live, ...rest } = out.fix;
      out = { ...out, fix: options.fixCommand ? { ...rest, command: options.fixCommand } : rest };
    }
    const where = locationFor(r, facts);
    if (where) {
      out = {
        ...out,
        evidence: {
          ...(out.evidence ?? {}),
          source: where.source,
          location: where,
          ...(where.file ? { file: where.file } : {}),
          ...(where.line ? { line: where.line } : {}),
        },
      };
    }
    if (!placeholder) return out;
    out = JSON.parse(JSON.stringify(out).split(placeholder).join(DEPLOY_ACCOUNT)) as Result;
    if (out.status === 'pass' && literalAccounts.length > 0 && POINTS_AT[out.check] !== undefined) {
      out = {
        ...out,
        status: 'warn',
        severity: 'warning',
        message: `${out.message} This depends on the account the code deploys to, which it does not name, while a policy names account ${literalAccounts.join(', ')}: pass the account (--parameter AWS::AccountId=... or a caller-identity data source) or --live to decide.`,
      };
    }
    return out;
  });
}

function literalAccountIds(facts: Facts, placeholder: string): string[] {
  const texts: string[] = [];
  for (const repo of Object.values(facts.repositories)) if (repo.policy.state === 'present') texts.push(repo.policy.value.text);
  for (const role of Object.values(facts.roles)) {
    if (role.inlinePolicies.state === 'present') texts.push(...role.inlinePolicies.value.map((p) => p.document));
    if (role.attachedPolicies.state === 'present') texts.push(...role.attachedPolicies.value.map((p) => p.document));
  }
  const ids = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(/(?<!\d)\d{12}(?!\d)/g)) if (m[0] !== placeholder) ids.add(m[0]);
  return [...ids];
}
