/**
 * Every AWS call ecr-doctor makes, with the IAM action it needs and what for. The `permissions`
 * command prints its policy from this list, and a test keeps the list in step with the
 * `new XCommand(` calls in src/ (DOMAIN.md §8).
 */
export interface AwsCall {
  command: string;
  action: string;
  /**
   * Which command needs it: doctor (and snapshot), fix only, or `accounts`: only the caller of a
   * multi-account doctor run (--accounts, --organization), never the member accounts' role.
   */
  use: 'doctor' | 'fix' | 'accounts';
  why: string;
}

export const AWS_CALLS: readonly AwsCall[] = [
  { command: 'GetCallerIdentityCommand', action: 'sts:GetCallerIdentity', use: 'doctor', why: 'the account examined' },
  { command: 'BatchGetProjectsCommand', action: 'codebuild:BatchGetProjects', use: 'doctor', why: 'the project image, pull mode and service role' },
  { command: 'ListProjectsCommand', action: 'codebuild:ListProjects', use: 'doctor', why: '--all-projects, and "did you mean" for a project that is not found' },
  { command: 'BatchGetBuildsCommand', action: 'codebuild:BatchGetBuilds', use: 'doctor', why: 'what a failed build ran with and what it said' },
  { command: 'ListBuildsCommand', action: 'codebuild:ListBuilds', use: 'doctor', why: "eb deploy's failed builds (--last-failed)" },
  { command: 'ListBuildsForProjectCommand', action: 'codebuild:ListBuildsForProject', use: 'doctor', why: "a project's failed builds (--last-failed)" },
  { command: 'DescribeRepositoriesCommand', action: 'ecr:DescribeRepositories', use: 'doctor', why: 'whether the repository exists' },
  { command: 'GetRepositoryPolicyCommand', action: 'ecr:GetRepositoryPolicy', use: 'doctor', why: 'the repository policy' },
  { command: 'DescribeImagesCommand', action: 'ecr:DescribeImages', use: 'doctor', why: 'whether the tag or digest exists' },
  { command: 'ListImagesCommand', action: 'ecr:ListImages', use: 'doctor', why: 'nearest tags when a tag is missing' },
  { command: 'GetRoleCommand', action: 'iam:GetRole', use: 'doctor', why: "the service role and its boundary" },
  { command: 'ListRolePoliciesCommand', action: 'iam:ListRolePolicies', use: 'doctor', why: "the role's inline policies" },
  { command: 'GetRolePolicyCommand', action: 'iam:GetRolePolicy', use: 'doctor', why: "the role's inline policies" },
  { command: 'ListAttachedRolePoliciesCommand', action: 'iam:ListAttachedRolePolicies', use: 'doctor', why: "the role's managed policies" },
  { command: 'GetPolicyCommand', action: 'iam:GetPolicy', use: 'doctor', why: "a managed policy's default version" },
  { command: 'GetPolicyVersionCommand', action: 'iam:GetPolicyVersion', use: 'doctor', why: "a managed policy's document" },
  { command: 'BatchGetImageCommand', action: 'ecr:BatchGetImage', use: 'doctor', why: "the image's manifest: the platforms of an index, the config of a single manifest" },
  { command: 'GetDownloadUrlForLayerCommand', action: 'ecr:GetDownloadUrlForLayer', use: 'doctor', why: "a single-platform image's config blob (its os and architecture)" },
  { command: 'BatchGetFleetsCommand', action: 'codebuild:BatchGetFleets', use: 'doctor', why: "the environment type and disk of a project's reserved-capacity fleet" },
  { command: 'DescribeSecretCommand', action: 'secretsmanager:DescribeSecret', use: 'doctor', why: 'whether the registryCredential secret exists, and its KMS key (never its value)' },
  { command: 'GetResourcePolicyCommand', action: 'secretsmanager:GetResourcePolicy', use: 'doctor', why: "the registryCredential secret's resource policy" },
  { command: 'DescribeKeyCommand', action: 'kms:DescribeKey', use: 'doctor', why: "whether the secret's KMS key is customer managed" },
  { command: 'GetKeyPolicyCommand', action: 'kms:GetKeyPolicy', use: 'doctor', why: "who may decrypt with the secret's customer managed key" },
  { command: 'SetRepositoryPolicyCommand', action: 'ecr:SetRepositoryPolicy', use: 'fix', why: 'writing the merged repository policy' },
  { command: 'PutRolePolicyCommand', action: 'iam:PutRolePolicy', use: 'fix', why: "writing ecr-doctor's inline role policy (SERVICE_ROLE mode)" },
  { command: 'DeleteRepositoryPolicyCommand', action: 'ecr:DeleteRepositoryPolicy', use: 'fix', why: 'restore of a backup that recorded no repository policy before' },
  { command: 'DeleteRolePolicyCommand', action: 'iam:DeleteRolePolicy', use: 'fix', why: 'restore of a backup that recorded no inline role policy before' },
  { command: 'DescribeRouteTablesCommand', action: 'ec2:DescribeRouteTables', use: 'doctor', why: "the routes of a VPC project's subnets (NAT to ECR)" },
  { command: 'DescribeVpcEndpointsCommand', action: 'ec2:DescribeVpcEndpoints', use: 'doctor', why: "a VPC project's ECR and S3 endpoints and their policies" },
  { command: 'GetAccountSettingCommand', action: 'ecr:GetAccountSetting', use: 'doctor', why: 'the registry policy scope (V1 or V2: whether the registry policy applies to pulls)' },
  { command: 'GetRegistryPolicyCommand', action: 'ecr:GetRegistryPolicy', use: 'doctor', why: 'the registry policy (under V2 it can deny or allow a pull)' },
  { command: 'ListTagsForResourceCommand', action: 'ecr:ListTagsForResource', use: 'doctor', why: 'repository tags, for aws:ResourceTag/… conditions' },
  { command: 'GetLifecyclePolicyCommand', action: 'ecr:GetLifecyclePolicy', use: 'doctor', why: "the repository's lifecycle rules, which can expire the image a project names (the image list then comes from ecr:DescribeImages)" },
  { command: 'DescribePullThroughCacheRulesCommand', action: 'ecr:DescribePullThroughCacheRules', use: 'doctor', why: 'which repository paths are pull-through cache paths (custom prefixes, ROOT), and their upstream credential secret' },
  { command: 'DescribeRepositoryCreationTemplatesCommand', action: 'ecr:DescribeRepositoryCreationTemplates', use: 'doctor', why: 'the creation template that shapes a cache repository on its first pull (its repository policy)' },
  { command: 'GetAccountAuthorizationDetailsCommand', action: 'iam:GetAccountAuthorizationDetails', use: 'doctor', why: 'roles and customer managed policies in one account-wide read, when a run names more than 3 roles (without it, the roles are read one by one)' },
  { command: 'AssumeRoleCommand', action: 'sts:AssumeRole', use: 'accounts', why: 'the --assume-role role in each account of --account, --accounts or --organization (session name ecr-doctor)' },
  { command: 'ListAccountsCommand', action: 'organizations:ListAccounts', use: 'accounts', why: "--organization: the organization's ACTIVE accounts" },
  { command: 'DescribeRegionsCommand', action: 'ec2:DescribeRegions', use: 'doctor', why: '--all-regions: the regions enabled for the account' },
  { command: 'GetParametersByPathCommand', action: 'ssm:GetParametersByPath', use: 'doctor', why: "--all-regions: where CodeBuild runs (AWS's public parameters /aws/service/global-infrastructure/services/codebuild/regions)" },
];

