// A synthetic organization-scale report: 300 projects in 2 accounts × 2 regions, built from
// Results directly (the lead's runner sets account/region on each result and target.assumeRole).
import { summarise, type Report, type Result, type ScopeOutcome } from '../../src/model/result.js';
import type { PullDescription } from '../../src/model/verdict.js';
import { withFixGroups } from '../../src/report/build-report.js';
import { deriveVerdicts } from '../../src/report/verdict.js';

export const A = '111122223333';
export const B = '444455556666';
export const UNREACHABLE = '777788889999';
export const EAST = 'us-east-1';
export const WEST = 'eu-west-1';

const pad = (i: number) => String(i).padStart(3, '0');
export const projectArn = (account: string, region: string, name: string) => `arn:aws:codebuild:${region}:${account}:project/${name}`;
const repoArn = (account: string, region: string, name: string) => `arn:aws:ecr:${region}:${account}:repository/${name}`;
const image = (account: string, region: string, repo: string, tag: string) => `${account}.dkr.ecr.${region}.amazonaws.com/${repo}:${tag}`;

interface Made { results: Result[]; pulls: PullDescription[] }

function passes(subject: string, account: string, region: string, checks: string[]): Result[] {
  return checks.map((check) => ({ check, status: 'pass', severity: 'info', subject, message: `${check} passes.`, account, region }));
}

function project(m: Made, account: string, region: string, name: string, img: string, mode: 'CODEBUILD' | 'SERVICE_ROLE', problem?: Omit<Result, 'subject' | 'account' | 'region' | 'severity'>): void {
  const subject = projectArn(account, region, name);
  m.pulls.push({ subject, kind: 'project', name, image: img, mode });
  m.results.push(...passes(subject, account, region, ['project-found', 'image-reference', 'pull-mode']));
  if (problem) m.results.push({ ...problem, severity: problem.status === 'warn' ? 'warning' : 'error', subject, account, region });
  else m.results.push(...passes(subject, account, region, ['repository-exists', 'image-exists']));
}

/** 180 + 40 + 40 + 15 + 5 + 20 = 300 projects; 180 ARNs are too many for one statement (ECR's 10,240 characters). */
export function scaleResults(): Made {
  const m: Made = { results: [], pulls: [] };
  const seed = repoArn(A, EAST, 'seed-app');
  for (let i = 0; i < 180; i++) {
    project(m, A, EAST, `app-${pad(i)}`, image(A, EAST, 'seed-app', 'build'), 'CODEBUILD', {
      check: 'codebuild-principal-can-pull', status: 'fail',
      message: 'codebuild.amazonaws.com may not pull from seed-app: the repository has no repository policy. In CODEBUILD mode the pull is made by the service principal.',
      fix: { target: 'repository-policy', account: A, resource: seed, description: `Add a statement to the repository policy of seed-app (account ${A}) that allows codebuild.amazonaws.com to pull, conditioned on aws:SourceAccount and aws:SourceArn.`, command: `ecr-doctor fix --project app-${pad(i)} --dry-run --region ${EAST}`, statement: { Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Condition: { ArnLike: { 'aws:SourceArn': projectArn(A, EAST, `app-${pad(i)}`) } } } },
    });
  }
  const base = repoArn(A, WEST, 'base');
  for (let i = 0; i < 40; i++) {
    const tag = `v${i % 4}`;
    project(m, A, WEST, `svc-${pad(i)}`, image(A, WEST, 'base', tag), 'CODEBUILD', {
      check: 'image-exists', status: 'fail', message: `The tag ${tag} does not exist in base. Nearest tags: v10, v11.`,
      fix: { target: 'image', account: A, resource: base, description: 'Push the image with this tag, or point the build at an existing one.' },
    });
  }
  const role = `arn:aws:iam::${B}:role/service-role/shared-build-role`;
  for (let i = 0; i < 40; i++) {
    project(m, B, EAST, `api-${pad(i)}`, image(B, EAST, 'api-base', 'latest'), 'SERVICE_ROLE', {
      check: 'service-role-can-pull', status: 'fail',
      message: `The service role ${role} may not call ecr:GetAuthorizationToken: no identity policy of the role allows it. The grant belongs in the role's identity policy, in account ${B}.`,
      fix: { target: 'role-policy', account: B, resource: role, description: `Add an inline policy to ${role} (account ${B}) that allows ecr:GetAuthorizationToken on * and the pull actions on ${repoArn(B, EAST, 'api-base')}.`, command: `ecr-doctor fix --project api-${pad(i)} --dry-run --region ${EAST}` },
    });
  }
  for (let i = 0; i < 15; i++) {
    project(m, B, WEST, `job-${pad(i)}`, image(B, WEST, 'jobs', '1'), 'CODEBUILD', {
      check: 'codebuild-principal-can-pull', status: 'error',
      message: 'could not check: the repository policy of jobs cannot be read (AccessDenied); it needs ecr:GetRepositoryPolicy.',
    });
  }
  for (let i = 0; i < 5; i++) {
    project(m, B, WEST, `nightly-${pad(i)}`, image(B, WEST, 'jobs', '1'), 'CODEBUILD', {
      check: 'lifecycle-expiry', status: 'warn', message: 'The image jobs:1 is already eligible for expiry under lifecycle rule 1 (priority 1). The next lifecycle run may delete it.',
      fix: { target: 'image', account: B, resource: repoArn(B, WEST, 'jobs'), description: 'Tag the image so that no rule selects it, or change the rule.' },
    });
  }
  for (let i = 0; i < 20; i++) project(m, i % 2 ? A : B, i % 3 ? EAST : WEST, `ok-${pad(i)}`, image(A, EAST, 'seed-app', 'build'), 'CODEBUILD');
  m.results.push({ check: 'scope-read', status: 'error', severity: 'error', subject: `account ${UNREACHABLE}`, account: UNREACHABLE, region: EAST, message: `sts:AssumeRole on arn:aws:iam::${UNREACHABLE}:role/EcrDoctorAudit was denied.`, fix: { target: 'other', account: UNREACHABLE, description: `Create the role EcrDoctorAudit in account ${UNREACHABLE}, trusting account ${A}.` } });
  return m;
}

export const SCOPES: ScopeOutcome[] = [
  { account: A, region: EAST, status: 'read', projects: 180 + 7 },
  { account: A, region: WEST, status: 'read', projects: 40 + 3 },
  { account: B, region: EAST, status: 'read', projects: 40 + 6 },
  { account: B, region: WEST, status: 'read', projects: 15 + 5 + 4 },
  { account: UNREACHABLE, region: EAST, status: 'error', message: `sts:AssumeRole on arn:aws:iam::${UNREACHABLE}:role/EcrDoctorAudit was denied.`, hint: `create the role in account ${UNREACHABLE} with a trust policy that allows arn:aws:iam::${A}:root to assume it` },
];

export function scaleReport(results: Result[], pulls: PullDescription[], target: Record<string, unknown> = {}): Report {
  return withFixGroups({
    schemaVersion: 1,
    tool: { name: 'ecr-doctor', version: '0.1.0-test' },
    target: { description: 'all projects', source: 'live', account: A, accounts: [A, B, UNREACHABLE], region: EAST, assumeRole: 'EcrDoctorAudit', ...target },
    summary: summarise(results),
    results,
    verdicts: deriveVerdicts(results, pulls),
    scopes: SCOPES,
  });
}
