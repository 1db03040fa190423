import type { Facts } from '../model/facts.js';
import { IncompleteError, UsageError } from '../model/errors.js';
import type { Target } from '../model/target.js';
import { CredentialsError } from '../sources/live/aws-errors.js';
import type { AwsChoice } from './aws-choice.js';
import { chooseAws, explainCredentialsFailure } from './aws-choice.js';
import type { CommonOptions, TargetOptions } from './options.js';
import { hasExplicitTarget, hasIacTarget } from './options.js';
import { writeErr } from './output.js';
import { resolveTarget } from './resolve-target.js';

export interface LoadedFacts {
  facts: Facts;
  target: Target;
  source: ReportSource;
}

export type ReportSource = 'live' | 'snapshot' | 'terraform-plan' | 'terraform' | 'cloudformation';

/** The AWS options after flags, the target, the eb config and the environment: flags win. */
export function awsOptionsFor(common: CommonOptions, target: Target): AwsChoice['options'] {
  return chooseAws(common, target).options;
}

/** Facts from a snapshot file (no SDK loaded) or from the live account. */
export async function loadFacts(opts: TargetOptions, common: CommonOptions, progress: (line: string) => void): Promise<LoadedFacts> {
  if (opts.snapshot) {
    if (hasExplicitTarget(opts) || opts.lastFailed) {
      throw new UsageError('--snapshot replays a recorded run; it cannot be combined with --project, --build, --image, --buildspec or --last-failed');
    }
    const { readSnapshot } = await import('../sources/snapshot.js');
    const facts = await readSnapshot(opts.snapshot);
    return { facts, target: targetOfSnapshot(facts, opts.snapshot), source: 'snapshot' };
  }
  if (hasIacTarget(opts)) return loadIacFacts(opts, common, progress);
  if (opts.live) throw new UsageError('--live goes with --terraform-plan, --terraform or --cloudformation (without them the doctor reads AWS anyway)');
  const target = await resolveTarget(opts, common, process.cwd(), process.env);
  return { facts: await readLive(target, common, progress), target, source: 'live' };
}

/** --verbose: who we are, where, with which credentials (never the keys), and how long it took. */
function verboseLog(common: CommonOptions): (line: string) => void {
  return common.verbose ? (line) => writeErr(`ecr-doctor: ${line}`) : () => {};
}

