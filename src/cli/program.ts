import { Command, CommanderError, Option } from 'commander';
import { UsageError, UserError } from '../model/errors.js';
import { EXIT } from '../model/exit-code.js';
import { hasControl, quote, registerSecret, safeLine } from '../model/safe-text.js';
import { FORMATS } from '../report/formats.js';
import { VERSION } from '../version.js';
import { addCommonOptions, addTargetOptions, commonOf, optionsOf, QUIET_HELP, scopeOptionsOf, targetsOf } from './option-defs.js';
import { collect, formatForOutput } from './options.js';
import { writeErr } from './output.js';

const FAIL_ON = ['error', 'warning'] as const;
const EXPLAIN_FORMATS = ['text', 'json'] as const;

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('ecr-doctor')
    .description('Tells you why AWS CodeBuild cannot pull its build image from Amazon ECR, and fixes it safely.')
    .version(VERSION, '-V, --version')
    // Options before the subcommand are the root's, after it the subcommand's: both levels
    // define the common options, and a value after the subcommand wins (optionsOf).
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    // commander quotes what was typed ("unknown option '<argv>'"): escaped and shortened too.
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error: ') ? `${safeLine(s.replace(/\n$/, ''))}\n` : safeLines(s)) });
  addCommonOptions(program, QUIET_HELP.root);
  program.addHelpText(
    'after',
    `
Exit codes: 0 nothing at or above --fail-on failed · 1 something failed · 2 usage or input error · 3 could not finish (credentials, region, network, a required read denied)

Examples:
  ecr-doctor doctor --project my-build
  ecr-doctor doctor                          # in an eb project folder, or inside CodeBuild
  ecr-doctor doctor --project my-build --last-failed
  ecr-doctor --region eu-west-1 doctor --project my-build --output ecr-doctor.xml
  ecr-doctor fix --project my-build --dry-run
  ecr-doctor explain "CLIENT_ERROR: ... not authorized to perform ecr:BatchGetImage"`,
  );

  const doctor = program.command('doctor').description('diagnose why a CodeBuild build cannot pull its image');
  addTargetOptions(doctor)
    .option('--snapshot <file>', 'read the facts from a snapshot file instead of AWS')
    .addOption(
      new Option('-f, --format <format>', 'report format')
        .choices(FORMATS)
        .default('text', 'text, or from the --output name: .xml junit, .sarif sarif, .json json, .jsonl jsonl'),
    )
    .option('-o, --output <file>', 'write the report to a file (a summary line still goes to stdout)')
    .addOption(new Option('--fail-on <level>', 'lowest status that fails the run (warning: warnings fail it too)').choices(FAIL_ON).default('error'))
    .option('--accounts <ids>', 'every project of these accounts (comma list, repeatable), each through --assume-role', collect)
    .option('--organization', "every ACTIVE account of the organization (organizations:ListAccounts, from the management or a delegated administrator account), each through --assume-role")
    .option('--all-regions', 'every region enabled for the account where CodeBuild runs (--region also takes a list: a,b)')
    .option('--concurrency <n>', 'accounts read at once in a multi-account run (default: 4)');
  addCommonOptions(doctor, QUIET_HELP.doctor).action(async (_o: Record<string, unknown>, cmd: Command) => {
    const o = optionsOf(cmd);
    const output = nonEmptyPath(o, 'output');
    nonEmptyPath(o, 'snapshot');
    nonEmptyPath(o, 'buildspec');
    // An explicit --format wins; otherwise `--output report.xml` means JUnit, and so on.
    const format = output && cmd.getOptionValueSource('format') === 'default' ? formatForOutput(output) : (o.format as 'text');
    const { runDoctor } = await import('./doctor.js');
    setExit(await runDoctor({ ...targetsOf(o, 'doctor'), ...commonOf(o), ...scopeOptionsOf(o), format, failOn: o.failOn as 'error', ...(output ? { output } : {}) }));
  });

  const fix = program
    .command('fix')
    .description('add the missing grant, keeping every statement it did not write')
    .addHelpText('after', '\nWithout --yes, fix shows the change and asks before writing when it runs at a terminal; with no terminal (CI, a pipe) it writes nothing and exits 2. Use --dry-run to only print the change.');
  addTargetOptions(fix)
    .option('--snapshot <file>', 'plan from a snapshot file (implies --dry-run)')
    .option('--dry-run', 'print the change; write nothing')
    .option('-y, --yes', 'apply without asking (without it: ask at a terminal, exit 2 without one)')
    .addOption(new Option('-f, --format <format>', 'how to print the planned policy').choices(['json', 'terraform', 'cloudformation', 'cli']).default('json'))
    .addOption(new Option('--scope <scope>', 'which projects the repository grant covers (default: project, or eb-app on the eb path)').choices(['project', 'eb-app', 'account']))
    .option('--backup <file>', 'where to save the policy being replaced: a file, or a folder (default: ~/.ecr-doctor/backups/)');
  addCommonOptions(fix, QUIET_HELP.fix).action(async (_o: Record<string, unknown>, cmd: Command) => {
    const o = optionsOf(cmd);
    const { runFix } = await import('./fix.js');
    setExit(
      await runFix({
        ...targetsOf(o, 'fix'),
        ...commonOf(o),
        dryRun: !!o.dryRun,
        yes: !!o.yes,
        format: o.format as 'json',
        ...(typeof o.scope === 'string' ? { scope: o.scope as 'project' } : {}),
        ...(typeof o.backup === 'string' ? { backup: o.backup } : {}),
      }),
    );
  });

  const snapshot = program.command('snapshot').description('record the facts doctor reads, for offline runs and bug reports');
  addTargetOptions(snapshot).option('-o, --output <file>', 'write to a file (default: stdout)');
  addCommonOptions(snapshot, QUIET_HELP.snapshot).action(async (_o: Record<string, unknown>, cmd: Command) => {
    const o = optionsOf(cmd);
    const output = nonEmptyPath(o, 'output');
    nonEmptyPath(o, 'buildspec');
    const { runSnapshot } = await import('./snapshot.js');
    setExit(await runSnapshot({ ...targetsOf(o, 'snapshot'), ...commonOf(o), ...(output !== undefined ? { output } : {}) }));
  });

  program
    .command('explain')
    .description('classify a build error message or a whole build log (from the argument or stdin)')
    .argument('[text...]', 'the message or log; read from stdin when absent')
    .addOption(new Option('-f, --format <format>', 'output format').choices(EXPLAIN_FORMATS).default('text'))
    .option('--json', 'deprecated spelling of --format json')
    .option('--no-color', 'no colour (default: colour only at a terminal, never with NO_COLOR or CI)')
    .option('-q, --quiet', 'only the cause and the next step (text); no notes on stderr')
    .option('-v, --verbose', 'also say on stderr how much of the input was read and which pull it blamed')
    .addHelpText('after', '\nExit codes: 0 recognised · 1 not recognised · 2 nothing to explain or a bad option')
    .action(async (words: string[], _o: Record<string, unknown>, cmd: Command) => {
      const o = optionsOf(cmd);
      const common = commonOf(o);
      const json = o.json === true;
      if (json && cmd.getOptionValueSource('format') === 'cli' && o.format !== 'json') {
        throw new UsageError(`--json and --format ${String(o.format)} disagree`, 'use --format json (--json is its deprecated spelling) or --format text');
      }
      const format = json ? 'json' : (o.format as 'text' | 'json');
      const { runExplain } = await import('./explain.js');
      setExit(await runExplain(words.join(' '), { format, deprecatedJson: json, color: common.color, quiet: !!common.quiet, verbose: !!common.verbose }));
    });

  program
    .command('permissions')
    .description('print the least-privilege IAM policy ecr-doctor needs')
    .option('--fix', 'include what fix needs to write')
    .option('-p, --project <name>', 'with --fix: name the repository and role ARNs fix writes for this project (read live; repeatable)', collect)
    .option('--image <uri>', 'with --fix: name the repository ARN fix writes for this image (no AWS read; repeatable)', collect)
    .action(async (_o: Record<string, unknown>, cmd: Command) => {
      const o = optionsOf(cmd);
      const { runPermissions } = await import('./permissions.js');
      setExit(await runPermissions({ ...commonOf(o), fix: !!o.fix, projects: (o.project as string[]) ?? [], images: (o.image as string[]) ?? [] }));
    });

  const restore = program
    .command('restore')
    .description('put back the policy a fix backup holds (dry-run unless --yes)')
    .argument('<backup-file>', 'a backup fix wrote (its path is printed after every write)')
    .option('-y, --yes', 'write (without it: print what it would write and the diff against the live policy)')
    .option('--overwrite-changed', 'restore even though the live policy changed since fix wrote it')
    .option('--backup <file>', 'where to save the policy restore replaces: a file, or a folder (default: ~/.ecr-doctor/backups/)')
    .addHelpText('after', '\nThe region, registry and role come from the backup file. Exit codes: 0 restored or nothing to do · 2 not a backup file · 3 refused or could not finish.');
  addCommonOptions(restore, 'only errors and the line saying what was written').action(async (file: string, _o: Record<string, unknown>, cmd: Command) => {
    const o = optionsOf(cmd);
    const { runRestore } = await import('./restore.js');
    setExit(
      await runRestore({
        ...commonOf(o),
        file,
        yes: !!o.yes,
        overwriteChanged: !!o.overwriteChanged,
        ...(typeof o.backup === 'string' ? { backup: o.backup } : {}),
      }),
    );
  });

  return program;
}

