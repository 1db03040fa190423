import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { CodeBuildClient } from '@aws-sdk/client-codebuild';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { STSClient } from '@aws-sdk/client-sts';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { KMSClient } from '@aws-sdk/client-kms';
import { IncompleteError, UsageError } from '../../model/errors.js';
import { quote, registerSecret } from '../../model/safe-text.js';
import { asFatal, CredentialsError, errorName, OPERATION } from './aws-errors.js';
import { startDeadline, type Deadline } from './deadline.js';

export interface AwsOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  /** The whole run's deadline, credentials included (--timeout). */
  timeoutSeconds?: number;
  /** Where the SDK's warnings go, as one line of ours each (--verbose); dropped without it. */
  warn?: (line: string) => void;
  /**
   * Act as this role (--account with --assume-role, and each member account of a multi-account
   * run): the credential chain's identity calls sts:AssumeRole once, session name `ecr-doctor`.
   */
  assumeRole?: AssumeRoleRequest;
  /**
   * Credentials already resolved by another client set of this run (a multi-scope run's first):
   * used instead of the credential chain, so a credential_process or SSO login runs once per run.
   */
  sourceCredentials?: AwsCredentialIdentityProvider;
}

export type AwsCredentialSource = AwsCredentialIdentityProvider;

export interface AssumeRoleRequest {
  roleArn: string;
  externalId?: string;
}

/** sts:AssumeRole was refused or failed: an error for that account, with the role and trust policy it needs. */
export class AssumeRoleError extends IncompleteError {
  constructor(
    message: string,
    hint: string,
    readonly roleArn: string,
  ) {
    super(message, hint);
  }
}

/** Without --timeout; the CLI always passes one (DEFAULT_TIMEOUT_SECONDS in cli/options.ts). */
const FALLBACK_TIMEOUT_SECONDS = 60;
/** A TCP connection AWS accepts takes milliseconds; 5 s is a firewall dropping packets. */
const CONNECTION_TIMEOUT_MS = 5_000;
/** No byte for this long on an open request: give up on that attempt (the SDK may retry it). */
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * Retries, chosen by measurement (README "Retries", `npm run bench -- --retries`): the SDK's
 * standard strategy (its retry quota included) with 4 attempts and full-jitter exponential
 * backoff from 100 ms, capped at 5 s. Adaptive mode's client-side rate limiter kept the whole run
 * slow long after a burst (10% throttled: 34-50x slower); standard mode's 500 ms throttling base
 * cost 2.4x; this costs 1.1x, and one call throttled 3 times waits about 0.7 s, not 10 s.
 */
const MAX_ATTEMPTS = 4;
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 5_000;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export interface AwsClients {
  region: string;
  codebuild: CodeBuildClient;
  ecr: ECRClient;
  iam: IAMClient;
  sts: STSClient;
  /** An ECR client for another region, for images that live elsewhere. */
  ecrIn(region: string): ECRClient;
  /** Secrets Manager and KMS clients, loaded on first use only (registryCredential projects). */
  secretsIn(region: string): Promise<SecretsManagerClient>;
  kmsIn(region: string): Promise<KMSClient>;
  /** ECR with one retry at most, for optional reads (an image's config blob) that must not stall a run. */
  ecrQuickIn(region: string): ECRClient;
  /** An EC2 client for a region, loaded on first use: only VPC-configured builds that pull from ECR need it. */
  ec2In(region: string): Promise<EC2Client>;
  /** The configuration every client of this set shares (credentials, endpoint, retries), for a client of another service. */
  config(): Record<string, unknown>;
  /** Puts a client made from config() under the run's deadline and error tagging. */
  adopt<C>(client: C): C;
  /**
   * The clients of another account in the same run (multi-account runs): its repositories and
   * registry are then read as their owner, so a cross-account pull is judged with both halves.
   */
  ownerClients?(account: string, region: string): Promise<AwsClients | undefined>;
  /** --verbose lines from the readers (e.g. a bulk read refused, read item by item instead). */
  warn?: (line: string) => void;
}

interface MiddlewareHost {
  middlewareStack: { add(middleware: unknown, options: { step: 'initialize'; name: string }): void };
}

function callName(context: { clientName?: string; commandName?: string }): string {
  const service = (context.clientName ?? '').replace(/Client$/, '').toLowerCase();
  const operation = (context.commandName ?? '').replace(/Command$/, '');
  return `${service}:${operation}`;
}

/**
 * The SDK's logger. It warns through console.warn unless given one, and its "Multiple credential
 * sources detected" warning is nine lines (credential-provider-node, defaultProvider.js); we say
 * it in one line of our own, with --verbose only (an error run keeps to its two lines). Other SDK
 * chatter is dropped: the report is ours to write.
 */
