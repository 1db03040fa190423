import type { EnvironmentVariable, FactLocation, NamedPolicy, PullMode, SourceInfo, VpcConfigInfo } from '../../model/facts.js';

/**
 * What infrastructure code (a Terraform plan, Terraform source, a CloudFormation template)
 * defines, before it becomes Facts. A value the code cannot know before deploy is `undefined`
 * with a reason, never a guess.
 */
export type IacValue<T> = { known: true; value: T } | { known: false; reason: string };

export const known = <T>(value: T): IacValue<T> => ({ known: true, value });
export const unknown = <T>(reason: string): IacValue<T> => ({ known: false, reason });

/** How a project names its image: a full URI, or a repository of the same code with a tag only known at deploy. */
export type IacImage =
  | { kind: 'uri'; uri: string }
  | { kind: 'repository'; repositoryKey: string; tag: IacValue<string> }
  | { kind: 'unknown'; reason: string };

export interface IacProject {
  key: string;
  name: string;
  image: IacImage;
  imagePullCredentialsType?: PullMode;
  /** A role ARN, or the key of a role the same code defines. */
  serviceRole?: { kind: 'arn'; arn: string } | { kind: 'role'; roleKey: string } | { kind: 'unknown'; reason: string };
  environmentType?: string;
  computeType?: string;
  privilegedMode?: boolean;
  environmentVariables?: EnvironmentVariable[];
  source?: SourceInfo;
  vpcConfig?: VpcConfigInfo;
  /** Why the buildspec is not known before deploy (an after_unknown value, an unresolved !Sub): never guessed. */
  buildspecUnknown?: string;
  location: FactLocation;
}

export interface IacRepository {
  key: string;
  name: string;
  /** The repository policy text: absent when the code sets none. */
  policy: IacValue<string> | undefined;
  policyLocation?: FactLocation;
  /** The lifecycle policy text (aws_ecr_lifecycle_policy, LifecyclePolicy.LifecyclePolicyText): absent when the code sets none. */
  lifecycle?: IacValue<string>;
  lifecycleLocation?: FactLocation;
  location: FactLocation;
}

export interface IacRole {
  key: string;
  name: string;
  path: string;
  inlinePolicies: IacValue<NamedPolicy>[];
  /** Managed policy ARNs, or keys of managed policies the same code defines. */
  attached: ({ kind: 'arn'; arn: string } | { kind: 'policy'; policyKey: string } | { kind: 'unknown'; reason: string })[];
  boundaryArn?: string;
  location: FactLocation;
}

export interface IacManagedPolicy {
  key: string;
  name: string;
  path: string;
  document: IacValue<string>;
}

export interface IacModel {
  source: FactLocation['source'];
  /** The account the code deploys to, when the code says (a provider, a caller-identity data source, a parameter). */
  account?: string;
  region?: string;
  projects: IacProject[];
  repositories: IacRepository[];
  roles: IacRole[];
  policies: IacManagedPolicy[];
  /** The code's own expression for the account (a Terraform aws_caller_identity data source address). */
  accountAddress?: string;
  /** The registry policy of the account and region the code deploys to (aws_ecr_registry_policy, AWS::ECR::RegistryPolicy). */
  registryPolicy?: { policy: IacValue<string>; location: FactLocation };
  /** Things noticed while reading that a reader of --verbose wants to know. */
  notes: string[];
}
