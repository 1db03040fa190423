import { IncompleteError, UsageError } from '../model/errors.js';
import { quote, registerSecret } from '../model/safe-text.js';
import type { Target } from '../model/target.js';
import type { CommonOptions } from './options.js';
import { validateEndpoint, validateRegion } from './options.js';

/** What the live source is given, and in words where each part came from (for --verbose and errors). */
export interface AwsChoice {
  options: { region?: string; profile?: string; endpointUrl?: string; timeoutSeconds?: number; assumeRole?: { roleArn: string; externalId?: string } };
  regionFrom: string;
  /** The profile the SDK will use, if any: ours, or AWS_PROFILE (the SDK reads that itself). */
  profile?: string;
  profileFrom: 'flag' | 'eb' | 'AWS_EB_PROFILE' | 'AWS_PROFILE' | 'chain';
  /** Where the profile name was written: "--profile", "AWS_PROFILE", a config.yml path. */
  profileOrigin?: string;
  credentialsFrom: string;
  endpointFrom: string;
}

function regionOf(common: CommonOptions, target: Target, env: NodeJS.ProcessEnv): [string | undefined, string] {
  const flag = validateRegion(common.region);
  if (flag) return [flag, '--region'];
  if (target.region) return [target.region, target.foundBy === 'CODEBUILD_BUILD_ARN' ? 'CODEBUILD_BUILD_ARN' : 'the target ARN'];
  if (target.eb?.region) return [target.eb.region, `${target.eb.projectRoot}/.elasticbeanstalk/config.yml`];
  // The SDK would reject a bad AWS_REGION with "Invalid region in client config"; name it here.
  if (env.AWS_REGION) validateRegion(env.AWS_REGION, 'AWS_REGION');
  return [undefined, env.AWS_REGION ? 'AWS_REGION' : 'the AWS profile'];
}

/** AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_<SERVICE> the SDK honours for our services. */
const ENDPOINT_ENV = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL_ECR', 'AWS_ENDPOINT_URL_IAM', 'AWS_ENDPOINT_URL_CODEBUILD'] as const;

/** Where the endpoint comes from, in words; the environment's URLs are checked first (exit 2 when invalid). */
function endpointOf(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return `--endpoint-url ${flag}`;
  const set = ENDPOINT_ENV.filter((name) => env[name]);
  for (const name of set) validateEndpoint(env[name], name);
  if (set.length) return set.map((name) => `${name} ${env[name]}`).join(', ');
  return "AWS's public endpoints, unless the profile sets endpoint_url";
}

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:[a-z-]+:iam::(\d{12}):role\/.+$/;

