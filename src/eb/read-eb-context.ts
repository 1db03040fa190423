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

  // Profile: --profile, then AWS_EB_PROFILE, then config.yml (as our design asks). The EB CLI
  // itself differs: ebcli/core/hooks.py `set_profile` takes the config profile when there is no
  // flag, and ebcli/lib/aws.py `_get_botocore_session` sets it as a session instance variable,
  // which botocore ranks above AWS_EB_PROFILE; the variable only counts when config.yml has no
  // profile. We say so in a note when the two disagree.
  const envProfile = nonEmpty(opts.env['AWS_EB_PROFILE']);
  const flagProfile = nonEmpty(opts.profileFlag);
  const [profile, profileSource] = pick([flagProfile, 'flag'], [envProfile, 'env'], [config.profile, 'config']);
  if (flagProfile === undefined && envProfile !== undefined && config.profile !== undefined && envProfile !== config.profile) {
    notes.push(
      `using profile ${envProfile} from AWS_EB_PROFILE, but eb deploy itself would use profile ${config.profile} from .elasticbeanstalk/config.yml`,
    );
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
