import type { Command } from 'commander';
import type { CommonOptions, TargetOptions } from './options.js';
import { collect, DEFAULT_TIMEOUT_SECONDS, parseTimeout } from './options.js';
import { wantsColor } from './output.js';

export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option('-p, --project <name>', 'CodeBuild project name or ARN (repeatable; an ARN also names the region)', collect)
    .option('--all-projects', 'every CodeBuild project in the region')
    .option('--buildspec <path>', 'a buildspec: the pulls it makes, for the projects named or on its own; with eb_codebuild_settings also the eb deploy path (default with no target: buildspec.yml in this folder or the EB project above it)')
    .option('--image <uri>', 'an image URI, without a project (repeatable)', collect)
    .option('--build <id>', 'a build: <project>:<uuid> or a build ARN (repeatable; an ARN also names the region)', collect)
    .option('--last-failed', 'start from the newest failed build of --project or of eb deploy')
    .option('--terraform-plan <file>', 'diagnose before deploy: the JSON of a Terraform plan (terraform show -json tfplan)')
    .option('--terraform <dir>', 'diagnose before deploy: a folder of .tf files (with --terraform-plan: where its .tf files are, for file:line)')
    .option('--cloudformation <path>', 'diagnose before deploy: a CloudFormation template (JSON or YAML) or a cdk.out folder')
    .option('--parameter <key=value>', 'a template parameter value (repeatable), e.g. AWS::AccountId=111122223333', collect)
    .option('--var <name=value>', 'a Terraform variable for --terraform DIR (repeatable)', collect)
    .option('--live', 'with --terraform-plan, --terraform or --cloudformation: read from AWS what the code refers to but does not define (the account, existing repositories and roles, pushed images)')
    .option('--var-file <file>', 'a .tfvars file for --terraform DIR (repeatable; terraform.tfvars and *.auto.tfvars are read too)', collect);
}

/** Per command, what --quiet leaves out. */
export const QUIET_HELP = {
  root: 'print less: only the problems (text) / no summary or progress',
  doctor: 'only the problems (text) / no summary line (with --output)',
  fix: 'no progress or re-check report; only errors and the plan',
  snapshot: 'no message after writing --output',
} as const;

/**
 * The options every AWS-reading command takes. They are defined on the root program too, so
 * `ecr-doctor --region us-east-1 doctor ...` works; commonOptionsOf merges the two levels.
 */
export function addCommonOptions(cmd: Command, quiet: string): Command {
  return cmd
    .option('--profile <name>', 'AWS profile (default: AWS_PROFILE, the eb project\'s profile, or the SDK\'s default chain)')
    .option('--region <region>', 'AWS region (default: the region a target ARN or the eb config names, else AWS_REGION or the profile\'s)')
    .option('--endpoint-url <url>', 'AWS endpoint URL (default: AWS_ENDPOINT_URL, else AWS\'s public endpoints)')
    .option('--no-color', 'no colour (default: colour only at a terminal, never with NO_COLOR or CI)')
    .option('-q, --quiet', quiet)
    .option('-v, --verbose', 'say who ecr-doctor runs as, where, with which credentials (never the keys) and how long the reads took; stack traces on errors')
    .option('--account <id>', 'run as --assume-role in this account (one account; doctor takes --accounts for several)')
    .option('--assume-role <role>', 'the role to assume: a name (or path/name) in --account or each of --accounts/--organization, or a role ARN; session name ecr-doctor')
    .option('--external-id <id>', 'the external id the role\'s trust policy asks for (sts:ExternalId)')
    .option('--timeout <seconds>', `give up after this many seconds, credentials included, and exit 3 naming the call that did not answer (default: ${DEFAULT_TIMEOUT_SECONDS})`);
}

/**
 * Options from the command and the root program. commander's optsWithGlobals() lets the root
 * win; here a value the user typed after the subcommand wins over one typed before it, and a
 * value typed anywhere wins over a default (`--no-color` before the subcommand still counts).
 */
export function optionsOf(cmd: Command): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...cmd.optsWithGlobals() };
  const local = cmd.opts();
  for (const key of Object.keys(local)) {
    const source = cmd.getOptionValueSource(key);
    if (source !== undefined && source !== 'default') merged[key] = local[key];
  }
  return merged;
}

export function commonOf(o: Record<string, unknown>): CommonOptions {
  return {
    ...(typeof o.profile === 'string' ? { profile: o.profile } : {}),
    ...(typeof o.region === 'string' ? { region: o.region } : {}),
    ...(typeof o.endpointUrl === 'string' ? { endpointUrl: o.endpointUrl } : {}),
    color: wantsColor({ flag: o.color !== false, env: process.env, isTTY: !!process.stdout.isTTY }),
    verbose: !!o.verbose,
    quiet: !!o.quiet,
    timeoutSeconds: parseTimeout(typeof o.timeout === 'string' ? o.timeout : undefined),
    ...(typeof o.account === 'string' ? { account: o.account } : {}),
    ...(typeof o.assumeRole === 'string' ? { assumeRole: o.assumeRole } : {}),
    ...(typeof o.externalId === 'string' ? { externalId: o.externalId } : {}),
  };
}

export function targetsOf(o: Record<string, unknown>, command: TargetOptions['command']): TargetOptions {
  return {
    ...(command ? { command } : {}),
    project: (o.project as string[]) ?? [],
    allProjects: !!o.allProjects,
    ...(typeof o.buildspec === 'string' ? { buildspec: o.buildspec } : {}),
    image: (o.image as string[]) ?? [],
    build: (o.build as string[]) ?? [],
    lastFailed: !!o.lastFailed,
    ...(typeof o.snapshot === 'string' ? { snapshot: o.snapshot } : {}),
    ...(typeof o.terraformPlan === 'string' ? { terraformPlan: o.terraformPlan } : {}),
    ...(typeof o.terraform === 'string' ? { terraform: o.terraform } : {}),
    ...(typeof o.cloudformation === 'string' ? { cloudformation: o.cloudformation } : {}),
    ...(Array.isArray(o.parameter) ? { parameter: o.parameter as string[] } : {}),
    ...(Array.isArray(o.var) ? { var: o.var as string[] } : {}),
    ...(Array.isArray(o.varFile) ? { varFile: o.varFile as string[] } : {}),
    ...(o.live === true ? { live: true } : {}),
  };
}

/** doctor's multi-account and multi-region flags (issue 15). */
export function scopeOptionsOf(o: Record<string, unknown>): { accounts?: string[]; organization?: boolean; allRegions?: boolean; concurrency?: string } {
  return {
    ...(Array.isArray(o.accounts) ? { accounts: o.accounts as string[] } : {}),
    ...(o.organization === true ? { organization: true } : {}),
    ...(o.allRegions === true ? { allRegions: true } : {}),
    ...(typeof o.concurrency === 'string' ? { concurrency: o.concurrency } : {}),
  };
}
