/**
 * The platform of each family of images CodeBuild provides (aws/codebuild/<name>:<version>).
 * Source: CodeBuild user guide, "Docker images provided by CodeBuild"
 * (https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-available.html) and
 * "Lambda compute images" (https://docs.aws.amazon.com/codebuild/latest/userguide/lambda-compute-images.html):
 * the x86_64 images run on LINUX_CONTAINER (and LINUX_GPU_CONTAINER), the aarch64 images on
 * ARM_CONTAINER, windows-base:2019-* on WINDOWS_SERVER_2019_CONTAINER, windows-base:2022-* on
 * WINDOWS_SERVER_2022_CONTAINER, and the *-lambda-standard images only on the Lambda types.
 */
export interface CuratedFamily {
  /** The family as the guide names it. */
  family: string;
  /** The environment types the family runs on. */
  environmentTypes: readonly string[];
}

interface Rule {
  test: (name: string, version: string) => boolean;
  family: CuratedFamily;
}

const RULES: readonly Rule[] = [
  { test: (n) => n === 'amazonlinux-x86_64-lambda-standard', family: { family: 'amazonlinux-x86_64-lambda-standard (Lambda, x86_64)', environmentTypes: ['LINUX_LAMBDA_CONTAINER'] } },
  { test: (n) => n === 'amazonlinux-aarch64-lambda-standard', family: { family: 'amazonlinux-aarch64-lambda-standard (Lambda, aarch64)', environmentTypes: ['ARM_LAMBDA_CONTAINER'] } },
  { test: (n) => n === 'amazonlinux2-x86_64-standard' || n === 'amazonlinux-x86_64-standard' || n === 'standard', family: { family: 'x86_64 Linux (standard / amazonlinux x86_64)', environmentTypes: ['LINUX_CONTAINER', 'LINUX_GPU_CONTAINER'] } },
  { test: (n) => n === 'amazonlinux2-aarch64-standard' || n === 'amazonlinux-aarch64-standard', family: { family: 'aarch64 Linux (amazonlinux aarch64)', environmentTypes: ['ARM_CONTAINER'] } },
  { test: (n, v) => n === 'windows-base' && v.startsWith('2019-'), family: { family: 'windows-base:2019 (Windows Server 2019)', environmentTypes: ['WINDOWS_SERVER_2019_CONTAINER'] } },
  { test: (n, v) => n === 'windows-base' && v.startsWith('2022-'), family: { family: 'windows-base:2022 (Windows Server 2022)', environmentTypes: ['WINDOWS_SERVER_2022_CONTAINER'] } },
];

/** `aws/codebuild/amazonlinux2-aarch64-standard:3.0` → its family; undefined when the table does not know it. */
export function curatedFamilyOf(image: string): CuratedFamily | undefined {
  const m = /^aws\/codebuild\/([^:@]+)(?::([^@]+))?/.exec(image);
  if (!m) return undefined;
  const name = m[1]!;
  const version = m[2] ?? '';
  return RULES.find((r) => r.test(name, version))?.family;
}
