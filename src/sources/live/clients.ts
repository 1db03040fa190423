import type { CodeBuildClient } from '@aws-sdk/client-codebuild';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { STSClient } from '@aws-sdk/client-sts';
import { IncompleteError } from '../../model/errors.js';

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
  const sts = new STSClient({ ...base, ...(options.region ? { region: options.region } : {}) });
  const region = options.region ?? (await resolveRegion(sts));
  const ecrClients = new Map<string, ECRClient>();
  const ecrIn = (r: string): ECRClient => {
    let client = ecrClients.get(r);
    if (!client) {
      client = new ECRClient({ ...base, region: r });
      ecrClients.set(r, client);
    }
    return client;
  };
  return {
    region,
    sts,
    codebuild: new CodeBuildClient({ ...base, region }),
    ecr: ecrIn(region),
    iam: new IAMClient({ ...base, region }),
    ecrIn,
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
