import { parseImageRef } from '../image/parse-image-ref.js';
import { parseArn } from '../model/arn.js';
import { UsageError } from '../model/errors.js';
import type { Target } from '../model/target.js';
import type { CommandName, CommonOptions, TargetOptions } from './options.js';
import { hasExplicitTarget, validateBuildId, validateProjectName, validateRegion } from './options.js';

// arn:aws:codebuild:<region>:<account>:build/<project>:<uuid>, set inside every CodeBuild build.
const CODEBUILD_BUILD_ARN = /^arn:[^:]+:codebuild:([^:]+):\d{12}:build\/([^:]+):/;

async function readEb(opts: TargetOptions, common: CommonOptions, cwd: string, env: NodeJS.ProcessEnv) {
  const { readEbContext } = await import('../eb/read-eb-context.js');
  return readEbContext({
    cwd,
    ...(opts.buildspec ? { buildspec: opts.buildspec } : {}),
    ...(common.profile ? { profileFlag: common.profile } : {}),
    ...(common.region ? { regionFlag: common.region } : {}),
    env,
  });
}

/**
 * A project or build given as an ARN names its region: CodeBuild answers for a project only in
 * its own region, so reading another one would report a project that exists as missing.
 * Returns that region (undefined when no target is an ARN); --region must agree with it.
 */
export function regionNamedByTargets(targets: readonly string[], regionFlag: string | undefined): string | undefined {
  const byRegion = new Map<string, string>();
  for (const t of targets) {
    const arn = t.startsWith('arn:') ? parseArn(t) : undefined;
    if (arn?.region && !byRegion.has(arn.region)) byRegion.set(arn.region, t);
  }
  if (byRegion.size === 0) return undefined;
  if (regionFlag !== undefined) {
    const other = [...byRegion].find(([r]) => r !== regionFlag);
    if (other) throw new UsageError(`--region ${regionFlag} does not match the region of ${other[1]} (${other[0]})`, `drop --region, or pass --region ${other[0]}`);
    return regionFlag;
  }
  if (byRegion.size > 1) {
    const listed = [...byRegion].map(([r, t]) => `${t} in ${r}`).join('; ');
    throw new UsageError(`these targets are in different regions: run once per region (${listed})`);
  }
  return [...byRegion.keys()][0];
}

const NO_TARGET_HINT: Record<CommandName, string> = {
  doctor: 'try: ecr-doctor doctor --project NAME   (or run it in the folder that holds buildspec.yml and .elasticbeanstalk/)',
  fix: 'try: ecr-doctor fix --project NAME --dry-run   (or run it in the folder that holds buildspec.yml and .elasticbeanstalk/)',
  snapshot: 'try: ecr-doctor snapshot --project NAME --output facts.json   (or run it in the folder that holds buildspec.yml and .elasticbeanstalk/)',
};

/**
 * Turns flags, CODEBUILD_BUILD_ARN and the files in the current folder into a Target. With no
 * target flag: inside CodeBuild, the current project (plus the eb context if the buildspec has
 * one); else an eb project folder; else a usage error saying what was looked for.
 */
export async function resolveTarget(opts: TargetOptions, common: CommonOptions, cwd: string, env: NodeJS.ProcessEnv): Promise<Target> {
  const projects = opts.project.map(validateProjectName);
  const builds = opts.build.map(validateBuildId);
  for (const image of opts.image) parseImageRef(image);
  const named = regionNamedByTargets([...projects, ...builds], validateRegion(common.region));
  const base = { projects, builds, images: opts.image, allProjects: !!opts.allProjects, lastFailed: !!opts.lastFailed, ...(named ? { region: named } : {}) };

  if (hasExplicitTarget(opts)) {
    const eb = opts.buildspec ? await readEb(opts, common, cwd, env) : undefined;
    if (opts.lastFailed && projects.length === 0 && !eb) {
      throw new UsageError('--last-failed needs --project NAME or --buildspec PATH to know whose builds to search');
    }
    const flags = [projects.length && '--project', opts.allProjects && '--all-projects', builds.length && '--build', opts.image.length && '--image', opts.buildspec && '--buildspec'].filter(Boolean);
    // --buildspec serves any project (its in-build pulls); it is the eb deploy path only when it has eb settings or stands alone.
    const forProjects = eb && !eb.hasSettings && (projects.length > 0 || builds.length > 0 || !!opts.allProjects);
    const buildspec = eb ? { buildspec: { path: eb.buildspecPath, root: eb.projectRoot, explicit: true } } : {};
    return { ...base, ...(eb && !forProjects ? { eb } : {}), ...buildspec, foundBy: flags.join(' ') };
  }

  const buildArn = env.CODEBUILD_BUILD_ARN;
  if (buildArn) {
    const m = CODEBUILD_BUILD_ARN.exec(buildArn);
    if (!m) throw new UsageError(`CODEBUILD_BUILD_ARN is set but is not a build ARN: "${buildArn}"`);
    const eb = await readEb(opts, common, cwd, env);
    // Inside the build the source is checked out in CODEBUILD_SRC_DIR: its buildspec and Dockerfiles are at hand.
    const srcDir = env.CODEBUILD_SRC_DIR;
    return {
      ...base,
      projects: [m[2]!],
      ...(eb?.hasSettings ? { eb } : {}),
      ...(srcDir ? { buildspec: { path: eb?.buildspecPath ?? `${srcDir}/buildspec.yml`, root: srcDir, explicit: false } } : {}),
      foundBy: 'CODEBUILD_BUILD_ARN',
      region: m[1]!,
      ignoreEbProfile: true,
    };
  }

  const eb = await readEb(opts, common, cwd, env);
  if (eb) {
    if (opts.lastFailed && !eb.applicationName) throw new UsageError('--last-failed needs the application name from .elasticbeanstalk/config.yml');
    return { ...base, eb, buildspec: { path: eb.buildspecPath, root: eb.projectRoot, explicit: false }, foundBy: eb.buildspecPath };
  }
  throw new UsageError(
    `nothing to examine: no --project, --build, --image or --buildspec; not inside CodeBuild (CODEBUILD_BUILD_ARN is not set); and no buildspec.yml in ${cwd} or an EB project folder above it`,
    NO_TARGET_HINT[opts.command ?? 'doctor'],
  );
}
