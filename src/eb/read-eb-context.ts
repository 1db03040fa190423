import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { EbContext } from '../model/facts.js';
import { describeFsError } from '../model/fs-error-words.js';
import { UsageError } from '../model/errors.js';
import { parseBuildspec } from './buildspec.js';
import { EB_CONFIG_FILES, EB_DEFAULT_BRANCH_KEY, parseEbConfig } from './eb-config.js';
import { findProjectRoot } from './find-project-root.js';
import { readCurrentBranch } from './git-branch.js';

export { describeEbProblems, type EbProblem, type EbProblemCode } from './describe-eb-problems.js';

/** ebcli/core/fileoperations.py: `buildspec_name`; only this name, only at the project root. */
export const BUILDSPEC_NAME = 'buildspec.yml';

export interface ReadEbContextOptions {
  cwd: string;
  buildspec?: string;
  profileFlag?: string;
  regionFlag?: string;
  env: NodeJS.ProcessEnv;
}

/** What the model's EbContext has no room for; kept out of src/model on purpose. */
export interface EbContextReading {
  context: EbContext;
  /** From parseBuildspec: unknown keys, wrong types, values the API refuses. */
  buildspecProblems: string[];
  /** Where `context.profile` / `context.region` came from. */
  profileSource?: 'flag' | 'env' | 'config';
  regionSource?: 'flag' | 'config' | 'env';
  /** The `branch-defaults` key used: the git branch, or 'default' as the EB CLI does without one. */
  branchKey: string;
  /** `branch-defaults.<branch>.environment`. */
  environment?: string;
  /** The config files that existed and were read (absolute paths). */
  configFiles: string[];
  /** Where what we read differs from what `eb deploy` itself would read. */
  notes: string[];
}

/** The eb context with what the reading found wrong or different from eb deploy, for the report. */
export async function readEbContext(opts: ReadEbContextOptions): Promise<EbContext | undefined> {
  const reading = await readEbContextDetailed(opts);
  if (!reading) return undefined;
  const { context, buildspecProblems, notes } = reading;
  return {
    ...context,
    ...(buildspecProblems.length ? { problems: buildspecProblems } : {}),
    ...(notes.length ? { notes } : {}),
  };
}

/**
 * Finds and reads buildspec.yml and .elasticbeanstalk/config*.yml.
 * Without `buildspec`: the project root is the nearest ancestor of `cwd` holding
 * `.elasticbeanstalk/` (or `cwd` itself when there is none, e.g. a CI checkout where
 * .elasticbeanstalk/config.yml is git-ignored); undefined when it has no buildspec.yml.
 * With `buildspec` (a file, or a folder holding buildspec.yml): the root is the nearest
 * ancestor of its folder holding `.elasticbeanstalk/`, else the folder itself.
 */
