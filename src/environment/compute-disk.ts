/**
 * The disk of each on-demand compute type, by environment type, in GB. Source: CodeBuild user
 * guide, "Build environment compute modes and types", "About environment types" (on-demand,
 * EC2 compute mode): https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-compute-types.html
 * Where two published versions of the page differ (ARM Large: 128 GB and 256 GB) the smaller is
 * kept: a warning errs towards caution, and a failure needs the compressed size alone past it.
 * Types the table does not list (Windows, Lambda, macOS) get no number: the check then says so.
 */
const DISK_GB: Record<string, Record<string, number>> = {
  LINUX_CONTAINER: { BUILD_GENERAL1_SMALL: 64, BUILD_GENERAL1_MEDIUM: 128, BUILD_GENERAL1_LARGE: 128, BUILD_GENERAL1_XLARGE: 256, BUILD_GENERAL1_2XLARGE: 824 },
  ARM_CONTAINER: { BUILD_GENERAL1_SMALL: 64, BUILD_GENERAL1_MEDIUM: 128, BUILD_GENERAL1_LARGE: 128, BUILD_GENERAL1_XLARGE: 256, BUILD_GENERAL1_2XLARGE: 824 },
  LINUX_GPU_CONTAINER: { BUILD_GENERAL1_SMALL: 220, BUILD_GENERAL1_LARGE: 50 },
};

export function documentedDiskGb(environmentType: string, computeType: string): number | undefined {
  return DISK_GB[environmentType]?.[computeType];
}

/** Decimal gigabytes, as the guide writes them. */
export const BYTES_PER_GB = 1_000_000_000;