/** What fix may write for a named target: its repositories (ARNs) and service roles (ARNs). */
export interface FixScope {
  repositories: string[];
  roles: string[];
}

/** Which resource each fix-only action writes, to name ARNs instead of `*` when the target is known. */
const FIX_RESOURCE: Record<string, keyof FixScope> = {
  'ecr:SetRepositoryPolicy': 'repositories',
  'ecr:DeleteRepositoryPolicy': 'repositories',
  'iam:PutRolePolicy': 'roles',
  'iam:DeleteRolePolicy': 'roles',
};

/**
 * The least-privilege identity policy for doctor, or for doctor and fix. With a scope, the writes
 * name the target's repository and role ARNs (an action with nothing to write is left out);
 * without one they are on `*` (any project fix may be pointed at).
 */
export function permissionsPolicy(includeFix: boolean, scope?: FixScope): Record<string, unknown> {
  const read = AWS_CALLS.filter((c) => c.use === 'doctor').map((c) => c.action);
  const write = AWS_CALLS.filter((c) => c.use === 'fix').map((c) => c.action);
  const sorted = (xs: string[]) => [...new Set(xs)].sort();
  const fixStatements = !includeFix
    ? []
    : !scope
      ? [{ Sid: 'EcrDoctorFix', Effect: 'Allow', Action: sorted(write), Resource: '*' }]
      : (['repositories', 'roles'] as const).flatMap((key) => {
          // One statement per kind of resource: its writes (restore's deletes included) on the target's ARNs.
          const actions = sorted(write.filter((a) => FIX_RESOURCE[a] === key));
          const resources = sorted(scope[key]);
          if (resources.length === 0 || actions.length === 0) return [];
          return [{ Sid: key === 'repositories' ? 'EcrDoctorFixRepository' : 'EcrDoctorFixRole', Effect: 'Allow', Action: actions, Resource: resources.length === 1 ? resources[0] : resources }];
        });
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'EcrDoctorRead', Effect: 'Allow', Action: sorted(read), Resource: '*' }, ...fixStatements],
  };
}
