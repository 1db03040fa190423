import { Command, CommanderError, Option } from 'commander';
import { UserError } from '../model/errors.js';
import { EXIT } from '../model/exit-code.js';
import { VERSION } from '../version.js';
import type { CommonOptions, TargetOptions } from './options.js';
import { collect } from './options.js';
import { wantsColor, writeErr } from './output.js';

const FAIL_ON = ['error', 'warning'] as const;

function addTargetOptions(cmd: Command): Command {
  return cmd
    .option('-p, --project <name>', 'CodeBuild project name or ARN (repeatable)', collect)
    .option('--all-projects', 'every CodeBuild project in the region')
    .option('--buildspec <path>', 'buildspec.yml with eb_codebuild_settings (the eb deploy path)')
    .option('--image <uri>', 'an image URI, without a project (repeatable)', collect)
    .option('--build <id>', 'a build id or ARN (repeatable)', collect)
    .option('--last-failed', 'start from the newest failed build of --project or of eb deploy');
}

function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--profile <name>', 'AWS profile (default: AWS_PROFILE or the default chain)')
    .option('--region <region>', 'AWS region (default: AWS_REGION or the profile)')
    .option('--endpoint-url <url>', 'AWS endpoint URL (default: AWS_ENDPOINT_URL)')
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .option('-q, --quiet', 'print only what is asked for')
    .option('-v, --verbose', 'more detail, and stack traces on errors');
}

function common(o: Record<string, unknown>): CommonOptions {
  return {
    ...(typeof o.profile === 'string' ? { profile: o.profile } : {}),
    ...(typeof o.region === 'string' ? { region: o.region } : {}),
    ...(typeof o.endpointUrl === 'string' ? { endpointUrl: o.endpointUrl } : {}),
    color: wantsColor({ flag: o.color !== false, env: process.env, isTTY: !!process.stdout.isTTY }),
    verbose: !!o.verbose,
    quiet: !!o.quiet,
  };
}

function targets(o: Record<string, unknown>): TargetOptions {
  return {
    project: (o.project as string[]) ?? [],
    allProjects: !!o.allProjects,
    ...(typeof o.buildspec === 'string' ? { buildspec: o.buildspec } : {}),
    image: (o.image as string[]) ?? [],
    build: (o.build as string[]) ?? [],
    lastFailed: !!o.lastFailed,
    ...(typeof o.snapshot === 'string' ? { snapshot: o.snapshot } : {}),
  };
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('ecr-doctor')
    .description('Tells you why AWS CodeBuild cannot pull its build image from Amazon ECR, and fixes it safely.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program.addHelpText(
    'after',
    `
Exit codes: 0 nothing at or above --fail-on failed · 1 something failed · 2 usage or input error · 3 could not finish (credentials, region, network, a required read denied)

Examples:
  ecr-doctor doctor --project my-build
  ecr-doctor doctor                          # in an eb project folder, or inside CodeBuild
  ecr-doctor doctor --project my-build --last-failed
  ecr-doctor fix --project my-build --dry-run
  ecr-doctor explain "CLIENT_ERROR: ... not authorized to perform ecr:BatchGetImage"`,
  );

  const doctor = program.command('doctor').description('diagnose why a CodeBuild build cannot pull its image');
  addTargetOptions(doctor)
    .option('--snapshot <file>', 'read the facts from a snapshot file instead of AWS')
    .addOption(new Option('-f, --format <format>', 'report format').choices(['text', 'json', 'junit', 'sarif']).default('text'))
    .option('-o, --output <file>', 'write the report to a file (a summary still goes to stdout)')
    .addOption(new Option('--fail-on <level>', 'lowest status that fails the run').choices(FAIL_ON).default('error'));
  addCommonOptions(doctor).action(async (o: Record<string, unknown>) => {
    const { runDoctor } = await import('./doctor.js');
    setExit(await runDoctor({ ...targets(o), ...common(o), format: o.format as 'text', failOn: o.failOn as 'error', ...(typeof o.output === 'string' ? { output: o.output } : {}) }));
  });

  const fix = program.command('fix').description('add the missing grant, keeping every statement it did not write');
  addTargetOptions(fix)
    .option('--snapshot <file>', 'plan from a snapshot file (implies --dry-run)')
    .option('--dry-run', 'print the change; write nothing')
    .option('-y, --yes', 'apply without asking')
    .addOption(new Option('-f, --format <format>', 'how to print the planned policy').choices(['json', 'terraform', 'cloudformation', 'cli']).default('json'))
    .addOption(new Option('--scope <scope>', 'which projects the repository grant covers').choices(['project', 'eb-app', 'account']))
    .option('--backup <file>', 'where to save the policy being replaced');
  addCommonOptions(fix).action(async (o: Record<string, unknown>) => {
    const { runFix } = await import('./fix.js');
    setExit(
      await runFix({
        ...targets(o),
        ...common(o),
        dryRun: !!o.dryRun,
        yes: !!o.yes,
        format: o.format as 'json',
        ...(typeof o.scope === 'string' ? { scope: o.scope as 'project' } : {}),
        ...(typeof o.backup === 'string' ? { backup: o.backup } : {}),
      }),
    );
  });

  const snapshot = program.command('snapshot').description('record the facts doctor reads, for offline runs and bug reports');
  addTargetOptions(snapshot).option('-o, --output <file>', 'write to a file instead of stdout');
  addCommonOptions(snapshot).action(async (o: Record<string, unknown>) => {
    const { runSnapshot } = await import('./snapshot.js');
    setExit(await runSnapshot({ ...targets(o), ...common(o), ...(typeof o.output === 'string' ? { output: o.output } : {}) }));
  });

  program
    .command('explain')
    .description('classify a build error message (from the argument or stdin)')
    .argument('[text...]', 'the message; read from stdin when absent')
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .option('--json', 'print the classification as JSON')
    .action(async (words: string[], o: Record<string, unknown>) => {
      const { runExplain } = await import('./explain.js');
      setExit(await runExplain(words.join(' '), { json: !!o.json, color: common(o).color }));
    });

  program
    .command('permissions')
    .description('print the least-privilege IAM policy ecr-doctor needs')
    .option('--fix', 'include what fix needs to write')
    .action(async (o: Record<string, unknown>) => {
      const { runPermissions } = await import('./permissions.js');
      setExit(runPermissions({ fix: !!o.fix }));
    });

  return program;
}

/** Parses argv and runs; every failure becomes a one-line error and an exit code, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are exits too, with code 0; commander has already printed them.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const verbose = argv.includes('--verbose') || argv.includes('-v');
    if (e instanceof UserError) {
      writeErr(`error: ${e.message}`);
      if (e.hint) writeErr(`hint: ${e.hint}`);
      if (verbose && e.stack) writeErr(e.stack);
      return e.exitCode;
    }
    writeErr(`error: ${e instanceof Error ? e.message : String(e)}`);
    writeErr('hint: this is a bug in ecr-doctor; run again with --verbose and report the output');
    if (verbose && e instanceof Error && e.stack) writeErr(e.stack);
    return EXIT.incomplete;
  }
}