const FLAG_OF = { output: '--output', snapshot: '--snapshot', buildspec: '--buildspec' } as const;

/** A path option's value; an empty string is a usage error, not "no option" (issue 12, item 7). */
function nonEmptyPath(o: Record<string, unknown>, key: keyof typeof FLAG_OF): string | undefined {
  const value = o[key];
  if (typeof value !== 'string') return undefined;
  if (value.trim() === '') throw new UsageError(`${FLAG_OF[key]} needs a path, not an empty string`, `pass ${FLAG_OF[key]} FILE, or leave it out`);
  // A newline or an escape sequence in a file name is a mistake or an attack, never a report name.
  if (hasControl(value)) throw new UsageError(`${FLAG_OF[key]} ${quote(value)}: the path holds control characters`, 'choose a plain file name');
  return value;
}

/** Each line of a multi-line text made printable (commander's own errors and help-after-error). */
function safeLines(text: string): string {
  const lines = text.split('\n');
  return lines.map((l, i) => (i === lines.length - 1 && l === '' ? '' : safeLine(l))).join('\n');
}

/** Parses argv and runs; every failure becomes a one-line error and an exit code, never a stack trace. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // Known before any SDK runs: the environment's keys are scrubbed from every message even when
  // the run fails before the SDK resolves them (clients.ts registers the resolved ones too).
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN']) registerSecret(env[name]);
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
      writeErr(safeLine(`error: ${e.message}`));
      if (e.hint) writeErr(safeLine(`hint: ${e.hint}`));
      if (verbose && e.stack) writeErr(safeLines(e.stack));
      return e.exitCode;
    }
    writeErr(safeLine(`error: ${e instanceof Error ? e.message : String(e)}`));
    writeErr('hint: this is a bug in ecr-doctor; run again with --verbose and report the output');
    if (verbose && e instanceof Error && e.stack) writeErr(safeLines(e.stack));
    return EXIT.incomplete;
  }
}
