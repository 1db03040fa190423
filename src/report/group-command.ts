import { codebuildPullStatement } from '../grants/pull-grants.js';
import { MAX_POLICY_LENGTH } from '../policy/merge.js';
import type { FixGroup, GroupScope } from '../model/fix-group.js';

export interface GroupCommand {
  command?: string;
  note?: string;
}

function quote(value: string): string {
  return /^[\w./:@+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Past this many, `--project a --project b ...` is no longer a command a person reads. */
const MAX_NAMED = 3;

/** `ecr-doctor fix --project NAME <rest>`: the per-subject commands of fixCommandFor, with the run's flags. */
const NAMED = /^ecr-doctor fix --(project|build|image) (\S+)(.*)$/s;

/** "account 111122223333, us-east-1", as far as the group says. */
export function whereText(account: string | undefined, region: string | undefined): string {
  return [account && `account ${account}`, region].filter(Boolean).join(', ');
}

/**
 * With --all-projects, fix names every project's ARN in one aws:SourceArn list. Past ECR's
 * 10,240-character limit on a repository policy (SetRepositoryPolicy API reference) that
 * statement cannot be written even into an empty policy, so the group needs --scope account.
 */
function tooManyToName(g: FixGroup): boolean {
  if (g.check !== 'codebuild-principal-can-pull' || g.fix?.target !== 'repository-policy' || !g.fix.account) return false;
  const arns = g.subjects.map((s) => s.split(' ')[0]!).filter((s) => s.includes(':project/'));
  return JSON.stringify({ Version: '2012-10-17', Statement: [codebuildPullStatement(g.fix.account, arns)] }).length > MAX_POLICY_LENGTH;
}

function setFlag(command: string, flag: string, value: string): string {
  const [run, comment] = command.split(/(?=\s{3}\()/, 2);
  const pattern = new RegExp(`(^|\\s)${flag} \\S+`);
  const next = pattern.test(run!) ? run!.replace(pattern, `$1${flag} ${quote(value)}`) : `${run!.trimEnd()} ${flag} ${quote(value)}`;
  return `${next}${comment ?? ''}`;
}

function addFlags(command: string, flags: string): string {
  const [run, comment] = command.split(/(?=\s{3}\()/, 2);
  return `${run!.trimEnd()} ${flags}${comment ?? ''}`;
}

/** One command for the whole group from its members' commands, or why there is none. */
function chooseCommand(g: FixGroup, commands: readonly string[], scope: GroupScope): GroupCommand {
  const unique = [...new Set(commands)].sort();
  if (unique.length === 1) return { command: unique[0]! };
  const parsed = unique.map((c) => NAMED.exec(c));
  const flag = parsed[0]?.[1];
  const rest = parsed[0]?.[3];
  if (!parsed.every((m) => m && m[1] === flag && m[3] === rest)) {
    if (g.fix?.eachSubject) return { note: `each of the ${g.count} has its own command; run with --verbose for each` };
    return { note: `no one command fixes these ${g.count}: they need ${unique.length} different commands; run with --verbose for each` };
  }
  const names = [...new Set(parsed.map((m) => m![2]!))];
  if (names.length <= MAX_NAMED) return { command: `ecr-doctor fix ${names.map((n) => `--${flag} ${n}`).join(' ')}${rest}` };
  if (flag !== 'project') return { note: `fix takes these ${names.length} ${flag}s only one --${flag} at a time; run with --verbose for each command` };
  const wide = tooManyToName(g);
  const where = whereText(g.account ?? scope.account, g.region ?? scope.region) || 'the account and region examined';
  const notes = [`--all-projects plans the fix for every project in ${where}, these ${names.length} among them`];
  if (wide) notes.push(`--scope account grants project/* of account ${g.fix!.account}: one statement naming all ${names.length} projects would pass ECR's ${MAX_POLICY_LENGTH.toLocaleString('en-US')}-character limit on a repository policy`);
  return { command: `ecr-doctor fix --all-projects${wide ? ' --scope account' : ''}${rest}`, note: notes.join('; ') };
}

/**
 * The command that fixes a whole group. It acts where the group's results were judged: their
 * region, and for another account than the one ecr-doctor ran as, that account through the
 * run's --assume-role role (fix works in one account at a time, issue 15), else a note to run it there.
 */
export function commandForGroup(g: FixGroup, memberCommands: readonly (string | undefined)[], scope: GroupScope): GroupCommand {
  const commands = memberCommands.filter((c): c is string => typeof c === 'string' && c !== '');
  if (commands.length === 0) return {};
  const chosen = chooseCommand(g, commands, scope);
  const notes = chosen.note ? [chosen.note] : [];
  if (commands.length < memberCommands.length) notes.push(`${memberCommands.length - commands.length} of the results have no command: fix plans nothing for them`);
  let command = chosen.command;
  if (command?.startsWith('ecr-doctor ')) {
    if (g.region) command = setFlag(command, '--region', g.region);
    const elsewhere = g.account && g.account !== scope.account;
    // The runner may already have named the account and role on each result's command (run-flags.ts).
    const named = /\s--account\s/.test(command);
    if (elsewhere && !named && scope.assumeRole) command = addFlags(command, `--account ${quote(g.account!)} --assume-role ${quote(scope.assumeRole)}`);
    else if (elsewhere && !named) notes.push(`run it with credentials for account ${g.account}`);
  }
  return { ...(command ? { command } : {}), ...(notes.length ? { note: notes.join('; ') } : {}) };
}
