/**
 * What each CodeBuild environment type runs (DOMAIN.md §6): the platform an image must offer.
 * Source: CodeBuild API reference, ProjectEnvironment.type, and the user guide "Build environment
 * compute modes and types" (https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-compute-types.html).
 */
export type ComputeMode = 'ec2' | 'lambda';

export interface EnvironmentPlatform {
  os: 'linux' | 'windows';
  architecture: 'amd64' | 'arm64';
  mode: ComputeMode;
  /** Windows containers need an image built for the host's OS version (2019 = 10.0.17763, 2022 = 10.0.20348). */
  windowsVersion?: '2019' | '2022';
}

const TYPES: Record<string, EnvironmentPlatform> = {
  LINUX_CONTAINER: { os: 'linux', architecture: 'amd64', mode: 'ec2' },
  LINUX_GPU_CONTAINER: { os: 'linux', architecture: 'amd64', mode: 'ec2' },
  ARM_CONTAINER: { os: 'linux', architecture: 'arm64', mode: 'ec2' },
  // WINDOWS_CONTAINER is the older type; its host release is not documented next to the newer
  // types (Windows Server 2019 images want WINDOWS_SERVER_2019_CONTAINER: aws-cdk#9526), so only the OS is judged.
  WINDOWS_CONTAINER: { os: 'windows', architecture: 'amd64', mode: 'ec2' },
  WINDOWS_SERVER_2019_CONTAINER: { os: 'windows', architecture: 'amd64', mode: 'ec2', windowsVersion: '2019' },
  WINDOWS_SERVER_2022_CONTAINER: { os: 'windows', architecture: 'amd64', mode: 'ec2', windowsVersion: '2022' },
  LINUX_LAMBDA_CONTAINER: { os: 'linux', architecture: 'amd64', mode: 'lambda' },
  ARM_LAMBDA_CONTAINER: { os: 'linux', architecture: 'arm64', mode: 'lambda' },
};

/** Undefined for a type not in the table (MAC_ARM has no container image; a new type we do not know yet). */
export function platformOfEnvironment(environmentType: string): EnvironmentPlatform | undefined {
  return TYPES[environmentType];
}

/** Windows build numbers of the Server releases (os.version in an image config or index). */
const WINDOWS_BUILDS: Record<string, '2019' | '2022'> = { '10.0.17763': '2019', '10.0.20348': '2022' };

export function windowsReleaseOf(osVersion: string | undefined): '2019' | '2022' | undefined {
  if (!osVersion) return undefined;
  const build = osVersion.split('.').slice(0, 3).join('.');
  return WINDOWS_BUILDS[build];
}

/** "linux/arm64" as docker writes it. */
export function platformName(p: { os: string; architecture: string; variant?: string }): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}
