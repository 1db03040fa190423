/**
 * Reads the buildspec each build runs, with the files it names, into BuildspecFacts. Where it comes
 * from (CodeBuild user guide, "Buildspec file name and storage location"): `source.buildspec` is
 * inline YAML or a file name relative to the source root (default `buildspec.yml`); a build's record
 * holds what it ran, a `buildspecOverride` included. A file in the source is read from the local
 * checkout: `--buildspec FILE`, `$CODEBUILD_SRC_DIR` inside CodeBuild, or the working folder when the
 * run names one project; otherwise it is unreadable, with what to do.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { analyseBuildspec } from '../buildspec/analyse-buildspec.js';
import { looksLikeInlineBuildspec } from '../buildspec/buildspec-phases.js';
import { parseArn } from '../model/arn.js';
import { UserError } from '../model/errors.js';
import type { Fact } from '../model/fact.js';
import { present, unreadable } from '../model/fact.js';
import type { BuildspecFacts, EnvironmentVariable, Facts, SourceInfo } from '../model/facts.js';
import type { Target } from '../model/target.js';

const MAX_FILE = 1024 * 1024;

export async function readText(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > MAX_FILE) return undefined;
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

interface Owner {
  name: string;
  arn: string;
  source?: SourceInfo;
  variables?: EnvironmentVariable[];
}

export interface BuildspecContext {
  cwd: string;
  target: Target;
  /** The account each build runs in, when the ARN does not say. */
  account?: string;
}

export async function analyse(text: string, opts: { origin: string; file: string; path?: string; sourceDir?: string; region: string; account?: string; variables?: EnvironmentVariable[] }): Promise<Fact<BuildspecFacts>> {
  try {
    return present(
      await analyseBuildspec({
        text,
        origin: opts.origin,
        file: opts.file,
        ...(opts.path ? { path: opts.path } : {}),
        ...(opts.sourceDir ? { sourceDir: opts.sourceDir } : {}),
        readText,
        variables: { region: opts.region, ...(opts.account ? { account: opts.account } : {}), layers: opts.variables ? [opts.variables] : [] },
      }),
    );
  } catch (e) {
    if (e instanceof UserError) return unreadable(`${opts.origin} cannot be read: ${e.message}`);
    throw e;
  }
}

function shown(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? `.${sep}${rel}` : path;
}

/** The source root a buildspec file sits in: its folder, less the folders the project's buildspec name has (`ci/buildspec.yml`). */
function rootOf(path: string, name: string): string {
  const dir = dirname(path);
  const depth = name.split('/').length - 1;
  let root = dir;
  for (let i = 0; i < depth; i++) root = dirname(root);
  return root;
}

async function forOwner(owner: Owner, ctx: BuildspecContext, localRoots: string[]): Promise<Fact<BuildspecFacts> | undefined> {
  const arn = parseArn(owner.arn);
  const region = arn?.region ?? '';
  const account = arn?.account || ctx.account;
  const common = { region, ...(account ? { account } : {}), ...(owner.variables ? { variables: owner.variables } : {}) };
  const inline = owner.source?.buildspec;
  const explicit = ctx.target.buildspec?.explicit ? ctx.target.buildspec : undefined;
  if (inline && looksLikeInlineBuildspec(inline)) {
    return analyse(inline, { ...common, origin: `the inline buildspec of ${owner.name}`, file: `${owner.name} (inline buildspec)`, ...(localRoots[0] ? { sourceDir: localRoots[0] } : {}) });
  }
  if (owner.source?.type === 'NO_SOURCE' && !inline) return undefined;
  const name = (inline ?? 'buildspec.yml').replace(/^\.\//, '');
  const candidates = explicit ? [explicit.path] : localRoots.map((root) => join(root, name));
  for (const path of candidates) {
    const text = await readText(path);
    if (text === undefined) continue;
    const root = explicit ? explicit.root : rootOf(path, name);
    return analyse(text, { ...common, origin: `${shown(ctx.cwd, path)} (${explicit ? '--buildspec' : 'the local checkout'})`, file: shown(ctx.cwd, path), path, sourceDir: root });
  }
  const where = owner.source ? ` (source ${owner.source.type}${owner.source.location ? ` ${owner.source.location}` : ''})` : '';
  return unreadable(`its buildspec is the file ${name} in the project's source${where}, which is not at hand here; run ecr-doctor from a checkout of that source, or pass --buildspec FILE`);
}

/**
 * Attaches the buildspec of every project and build read, and of a buildspec given alone (or eb
 * deploy's). The local checkout counts only when the run names a single build or project, so one
 * folder's buildspec is never taken for another project's.
 */
export async function attachBuildspecs(facts: Facts, ctx: BuildspecContext): Promise<void> {
  const present = facts.projects.filter((p) => p.project.state === 'present');
  const builds = facts.builds.filter((b) => b.build.state === 'present');
  const single = present.length + builds.length === 1;
  const localRoots = ctx.target.buildspec && !ctx.target.buildspec.explicit ? [ctx.target.buildspec.root] : single ? [resolve(ctx.cwd)] : [];
  await Promise.all([
    ...present.map(async (p) => {
      if (p.project.state !== 'present') return;
      const v = p.project.value;
      const fact = await forOwner({ name: v.name, arn: v.arn, ...(v.source ? { source: v.source } : {}), ...(v.environmentVariables ? { variables: v.environmentVariables } : {}) }, ctx, localRoots);
      if (fact) p.buildspec = fact;
    }),
    ...builds.map(async (b) => {
      if (b.build.state !== 'present') return;
      const v = b.build.value;
      const arn = v.arn ?? `arn:aws:codebuild:${facts.region}:${ctx.account ?? ''}:build/${v.id}`;
      const fact = await forOwner({ name: v.projectName, arn, ...(v.source ? { source: v.source } : {}), ...(v.environment.environmentVariables ? { variables: v.environment.environmentVariables } : {}) }, ctx, localRoots);
      if (fact) b.buildspec = fact;
    }),
    (async () => {
      const given = ctx.target.buildspec;
      // A buildspec of its own: eb deploy's (its temporary project runs it), or one given with no project.
      if (!given || (!facts.eb?.hasSettings && (present.length > 0 || builds.length > 0 || ctx.target.allProjects))) return;
      const text = await readText(given.path);
      if (text === undefined) return;
      const region = facts.eb?.region ?? facts.region;
      facts.buildspec = await analyse(text, { origin: shown(ctx.cwd, given.path), file: shown(ctx.cwd, given.path), path: given.path, sourceDir: given.root, region, ...(ctx.account ? { account: ctx.account } : {}) });
    })(),
  ]);
}
