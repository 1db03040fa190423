import type { Format } from '../report/formats.js';
import { UsageError } from '../model/errors.js';
import { quote } from '../model/safe-text.js';

export interface CommonOptions {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  color: boolean;
  verbose?: boolean;
  quiet?: boolean;
  /** The whole run's deadline (--timeout); commonOf always sets it. */
  timeoutSeconds?: number;
  /** --account with --assume-role: run as that role in that account (one account; fix included). */
  account?: string;
  assumeRole?: string;
  externalId?: string;
}

/** A pre-flight step should fail in a minute, not burn build minutes until CodeBuild's own timeout. */
export const DEFAULT_TIMEOUT_SECONDS = 60;
const MAX_TIMEOUT_SECONDS = 3600;

export function parseTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_SECONDS;
  const n = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (Number.isFinite(n) && n > 0 && n <= MAX_TIMEOUT_SECONDS) return n;
  throw new UsageError(`invalid --timeout ${quote(value)}: expected a number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}`, `for example --timeout ${DEFAULT_TIMEOUT_SECONDS}`);
}

export type CommandName = 'doctor' | 'fix' | 'snapshot';

export interface TargetOptions {
  /** The command being run, so that messages suggest the right one. */
  command?: CommandName;
  project: string[];
  allProjects?: boolean;
  buildspec?: string;
  image: string[];
  build: string[];
  lastFailed?: boolean;
  snapshot?: string;
  /** Infrastructure code (issue 13): a `terraform show -json` plan, a .tf folder, a template or cdk.out. */
  terraformPlan?: string;
  terraform?: string;
  cloudformation?: string;
  parameter?: string[];
  var?: string[];
  varFile?: string[];
  /** With infrastructure code: read from AWS what the code refers to but does not define. */
  live?: boolean;
}

export function hasIacTarget(o: TargetOptions): boolean {
  return !!o.terraformPlan || !!o.terraform || !!o.cloudformation;
}

// CodeBuild's own constraint on project names (CreateProject: 2-255 chars, [A-Za-z0-9][A-Za-z0-9\-_]{1,254}).
const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9\-_]{1,254}$/;
const PROJECT_ARN = /^arn:aws[a-z-]*:codebuild:[a-z0-9-]+:\d{12}:project\/[A-Za-z0-9][A-Za-z0-9\-_]{1,254}$/;
const BUILD_ID = /^[A-Za-z0-9][A-Za-z0-9\-_]{1,254}:[0-9a-fA-F-]{36}$/;
const BUILD_ARN = /^arn:aws[a-z-]*:codebuild:[a-z0-9-]+:\d{12}:build\/[A-Za-z0-9][A-Za-z0-9\-_]{1,254}:[0-9a-fA-F-]{36}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function validateProjectName(name: string): string {
  if (PROJECT_NAME.test(name) || PROJECT_ARN.test(name)) return name;
  throw new UsageError(`invalid project name ${quote(name)}: CodeBuild project names are 2-255 letters, digits, - and _, starting with a letter or digit (or a project ARN)`);
}

export function validateBuildId(id: string): string {
  if (BUILD_ID.test(id) || BUILD_ARN.test(id)) return id;
  throw new UsageError(`invalid build id ${quote(id)}: expected <project>:<build uuid> or a build ARN`);
}

export function validateRegion(region: string | undefined, from?: string): string | undefined {
  if (region === undefined || REGION.test(region)) return region;
  if (region.includes(',') && (from === undefined || from === '--region')) {
    throw new UsageError(`--region ${quote(region)} names several regions: this command works in one region at a time`, 'doctor takes a list (--region a,b, or --all-regions); run fix and snapshot once per region');
  }
  throw new UsageError(`invalid region ${quote(region)}${from ? ` (from ${from})` : ''}: expected a region code such as us-east-1`, from && from !== '--region' ? `fix or unset ${from}, or pass --region` : undefined);
}

export function validateEndpoint(url: string | undefined, from?: string): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  throw new UsageError(`invalid endpoint URL ${quote(url)}${from ? ` (from ${from})` : ''}: expected http(s)://host[:port]`, from && from !== '--endpoint-url' ? `fix or unset ${from}` : undefined);
}

export function hasExplicitTarget(o: TargetOptions): boolean {
  return o.project.length > 0 || !!o.allProjects || !!o.buildspec || o.image.length > 0 || o.build.length > 0;
}

/**
 * The report format an --output file name asks for, when --format was not given:
 * .xml junit (CodeBuild report groups), .sarif sarif, .json json, .jsonl/.ndjson jsonl, anything else text.
 */
export function formatForOutput(file: string): Format {
  const name = file.toLowerCase();
  if (name.endsWith('.xml')) return 'junit';
  if (name.endsWith('.sarif') || name.endsWith('.sarif.json')) return 'sarif';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  return 'text';
}