export async function readEbContextDetailed(opts: ReadEbContextOptions): Promise<EbContextReading | undefined> {
  const notes: string[] = [];
  let buildspecPath: string;
  let projectRoot: string;
  if (opts.buildspec !== undefined) {
    buildspecPath = await resolveExplicitBuildspec(opts.cwd, opts.buildspec);
    projectRoot = (await findProjectRoot(dirname(buildspecPath))) ?? dirname(buildspecPath);
    if (buildspecPath !== join(projectRoot, BUILDSPEC_NAME)) {
      notes.push(`eb deploy reads ${join(projectRoot, BUILDSPEC_NAME)}, not ${buildspecPath}`);
    }
  } else {
    projectRoot = (await findProjectRoot(opts.cwd)) ?? resolve(opts.cwd);
    buildspecPath = join(projectRoot, BUILDSPEC_NAME);
    if ((await fileKind(buildspecPath)) !== 'file') return undefined;
  }

  const shown = (path: string): string => displayPath(opts.cwd, path);
  const buildspecText = await readOptional(buildspecPath);
  if (buildspecText === undefined) throw new UsageError(`buildspec not found: ${shown(buildspecPath)}`);
  const buildspec = parseBuildspec(buildspecText, shown(buildspecPath));

  const localPath = join(projectRoot, EB_CONFIG_FILES.local);
  const globalPath = join(projectRoot, EB_CONFIG_FILES.global);
  const [localText, globalText, branch] = await Promise.all([
    readOptional(localPath),
    readOptional(globalPath),
    readCurrentBranch(projectRoot),
  ]);
  const branchKey = branch ?? EB_DEFAULT_BRANCH_KEY;
  const config = parseEbConfig(localText, globalText, branchKey, { local: shown(localPath), global: shown(globalPath) });

  // Profile, as the EB CLI applies it (DOMAIN.md §2, from ebcli core/hooks.py `set_profile`,
  // lib/aws.py `_get_botocore_session`, operations/commonops.py): --profile > config.yml
  // `profile` (branch entry, then global; parseEbConfig) > the AWS_ACCESS_KEY_ID /
  // AWS_SECRET_ACCESS_KEY pair > AWS_EB_PROFILE > [default] > container or instance role.
  // AWS_PROFILE and AWS_DEFAULT_PROFILE are never read by the EB CLI.
  const envProfile = nonEmpty(opts.env['AWS_EB_PROFILE']);
  const flagProfile = nonEmpty(opts.profileFlag);
  const keyPair = nonEmpty(opts.env['AWS_ACCESS_KEY_ID']) !== undefined && nonEmpty(opts.env['AWS_SECRET_ACCESS_KEY']) !== undefined;
  const [profile, profileSource] = pick([flagProfile, 'flag'], [config.profile, 'config'], [keyPair ? undefined : envProfile, 'env']);
  if (flagProfile === undefined && envProfile !== undefined && profileSource !== 'env') {
    const used = profileSource === 'config' ? `profile ${config.profile} from .elasticbeanstalk/config.yml` : 'the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY pair';
    notes.push(`AWS_EB_PROFILE=${envProfile} is set, but eb deploy uses ${used}, which comes first; ecr-doctor does the same`);
  }
  const awsProfile = nonEmpty(opts.env['AWS_PROFILE']) ?? nonEmpty(opts.env['AWS_DEFAULT_PROFILE']);
  if (flagProfile === undefined && awsProfile !== undefined && awsProfile !== profile) {
    const ebUses = profile !== undefined ? `profile ${profile}` : keyPair ? 'the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY pair' : 'the [default] profile (or the container or instance role)';
    // The SDK ecr-doctor runs on reads AWS_PROFILE itself; with a profile chosen here it is overridden.
    const ours = profile !== undefined ? `ecr-doctor uses profile ${profile} too` : 'ecr-doctor\'s AWS SDK reads AWS_PROFILE, so it may act as another identity than eb deploy: pass --profile to choose';
    notes.push(`AWS_PROFILE=${awsProfile} is set, but eb deploy ignores it and uses ${ebUses}; ${ours}`);
  }
  // Region: --region, then default_region (branch, then global), then AWS_DEFAULT_REGION, as in
  // the EB CLI (ebcli/core/hooks.py `set_region`; botocore reads AWS_DEFAULT_REGION only when
  // no region was set, and never AWS_REGION). AWS_REGION and the profile's region are left to
  // the caller's SDK default chain.
  const [region, regionSource] = pick(
    [nonEmpty(opts.regionFlag), 'flag'],
    [config.region, 'config'],
    [nonEmpty(opts.env['AWS_DEFAULT_REGION']), 'env'],
  );
  const awsRegion = nonEmpty(opts.env['AWS_REGION']);
  if (awsRegion !== undefined && awsRegion !== region && opts.regionFlag === undefined) {
    notes.push(
      region !== undefined
        ? `AWS_REGION=${awsRegion} is set, but eb deploy never reads it and uses region ${region}; ecr-doctor uses ${region} too`
        : `AWS_REGION=${awsRegion} is set, but eb deploy never reads it (it reads AWS_DEFAULT_REGION or the profile's region); ecr-doctor's SDK uses AWS_REGION: pass --region to choose`,
    );
  }

  const context: EbContext = { projectRoot, buildspecPath, hasSettings: buildspec.hasSettings };
  if (config.applicationName !== undefined) context.applicationName = config.applicationName;
  if (region !== undefined) context.region = region;
  if (profile !== undefined) context.profile = profile;
  if (branch !== undefined) context.branch = branch;
  if (buildspec.settings !== undefined) context.settings = buildspec.settings;

  const reading: EbContextReading = {
    context,
    buildspecProblems: buildspec.problems,
    branchKey,
    configFiles: [localText === undefined ? undefined : localPath, globalText === undefined ? undefined : globalPath].filter(
      (p): p is string => p !== undefined,
    ),
    notes,
  };
  if (profileSource !== undefined) reading.profileSource = profileSource;
  if (regionSource !== undefined) reading.regionSource = regionSource;
  if (config.environment !== undefined) reading.environment = config.environment;
  return reading;
}

async function resolveExplicitBuildspec(cwd: string, given: string): Promise<string> {
  const path = resolve(cwd, given);
  const kind = await fileKind(path);
  if (kind === 'file') return path;
  if (kind === 'directory' && (await fileKind(join(path, BUILDSPEC_NAME))) === 'file') return join(path, BUILDSPEC_NAME);
  throw new UsageError(`buildspec not found: ${given}`, `give the path of a ${BUILDSPEC_NAME} file, or of the folder holding it`);
}

async function fileKind(path: string): Promise<'file' | 'directory' | undefined> {
  try {
    const info = await stat(path);
    if (info.isFile()) return 'file';
    return info.isDirectory() ? 'directory' : undefined;
  } catch {
    return undefined;
  }
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read ${path}: ${describeFsError(error)}`);
  }
}

/** Paths in messages: relative to the working directory when inside it, else absolute. */
function displayPath(cwd: string, path: string): string {
  const rel = relative(resolve(cwd), path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function pick<S extends string>(...candidates: Array<[string | undefined, S]>): [string | undefined, S | undefined] {
  for (const [value, source] of candidates) if (value !== undefined) return [value, source];
  return [undefined, undefined];
}
