import type { CodeBuildClient } from '@aws-sdk/client-codebuild';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { STSClient } from '@aws-sdk/client-sts';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { KMSClient } from '@aws-sdk/client-kms';
import { IncompleteError } from '../../model/errors.js';
import { OPERATION } from './aws-errors.js';

export interface AwsOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
}

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
}

interface MiddlewareHost {
  middlewareStack: { add(middleware: unknown, options: { step: 'initialize'; name: string }): void };
}

/**
 * Tags every error with the call that failed ("ecr:DescribeImages"), so an error raised far from
 * its call (a proxy's HTML page, a credentials failure) can still say where it came from.
 */
function tagErrors<C>(client: C): C {
  const tag =
    (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
    async (args: unknown): Promise<unknown> => {
      try {
        return await next(args);
      } catch (e) {
        if (typeof e === 'object' && e !== null && Object.isExtensible(e)) {
          const service = (context.clientName ?? '').replace(/Client$/, '').toLowerCase();
          const operation = (context.commandName ?? '').replace(/Command$/, '');
          Object.defineProperty(e, OPERATION, { value: `${service}:${operation}`, enumerable: false, configurable: true });
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
  const [{ CodeBuildClient }, { ECRClient }, { IAMClient }, { STSClient }] = await Promise.all([
    import('@aws-sdk/client-codebuild'),
    import('@aws-sdk/client-ecr'),
    import('@aws-sdk/client-iam'),
    import('@aws-sdk/client-sts'),
  ]);
  const base = {
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    retryMode: 'adaptive',
    maxAttempts: 6,
  };
  const sts = tagErrors(new STSClient({ ...base, ...(options.region ? { region: options.region } : {}) }));
  const region = options.region ?? (await resolveRegion(sts));
  const ecrClients = new Map<string, ECRClient>();
  const ecrIn = (r: string): ECRClient => {
    let client = ecrClients.get(r);
    if (!client) {
      client = tagErrors(new ECRClient({ ...base, region: r }));
      ecrClients.set(r, client);
    }
    return client;
  };
  const quickClients = new Map<string, ECRClient>();
  const ecrQuickIn = (r: string): ECRClient => {
    let client = quickClients.get(r);
    if (!client) {
      client = tagErrors(new ECRClient({ ...base, region: r, maxAttempts: 2 }));
      quickClients.set(r, client);
    }
    return client;
  };
  return {
    region,
    sts,
    codebuild: tagErrors(new CodeBuildClient({ ...base, region })),
    ecr: ecrIn(region),
    iam: tagErrors(new IAMClient({ ...base, region })),
    ecrIn,
    secretsIn: lazyRegional(async () => (await import('@aws-sdk/client-secrets-manager')).SecretsManagerClient, base),
    kmsIn: lazyRegional(async () => (await import('@aws-sdk/client-kms')).KMSClient, base),
    ecrQuickIn,
    ec2In: lazyRegional(async () => (await import('@aws-sdk/client-ec2')).EC2Client, base),
  };
}

/** One client per region, its SDK package imported only when the first one is asked for. */
function lazyRegional<C>(load: () => Promise<new (config: Record<string, unknown>) => C>, base: Record<string, unknown>): (region: string) => Promise<C> {
  const clients = new Map<string, Promise<C>>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = load().then((Client) => tagErrors(new Client({ ...base, region })));
      clients.set(region, client);
    }
    return client;
  };
}

async function resolveRegion(sts: STSClient): Promise<string> {
  try {
    const region = await sts.config.region();
    if (region) return region;
  } catch {
    // fall through to the error below
  }
  throw new IncompleteError('the AWS region is not known', 'pass --region, set AWS_REGION, or set a region in your AWS profile');
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
