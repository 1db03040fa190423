/** The plan `fix` makes: plain data, printed by render-plan.ts and written by apply.ts. */
import type { KeyGrant } from '../grants/secret-grants.js';

export type Scope = 'project' | 'eb-app' | 'account';

export interface RepositoryGrants {
  /** aws:SourceArn values (project ARNs or ArnLike patterns) for codebuild.amazonaws.com. */
  codebuildSourceArns: string[];
  /** Role ARNs of other accounts (SERVICE_ROLE mode across accounts). */
  roleArns: string[];
}

export interface RepositoryPolicyChange {
  kind: 'repository-policy';
  repositoryArn: string;
  repositoryName: string;
  registryId: string;
  region: string;
  account: string;
  grants: RepositoryGrants;
  before?: string;
  after: string;
  /** False when ecr-doctor runs in another account: the statement is printed for the owner instead. */
  applicable: boolean;
  why: string[];
}

export interface RolePolicyChange {
  kind: 'role-policy';
  roleArn: string;
  roleName: string;
  policyName: string;
  account: string;
  repositoryArns: string[];
  before?: string;
  after: string;
  applicable: boolean;
  why: string[];
  /** registryCredential secrets the role must read (secretsmanager:GetSecretValue). */
  secretArns?: string[];
  /** Customer managed keys of those secrets (kms:Decrypt through Secrets Manager of the region). */
  keyGrants?: KeyGrant[];
}

export type PolicyChange = RepositoryPolicyChange | RolePolicyChange;

/** Where a policy lives: all a read, a write, a backup or a restore needs of a change. */
export type RepositoryPolicyLocation = Pick<RepositoryPolicyChange, 'kind' | 'repositoryArn' | 'repositoryName' | 'registryId' | 'region' | 'account'>;
export type RolePolicyLocation = Pick<RolePolicyChange, 'kind' | 'roleArn' | 'roleName' | 'policyName' | 'account'>;
export type PolicyLocation = RepositoryPolicyLocation | RolePolicyLocation;

export interface FixPlan {
  changes: PolicyChange[];
  /** What fix will not do, and why: Deny statements, boundaries, project settings, missing images. */
  notes: string[];
  /**
   * Changes that cannot be planned safely (planFix with collectRefusals): a policy ecr-doctor will
   * not rewrite, a statement that looks like ours but is not. The others are still planned.
   */
  refused?: string[];
}

/** The plan cannot be made safely (a statement that looks like ours but is not, a policy over the size limit). */
export class PlanError extends Error {}

/** The policy text itself is refused (duplicate keys, an inexact number, not a policy): `predicate` reads after the policy's name. */
export class PolicyRefusedError extends PlanError {
  constructor(
    readonly predicate: string,
    message: string,
  ) {
    super(message);
  }
}