export async function readLive(target: Target, common: CommonOptions, progress: (line: string) => void): Promise<Facts> {
  const choice = chooseAws(common, target);
  const verbose = verboseLog(common);
  const [{ createAwsClients, describeCredentialSource }, { gatherLiveFacts }] = await Promise.all([import('../sources/live/clients.js'), import('../sources/live/gather.js')]);
  try {
    const clients = await createAwsClients({ ...choice.options, ...(common.verbose ? { warn: verbose } : {}) });
    if (!common.verbose) progress(`ecr-doctor: reading ${clients.region}${choice.options.endpointUrl ? ` via ${choice.options.endpointUrl}` : ''}...`);
    verbose(`region ${clients.region} (from ${choice.regionFrom}); endpoint: ${choice.endpointFrom}`);
    verbose(`credentials: ${choice.credentialsFrom}`);
    const started = performance.now();
    const facts = await gatherLiveFacts(clients, target);
    if (common.verbose) {
      const sdkSource = await describeCredentialSource(clients);
      if (sdkSource) verbose(`credentials resolved by the SDK from ${sdkSource}`);
      if (facts.caller.state === 'present') verbose(`caller ${facts.caller.value.arn} (account ${facts.caller.value.account})`);
      for (const b of facts.builds) if (b.note) verbose(b.note);
      verbose(`read ${countReads(facts)} in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    }
    return facts;
  } catch (e) {
    if (e instanceof CredentialsError) throw explainCredentialsFailure(e, e.message, choice);
    // Say where a profile came from when it was not the user's flag: a committed EB config is a surprise.
    if (e instanceof IncompleteError && (choice.profileFrom === 'eb' || choice.profileFrom === 'AWS_EB_PROFILE')) {
      throw new IncompleteError(e.message, `${e.hint ? `${e.hint}; ` : ''}the profile "${choice.profile}" comes from ${choice.profileOrigin}: pass --profile to use another`);
    }
    throw e;
  }
}

function countReads(facts: Facts): string {
  const n = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  return [n(facts.projects.length, 'project'), n(facts.builds.length, 'build'), n(Object.keys(facts.repositories).length, 'repository'), n(Object.keys(facts.roles).length, 'role')].join(', ').replace(/repositorys/, 'repositories');
}

function targetOfSnapshot(facts: Facts, file: string): Target {
  return {
    projects: facts.projects.map((p) => p.requested),
    allProjects: false,
    builds: facts.builds.map((b) => b.requested),
    lastFailed: false,
    images: facts.images,
    ...(facts.eb ? { eb: facts.eb } : {}),
    foundBy: `snapshot ${file}`,
  };
}

/** Facts from infrastructure code, before deploy (issue 13): no AWS call, no SDK loaded. */
async function loadIacFacts(opts: TargetOptions, common: CommonOptions, progress: (line: string) => void): Promise<LoadedFacts> {
  if (opts.snapshot || hasExplicitTarget(opts) || opts.lastFailed) {
    throw new UsageError('--terraform-plan and --cloudformation read infrastructure code; they cannot be combined with --snapshot, --project, --build, --image, --buildspec or --last-failed');
  }
  if (opts.terraformPlan && opts.cloudformation) throw new UsageError('give one of --terraform-plan and --cloudformation per run');
  if (opts.cloudformation && opts.terraform) throw new UsageError('--terraform and --cloudformation cannot be combined');
  const { readIacFacts } = await import('../sources/iac/read-iac.js');
  const iacTarget = {
    ...(opts.terraformPlan ? { terraformPlan: opts.terraformPlan } : {}),
    ...(opts.terraform ? { terraformDir: opts.terraform } : {}),
    ...(opts.cloudformation ? { cloudformation: opts.cloudformation } : {}),
    parameters: opts.parameter ?? [],
    vars: opts.var ?? [],
    varFiles: opts.varFile ?? [],
    ...(common.region ? { region: common.region } : {}),
  };
  const target: Target = { projects: [], allProjects: false, builds: [], lastFailed: false, images: [], foundBy: '' };
  const read = opts.live ? await readIacWithLive(iacTarget, target, common, progress) : await readIacFacts(iacTarget);
  if (common.verbose) for (const note of read.model.notes) progress(`ecr-doctor: ${note}`);
  target.projects = read.facts.projects.map((p) => p.requested);
  target.foundBy = read.description;
  return { facts: read.facts, target, source: read.model.source };
}

/** --live: the account from the credentials, then what the code does not define read from AWS. */
async function readIacWithLive(iacTarget: Parameters<typeof import('../sources/iac/read-iac.js').readIacFacts>[0], target: Target, common: CommonOptions, progress: (line: string) => void) {
  const choice = chooseAws(common, target);
  const [{ createAwsClients }, { readCallerIdentity, mergeLiveFacts }, { readIacFacts }, { present }] = await Promise.all([
    import('../sources/live/clients.js'),
    import('../sources/live/iac-hybrid.js'),
    import('../sources/iac/read-iac.js'),
    import('../model/fact.js'),
  ]);
  try {
    const clients = await createAwsClients(choice.options);
    const caller = await readCallerIdentity(clients);
    const read = await readIacFacts({ ...iacTarget, region: iacTarget.region ?? clients.region, liveAccount: caller.account });
    read.facts.caller = present(caller);
    for (const line of await mergeLiveFacts(clients, read.facts)) read.model.notes.push(line);
    if (common.verbose) progress(`ecr-doctor: --live: caller ${caller.arn} (account ${caller.account}), region ${clients.region}`);
    return read;
  } catch (e) {
    if (e instanceof CredentialsError) throw explainCredentialsFailure(e, e.message, choice);
    throw e;
  }
}