class SdkLogger {
  constructor(private readonly say: (line: string) => void = () => {}) {}
  static warned = false;
  /** What the credential chain said on the way (ProviderError logs each link's failure at debug). */
  readonly trail: string[] = [];
  debug(...content: unknown[]): void {
    const text = content.map(String).join(' ');
    if (text.startsWith('@smithy/property-provider') && this.trail.length < 50) this.trail.push(text);
  }
  info(): void {}
  error(): void {}
  warn(...content: unknown[]): void {
    const text = content.map(String).join(' ');
    if (/Multiple credential sources detected/.test(text) && !SdkLogger.warned) {
      SdkLogger.warned = true;
      this.say('both a profile (AWS_PROFILE or --profile) and AWS_ACCESS_KEY_ID are set; the SDK uses the profile');
    }
  }
}

/**
 * Tags every error with the call that failed ("ecr:DescribeImages"), so an error raised far from
 * its call (a proxy's HTML page, a credentials failure) can still say where it came from.
 */
function tagErrors<C>(client: C, deadline: Deadline): C {
  const tag =
    (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
    async (args: unknown): Promise<unknown> => {
      try {
        // Around the whole call, retries included: the run's deadline bounds every call.
        return await deadline.race(next(args), callName(context));
      } catch (e) {
        if (typeof e === 'object' && e !== null && Object.isExtensible(e)) {
          Object.defineProperty(e, OPERATION, { value: callName(context), enumerable: false, configurable: true });
        }
        throw e;
      }
    };
  (client as MiddlewareHost).middlewareStack.add(tag, { step: 'initialize', name: 'ecrDoctorTagErrors' });
  return client;
}

/**
 * Loads the SDK only here, so --help and snapshot runs never pay for it. The credential chain,
 * AWS_PROFILE, AWS_REGION and AWS_ENDPOINT_URL are the SDK's own; flags win over them.
 */
export async function createAwsClients(options: AwsOptions): Promise<AwsClients> {
  // The bundle freezes the SDK; its Node 22 notice means nothing to a user of it (DESIGN.md §6).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [{ CodeBuildClient }, { ECRClient }, { IAMClient }, { STSClient }, { ConfiguredRetryStrategy }] = await Promise.all([
    import('@aws-sdk/client-codebuild'),
    import('@aws-sdk/client-ecr'),
    import('@aws-sdk/client-iam'),
    import('@aws-sdk/client-sts'),
    import('@smithy/core/retry'),
  ]);
  const seconds = options.timeoutSeconds ?? FALLBACK_TIMEOUT_SECONDS;
  const deadline = startDeadline(seconds);
  // The SDK finds a profile's endpoint_url and its `services` section through AWS_PROFILE only:
  // its configured-endpoint lookup ignores the client's `profile` option (@smithy/core,
  // getEndpointFromConfig calls loadConfig without it). Naming the profile there too makes
  // `--profile p` honour `[profile p] endpoint_url` as `AWS_PROFILE=p` does; --endpoint-url wins.
  if (options.profile) process.env.AWS_PROFILE = options.profile;
  const logger = new SdkLogger(options.warn);
  const retryStrategy = (attempts: number) => new ConfiguredRetryStrategy(attempts, (attempt: number) => Math.random() * Math.min(BACKOFF_BASE_MS * 2 ** attempt, BACKOFF_CAP_MS));
  const common = {
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    retryStrategy: retryStrategy(MAX_ATTEMPTS),
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: Math.min(REQUEST_TIMEOUT_MS, seconds * 1000) },
    logger,
  };
  const sts = tagErrors(new STSClient({ ...common, ...(options.region ? { region: options.region } : {}), ...(options.sourceCredentials ? { credentials: options.sourceCredentials } : {}) }), deadline);
  let region = options.region;
  if (!region) {
    const found = await resolveRegion(sts, options.profile);
    // A profile that does not exist has no region either: say the profile is the problem.
    if (!found) await resolveCredentials(sts, deadline, logger);
    region = found ?? regionUnknown();
  }
  await resolveCredentials(sts, deadline, logger);
  // One credential chain for every client: a credential_process or SSO cache is consulted once.
  let credentials = (o?: Record<string, unknown>) => sts.config.credentials(o);
  let callerSts = sts;
  if (options.assumeRole) {
    const assumed = await assumeRoleOnce(sts, options.assumeRole, deadline);
    credentials = () => Promise.resolve(assumed);
    callerSts = tagErrors(new STSClient({ ...common, region, credentials }), deadline);
  }
  const base = { ...common, credentials };
  const ecrClients = new Map<string, ECRClient>();
  const ecrIn = (r: string): ECRClient => {
    let client = ecrClients.get(r);
    if (!client) {
      client = tagErrors(new ECRClient({ ...base, region: r }), deadline);
      ecrClients.set(r, client);
    }
    return client;
  };
  const quickClients = new Map<string, ECRClient>();
  const ecrQuickIn = (r: string): ECRClient => {
    let client = quickClients.get(r);
    if (!client) {
      // A retry strategy overrides maxAttempts: the quick client needs its own.
      client = tagErrors(new ECRClient({ ...base, region: r, retryStrategy: retryStrategy(2) }), deadline);
      quickClients.set(r, client);
    }
    return client;
  };
  return {
    region,
    sts: callerSts,
    codebuild: tagErrors(new CodeBuildClient({ ...base, region }), deadline),
    ecr: ecrIn(region),
    iam: tagErrors(new IAMClient({ ...base, region }), deadline),
    ecrIn,
    secretsIn: lazyRegional(async () => (await import('@aws-sdk/client-secrets-manager')).SecretsManagerClient, base, deadline),
    kmsIn: lazyRegional(async () => (await import('@aws-sdk/client-kms')).KMSClient, base, deadline),
    ecrQuickIn,
    ec2In: lazyRegional(async () => (await import('@aws-sdk/client-ec2')).EC2Client, base, deadline),
    config: () => ({ ...base }),
    adopt: (client) => tagErrors(client, deadline),
    ...(options.warn ? { warn: options.warn } : {}),
  };
}