/** The partition a region belongs to, for a role ARN built from a name. */
function partitionOf(region: string | undefined): string {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** --account and --assume-role of a single-account run: the role ARN to assume, or nothing. */
export function assumeRoleOf(common: CommonOptions, region: string | undefined): { assumeRole?: { roleArn: string; externalId?: string } } {
  const { account, assumeRole, externalId } = common;
  if (account !== undefined && !ACCOUNT_ID.test(account)) throw new UsageError(`invalid --account ${quote(account)}: expected a 12-digit account id`);
  if (!assumeRole) {
    if (account !== undefined) throw new UsageError('--account needs --assume-role ROLE_NAME: the role ecr-doctor assumes in that account', 'for example --account 444455556666 --assume-role ecr-doctor-read');
    if (externalId !== undefined) throw new UsageError('--external-id goes with --assume-role');
    return {};
  }
  if (externalId !== undefined) registerSecret(externalId);
  const arn = ROLE_ARN.exec(assumeRole);
  if (arn && account && arn[1] !== account) throw new UsageError(`--assume-role ${quote(assumeRole)} is a role of account ${arn[1]}, not --account ${account}`, 'give the role name alone, or the ARN in that account');
  if (!arn && !account) throw new UsageError('--assume-role ROLE_NAME needs --account ID (or a role ARN); doctor also takes --accounts or --organization', `for example --account 444455556666 --assume-role ${assumeRole}`);
  if (!arn && !/^[\w+=,.@/-]{1,512}$/.test(assumeRole)) throw new UsageError(`invalid --assume-role ${quote(assumeRole)}: expected a role name, path/name, or role ARN`);
  const roleArn = arn ? assumeRole : `arn:${partitionOf(region)}:iam::${account}:role/${assumeRole.replace(/^\/+/, '')}`;
  return { assumeRole: { roleArn, ...(externalId ? { externalId } : {}) } };
}

/** The AWS options after flags, the target, the eb config and the environment: flags win. */
export function chooseAws(common: CommonOptions, target: Target, env: NodeJS.ProcessEnv = process.env): AwsChoice {
  const [region, regionFrom] = regionOf(common, target, env);
  const ebProfile = target.ignoreEbProfile ? undefined : target.eb?.profile;
  const profile = common.profile ?? ebProfile;
  const endpointUrl = validateEndpoint(common.endpointUrl, '--endpoint-url');
  const options = {
    ...(region ? { region } : {}),
    ...(profile ? { profile } : {}),
    ...(endpointUrl ? { endpointUrl } : {}),
    ...(common.timeoutSeconds !== undefined ? { timeoutSeconds: common.timeoutSeconds } : {}),
    ...assumeRoleOf(common, region),
  };
  const endpointFrom = endpointOf(endpointUrl, env);
  const named = (p: string, profileFrom: AwsChoice['profileFrom'], profileOrigin: string): AwsChoice => ({
    options,
    regionFrom,
    endpointFrom,
    profile: p,
    profileFrom,
    profileOrigin,
    credentialsFrom: `profile "${p}" (from ${profileOrigin})`,
  });
  if (common.profile) return named(common.profile, 'flag', '--profile');
  if (ebProfile) {
    return env.AWS_EB_PROFILE === ebProfile
      ? named(ebProfile, 'AWS_EB_PROFILE', 'AWS_EB_PROFILE')
      : named(ebProfile, 'eb', `${target.eb?.projectRoot ?? '.'}/.elasticbeanstalk/config.yml`);
  }
  if (env.AWS_PROFILE) return named(env.AWS_PROFILE, 'AWS_PROFILE', 'AWS_PROFILE');
  const chain = target.ignoreEbProfile ? "the SDK's default chain (inside CodeBuild: the build container's role)" : "the SDK's default chain (environment, default profile, SSO, container or instance role)";
  return { options, regionFrom, endpointFrom, profileFrom: 'chain', credentialsFrom: chain };
}

/** Where the SDK looks for profiles, as a person would type it. */
function profileFiles(env: NodeJS.ProcessEnv): string {
  return `${env.AWS_CONFIG_FILE ?? '~/.aws/config'} / ${env.AWS_SHARED_CREDENTIALS_FILE ?? '~/.aws/credentials'}`;
}

export interface CredentialsFailure {
  problem: 'missing' | 'rejected' | 'process';
  /** The SDK's words, already free of anything secret. */
  detail: string;
  hint?: string;
}

/**
 * A credentials error that names the profile that was used, and where that profile came from,
 * instead of suggesting --profile to someone who passed it. Without a profile it is unchanged.
 */
export function explainCredentialsFailure(f: CredentialsFailure, message: string, choice: AwsChoice, env: NodeJS.ProcessEnv = process.env): IncompleteError {
  const p = choice.profile;
  if (!p) return new IncompleteError(message, f.hint);
  // The user typed --profile and knows it; any other origin is worth saying.
  const setBy = choice.profileFrom === 'flag' || !choice.profileOrigin ? '' : ` (from ${choice.profileOrigin})`;
  const notFound = f.problem === 'missing' && /^Could not load credentials|could not resolve credentials using profile|profile .*(not found|could not be found|does not exist)/i.test(f.detail);
  const text =
    f.problem === 'process'
      ? `no usable AWS credentials from profile "${p}"${setBy}: ${f.detail}`
      : f.problem === 'rejected'
      ? `AWS rejected the credentials of profile "${p}"${setBy}: ${f.detail}`
      : notFound
        ? `no usable AWS credentials: profile "${p}"${setBy} was not found or has no credentials in ${profileFiles(env)}`
        : `no usable AWS credentials from profile "${p}"${setBy}: ${f.detail}`;
  const refresh = `aws configure --profile ${p}, or aws sso login --profile ${p} for an SSO profile`;
  if (f.problem === 'process') return new IncompleteError(text, f.hint);
  const hint = {
    flag: `check the name (aws configure list-profiles), or set it up: ${refresh}`,
    eb: `set it up (${refresh}), or pass --profile to use another`,
    AWS_EB_PROFILE: `set it up (${refresh}), or unset AWS_EB_PROFILE, or pass --profile to use another`,
    AWS_PROFILE: `set it up (${refresh}), or unset AWS_PROFILE, or pass --profile to use another`,
    chain: f.hint ?? '',
  }[choice.profileFrom];
  return new IncompleteError(text, hint);
}
