import { homedir } from 'node:os';
import { BackupError, describeBackup, NO_CONDITIONAL_WRITE } from '../fix/apply.js';
import { fileBackup } from '../fix/backup.js';
import { readBackupFile } from '../fix/backup-record.js';
import { applyRestore, describeRestore, planRestore, policyNameAt, restoreCommand, restoreDiff } from '../fix/restore.js';
import { IncompleteError, UsageError } from '../model/errors.js';
import { EXIT } from '../model/exit-code.js';
import type { CommonOptions } from './options.js';
import { validateEndpoint, validateRegion } from './options.js';
import { assumeRoleOf } from './aws-choice.js';
import { writeErr, writeOut } from './output.js';

export interface RestoreOptions extends CommonOptions {
  file: string;
  yes: boolean;
  /** Write even though the live policy is no longer what fix wrote. */
  overwriteChanged: boolean;
  /** Where the backup of the policy restore replaces goes (as fix's --backup). */
  backup?: string;
  home?: string;
}

/**
 * `restore BACKUP_FILE`: dry-run by default (what it would write, and the diff against the
 * live policy); --yes writes with fix's care; a live policy changed since fix wrote it is
 * refused unless --overwrite-changed.
 */
export async function runRestore(o: RestoreOptions): Promise<number> {
  const contents = await readBackupFile(o.file);
  const c = contents.location;
  const region = validateRegion(o.region) ?? (c.kind === 'repository-policy' ? c.region : undefined);
  const endpointUrl = validateEndpoint(o.endpointUrl);
  const profile = o.profile ?? contents.profile;
  const say = (line: string) => {
    if (!o.quiet) writeErr(line);
  };
  const [{ createAwsClients }, { livePolicyStore }] = await Promise.all([import('../sources/live/clients.js'), import('../sources/live/policy-store.js')]);
  // The backup names its account; --account/--assume-role reach it from another (fix's own way, issue 15).
  const clients = await createAwsClients({ ...(region ? { region } : {}), ...(profile ? { profile } : {}), ...(endpointUrl ? { endpointUrl } : {}), ...assumeRoleOf(o, region) });
  const store = livePolicyStore(clients);
  const live = c.kind === 'repository-policy' ? await store.readRepositoryPolicy(c) : await store.readRolePolicy(c);
  const plan = planRestore(contents, live);
  if (plan.nothingToDo) {
    say(`ecr-doctor: nothing to restore: ${policyNameAt(c)} already is as saved in ${o.file}.`);
    return EXIT.ok;
  }
  writeOut(restoreDiff(plan, o.file));
  const changedWhy =
    plan.changedSince === 'unknown'
      ? `${o.file} was written by an older ecr-doctor and does not record what fix wrote, so it cannot tell whether ${policyNameAt(c)} changed since`
      : plan.changedSince
        ? `${policyNameAt(c)} changed since fix wrote it (the diff above shows it); restoring would overwrite that change`
        : undefined;
  if (!o.yes) {
    say(describeRestore(plan, true));
    if (changedWhy) say(`note: ${changedWhy}; restore --yes refuses unless --overwrite-changed is given`);
    say(`to write: ${restoreCommand(o.file)}${changedWhy ? ' --overwrite-changed' : ''}`);
    return EXIT.ok;
  }
  if (changedWhy && !o.overwriteChanged) throw new IncompleteError(`${changedWhy}; nothing was written`, 'read the diff above; add --overwrite-changed to restore anyway');
  const backup = fileBackup(o.home ?? homedir(), o.backup, undefined, profile ? { profile } : {});
  try {
    await backup.check();
  } catch (e) {
    if (e instanceof BackupError) {
      if (e.usage) throw new UsageError(e.message, 'give --backup a folder, or a file path whose parents are folders');
      throw new IncompleteError(`${e.message}; nothing was written`, 'give --backup a folder or file you can write');
    }
    throw e;
  }
  say(`note: ${NO_CONDITIONAL_WRITE}`);
  const outcome = await applyRestore(store, backup, plan);
  if (outcome.status === 'failed') {
    writeErr(`error: ${policyNameAt(c)}: ${outcome.message}`);
    if (outcome.hint) writeErr(`hint: ${outcome.hint}`);
    return EXIT.incomplete;
  }
  // Said even with --quiet: a write happened, and this is how to take it back.
  writeErr(`${describeRestore(plan, false)}; ${describeBackup(outcome.backup, outcome.hadPolicy)}; to undo: ${restoreCommand(outcome.backup)}`);
  return EXIT.ok;
}