interface AssumedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration?: Date;
}

/** One AssumeRole per role in a run, however many regions use it (every call is counted, issue 15). */
const assumedRoles = new Map<string, Promise<AssumedCredentials>>();

function assumeRoleOnce(sts: STSClient, req: AssumeRoleRequest, deadline: Deadline): Promise<AssumedCredentials> {
  const key = `${req.roleArn}\n${req.externalId ?? ''}`;
  let pending = assumedRoles.get(key);
  if (!pending) {
    pending = assumeRole(sts, req, deadline);
    assumedRoles.set(key, pending);
  }
  return pending;
}

async function assumeRole(sts: STSClient, req: AssumeRoleRequest, deadline: Deadline): Promise<AssumedCredentials> {
  const { AssumeRoleCommand, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  try {
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: req.roleArn, RoleSessionName: 'ecr-doctor', ...(req.externalId ? { ExternalId: req.externalId } : {}) }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new IncompleteError(`sts:AssumeRole on ${req.roleArn} returned no credentials`, 'check --endpoint-url and any proxy in between');
    registerSecret(c.AccessKeyId);
    registerSecret(c.SecretAccessKey);
    registerSecret(c.SessionToken);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, ...(c.Expiration ? { expiration: c.Expiration } : {}) };
  } catch (e) {
    if (e instanceof IncompleteError && !(e instanceof CredentialsError)) throw e;
    const name = errorName(e);
    const denied = /AccessDenied/.test(name);
    // Who asks: the trust policy must name this principal (or its account).
    const caller = denied ? await sts.send(new GetCallerIdentityCommand({})).then((o) => o.Arn, () => undefined) : undefined;
    const account = /^arn:[^:]+:iam::(\d{12}):/.exec(req.roleArn)?.[1] ?? 'the account';
    const trust = JSON.stringify({
      Effect: 'Allow',
      Principal: { AWS: caller ?? `arn:aws:iam::<the account ecr-doctor runs as>:root` },
      Action: 'sts:AssumeRole',
      ...(req.externalId ? { Condition: { StringEquals: { 'sts:ExternalId': '<the --external-id>' } } } : {}),
    });
    const message = `cannot assume ${req.roleArn}: ${name} on sts:AssumeRole${caller ? ` (as ${caller})` : ''}`;
    const hint = denied
      ? `create the role in account ${account} (read-only rights: \`ecr-doctor permissions\`) with a trust policy statement ${trust}, and let the caller call sts:AssumeRole on it`
      : deadline.remainingMs() === 0
        ? 'allow more time with --timeout SECONDS'
        : 'check the role name (--assume-role), the account id and the network';
    throw new AssumeRoleError(message, hint, req.roleArn);
  }
}

/** One client per region, its SDK package imported only when the first one is asked for. */
function lazyRegional<C>(load: () => Promise<new (config: Record<string, unknown>) => C>, base: Record<string, unknown>, deadline: Deadline): (region: string) => Promise<C> {
  const clients = new Map<string, Promise<C>>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = load().then((Client) => tagErrors(new Client({ ...base, region }), deadline));
      clients.set(region, client);
    }
    return client;
  };
}

