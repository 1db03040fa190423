/**
 * The buildspec each project of infrastructure code runs, analysed for its in-build pulls before
 * deploy, the way the live path does (buildspec-source.ts). Where it comes from (CodeBuild user
 * guide, "Buildspec file name and storage location"; Terraform aws_codebuild_project
 * `source.buildspec`; CloudFormation AWS::CodeBuild::Project Source.BuildSpec): inline YAML, or
 * the name of a file in the project's source (default buildspec.yml). A file is read from the
 * code's folder, then from the repository root, when it is there, and the report says so: the
 * project's source may be another repository. A buildspec the code computes at deploy is unknown.
 */
import { join, relative, sep } from 'node:path';
import { looksLikeInlineBuildspec } from '../../buildspec/buildspec-phases.js';
import type { Fact } from '../../model/fact.js';
import { unknownBeforeDeploy, unreadable } from '../../model/fact.js';
import type { BuildspecFacts, Facts } from '../../model/facts.js';
import { analyse, readText } from '../buildspec-source.js';
import { noteImage, registriesOf } from './assemble-facts.js';
import type { IacModel, IacProject } from './model.js';

export interface IacBuildspecContext {
  /** The folders a buildspec file is looked for in, in order: the code's folder, the repository root. */
  folders: string[];
  cwd: string;
}

function where(p: IacProject): string {
  const at = p.location.file ? `${p.location.file}${p.location.line ? `:${p.location.line}` : ''}` : undefined;
  return at ? `${at} (${p.location.address ?? p.key})` : (p.location.address ?? p.key);
}

function shown(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel.split(sep).join('/') : path;
}

async function buildspecOf(p: IacProject, facts: Facts, account: string | undefined, ctx: IacBuildspecContext): Promise<Fact<BuildspecFacts> | undefined> {
  if (p.buildspecUnknown) return unknownBeforeDeploy(p.buildspecUnknown);
  const entry = facts.projects.find((x) => x.requested === p.name);
  if (entry?.project.state !== 'present') return undefined;
  const common = { region: facts.region, ...(account ? { account } : {}), ...(p.environmentVariables ? { variables: p.environmentVariables } : {}) };
  const inline = p.source?.buildspec;
  if (inline && looksLikeInlineBuildspec(inline)) {
    // Its files (a Dockerfile) are the project's source: looked for in the code's folder.
    return analyse(inline, { ...common, origin: `the inline buildspec of ${p.name} at ${where(p)}`, file: `${p.name} (inline buildspec, ${where(p)})`, ...(ctx.folders[0] ? { sourceDir: ctx.folders[0] } : {}) });
  }
  if (p.source?.type === 'NO_SOURCE' && !inline) return undefined;
  const name = (inline ?? 'buildspec.yml').replace(/^\.\//, '');
  for (const folder of ctx.folders) {
    const path = join(folder, name);
    const text = await readText(path);
    if (text === undefined) continue;
    const file = shown(ctx.cwd, path);
    return analyse(text, { ...common, origin: `${file} (the file ${name} of ${p.name}'s source, read from the code's folder: the project's source is taken to be this repository)`, file, path, sourceDir: folder });
  }
  const source = p.source ? ` (source ${p.source.type}${p.source.location ? ` ${p.source.location}` : ''})` : '';
  return unreadable(`its buildspec is the file ${name} in the project's source${source}, which is not in the code's folder: not readable before deploy; run ecr-doctor --buildspec FILE from a checkout of that source`);
}

/** Attaches to each project built from code the buildspec it will run. */
export async function attachIacBuildspecs(facts: Facts, model: IacModel, ctx: IacBuildspecContext): Promise<void> {
  const account = facts.caller.state === 'present' ? facts.caller.value.account : facts.unknownAccount;
  await Promise.all(
    model.projects.map(async (p) => {
      const fact = await buildspecOf(p, facts, account, ctx);
      const entry = facts.projects.find((x) => x.requested === p.name);
      if (!fact || !entry) return;
      entry.buildspec = fact;
      // A repository pulled in the build that the code does not define: unknown before deploy, like the project's image.
      if (fact.state === 'present') for (const step of fact.value.steps) if (step.kind === 'pull' && step.image) noteImage(step.image, facts.repositories, facts.locations ?? {}, p, model);
    }),
  );
  facts.registries = { ...registriesOf(facts.repositories), ...facts.registries };
}
