import type { Result } from '../model/result.js';
import type { CommonOptions } from './options.js';

function quote(value: string): string {
  return /^[\w./:@+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The suggested `ecr-doctor fix ...` commands must act on the account and region this run
 * examined: a pasted command that falls back to another profile or the default region could
 * change the wrong policy. So they carry the region examined and the profile and endpoint given.
 */
export function withRunFlags(results: readonly Result[], region: string, common: CommonOptions): Result[] {
  const flags = [`--region ${quote(common.region ?? region)}`];
  if (common.profile) flags.push(`--profile ${quote(common.profile)}`);
  if (common.endpointUrl) flags.push(`--endpoint-url ${quote(common.endpointUrl)}`);
  // Another account's result is fixed as that account: through the role the run assumed there.
  if (common.account && common.assumeRole) flags.push(`--account ${common.account} --assume-role ${quote(common.assumeRole)}${common.externalId !== undefined ? " --external-id '<the external id>'" : ''}`);
  return results.map((r) => {
    const command = r.fix?.command;
    if (!command?.startsWith('ecr-doctor ') || command.includes('--region ')) return r;
    // Insert before a trailing "   (comment)" so the comment stays last.
    const [run, comment] = command.split(/(?=\s{3}\()/, 2);
    return { ...r, fix: { ...r.fix!, command: `${run!.trimEnd()} ${flags.join(' ')}${comment ?? ''}` } };
  });
}