/**
 * The credentials, resolved once within the deadline (a credential_process or SSO helper that
 * never finishes must not hang the run), and registered with the scrubber so no message, report
 * or log line can show them, whatever an endpoint quotes back.
 */
async function resolveCredentials(sts: STSClient, deadline: Deadline, logger: SdkLogger): Promise<void> {
  try {
    const identity = await deadline.race(sts.config.credentials(), 'the AWS credential chain (a credential_process or SSO helper?)');
    registerSecret(identity.accessKeyId);
    registerSecret(identity.secretAccessKey);
    registerSecret(identity.sessionToken);
  } catch (e) {
    throw processFailure(logger.trail) ?? asFatal(e) ?? e;
  }
}

/**
 * The SDK ends every failed chain with "Could not load credentials from any providers"; a
 * credential_process that exited non-zero or printed something other than the JSON it must print
 * (credential-provider-process, resolveProcessCredentials.js) is only in the chain's trail. The
 * command line itself is not echoed: it may carry a token.
 */
function processFailure(trail: string[]): CredentialsError | undefined {
  for (const line of trail) {
    const m = /credential_process (returned invalid JSON|did not return.*|returned expired.*?)\.?$|^@smithy\/property-provider \S+ (Command failed)/.exec(line);
    if (!m) continue;
    const what = m[2] ? 'exited with an error' : m[1] === 'returned invalid JSON' ? 'printed something that is not the JSON credentials document' : m[1]!.replace(/\.$/, '');
    const detail = `the credential_process ${what}`;
    return new CredentialsError(`no usable AWS credentials: ${detail}`, 'run the credential_process command of the profile by hand to see why it fails', 'process', detail);
  }
  return undefined;
}

function regionUnknown(): never {
  throw new IncompleteError('the AWS region is not known', 'pass --region, set AWS_REGION, or set a region in your AWS profile');
}

async function resolveRegion(sts: STSClient, profile: string | undefined): Promise<string | undefined> {
  let region: string | undefined;
  try {
    region = await sts.config.region();
  } catch {
    // fall through to the error below
  }
  if (region && REGION.test(region)) return region;
  const where = `the AWS profile${profile ? ` ${quote(profile)}` : ''} (region in ${process.env.AWS_CONFIG_FILE ?? '~/.aws/config'})`;
  if (region) throw new UsageError(`invalid region ${quote(region)} (from ${where}): expected a region code such as us-east-1`, 'fix the region in the profile, or pass --region');
  return undefined;
}

/** The SDK's own record of where the credentials came from (feature ids it keeps for metrics). */
const CREDENTIAL_SOURCES: Record<string, string> = {
  CREDENTIALS_CODE: 'passed in code',
  CREDENTIALS_ENV_VARS: 'environment variables (AWS_ACCESS_KEY_ID)',
  CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN: 'a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)',
  CREDENTIALS_STS_ASSUME_ROLE: 'an assumed role',
  CREDENTIALS_STS_ASSUME_ROLE_WEB_ID: 'an assumed role with web identity',
  CREDENTIALS_PROFILE: 'a profile',
  CREDENTIALS_PROFILE_SOURCE_PROFILE: 'a profile with source_profile',
  CREDENTIALS_PROFILE_NAMED_PROVIDER: 'a profile with credential_source',
  CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN: 'a profile with web_identity_token_file',
  CREDENTIALS_PROFILE_SSO: 'a profile with SSO',
  CREDENTIALS_SSO: 'SSO',
  CREDENTIALS_PROFILE_SSO_LEGACY: 'a profile with legacy SSO',
  CREDENTIALS_SSO_LEGACY: 'legacy SSO',
  CREDENTIALS_PROFILE_PROCESS: 'a profile with credential_process',
  CREDENTIALS_PROCESS: 'credential_process',
  CREDENTIALS_HTTP: 'the container credentials endpoint',
  CREDENTIALS_IMDS: 'the instance metadata service',
};

/**
 * How the SDK resolved the credentials, in words, for --verbose; never the keys themselves.
 * Undefined when the SDK does not say (the credentials are cached, so this makes no extra call).
 */
export async function describeCredentialSource(clients: AwsClients): Promise<string | undefined> {
  try {
    const identity = (await clients.sts.config.credentials()) as { $source?: Record<string, unknown> };
    const keys = Object.keys(identity.$source ?? {});
    const words = keys.map((k) => CREDENTIAL_SOURCES[k]).filter((w): w is string => !!w);
    return words.length ? words.join(', ') : undefined;
  } catch {
    return undefined;
  }
}
