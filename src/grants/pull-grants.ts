/**
 * One vocabulary for pull grants: the actions a pull needs, which the checks require, and the
 * statements `fix` writes to grant them (DOMAIN.md §3). Checks and fix both import this module,
 * so judging never imports from writing. A statement is ecr-doctor's only when its Sid is
 * one of the Sids below AND its shape is exactly what these builders produce (ownership.ts);
 * every other statement, a same-named one of another shape included, is the user's and is kept.
 */
import { matchesArnPattern } from '../policy/matchers.js';

export const CODEBUILD_PULL_SID = 'EcrDoctorCodeBuildPull';
export const ROLE_PULL_SID = 'EcrDoctorRolePull';
export const ROLE_AUTH_TOKEN_SID = 'EcrDoctorAuthToken';
export const ROLE_POLICY_NAME = 'ecr-doctor-image-pull';

/** Pull only: never a push action (DOMAIN.md §1). */
export const PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'] as const;
/** The actions a pull cannot do without; the third is customary. */
export const REQUIRED_PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] as const;

/**
 * The ArnLike values without those another value of the list already matches
 * (`project/*` covers `project/web-build`), sorted. Of two patterns that match each other the
 * first in sort order stays.
 */
export function withoutCoveredArns(values: readonly string[]): string[] {
  const kept: string[] = [];
  for (const v of [...new Set(values)].sort()) {
    if (kept.some((k) => matchesArnPattern(k, v))) continue;
    for (let i = kept.length - 1; i >= 0; i--) if (matchesArnPattern(v, kept[i]!)) kept.splice(i, 1);
    kept.push(v);
  }
  return kept.sort();
}

/** The repository-policy statement that lets CodeBuild (the service principal) pull for the given projects. */
export function codebuildPullStatement(account: string, sourceArns: readonly string[]): Record<string, unknown> {
  const arns = withoutCoveredArns(sourceArns);
  return {
    Sid: CODEBUILD_PULL_SID,
    Effect: 'Allow',
    Principal: { Service: 'codebuild.amazonaws.com' },
    Action: [...PULL_ACTIONS],
    Condition: {
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'aws:SourceArn': arns.length === 1 ? arns[0] : arns },
    },
  };
}

/** The repository-policy statement the owner adds for a role in another account (SERVICE_ROLE mode). */
export function rolePullRepositoryStatement(roleArns: readonly string[]): Record<string, unknown> {
  const arns = [...new Set(roleArns)].sort();
  return {
    Sid: ROLE_PULL_SID,
    Effect: 'Allow',
    Principal: { AWS: arns.length === 1 ? arns[0] : arns },
    Action: [...PULL_ACTIONS],
  };
}

/** The inline role-policy statements for SERVICE_ROLE mode: a token on *, the pull on the repositories. */
export function rolePullIdentityStatements(repositoryArns: readonly string[]): Record<string, unknown>[] {
  const arns = [...new Set(repositoryArns)].sort();
  return [
    { Sid: ROLE_AUTH_TOKEN_SID, Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    { Sid: ROLE_PULL_SID, Effect: 'Allow', Action: [...PULL_ACTIONS], Resource: arns.length === 1 ? arns[0] : arns },
  ];
}
