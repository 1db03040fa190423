/**
 * A buildspec, read the way the build runs it: each phase's commands in order through the shell
 * parser, every Docker login, pull, build and compose step found, Dockerfiles and compose files
 * read when they are at hand. Pure but for `readText`, which the source injects.
 */
import { posix } from 'node:path';
import { parseDocument } from 'yaml';
import type { BuildspecFacts, BuildspecStep, CommandPlace, InBuildPull } from '../model/facts.js';
import { readBuildspecPhases } from './buildspec-phases.js';
import type { DockerAction } from './docker-cli.js';
import { interpretCommand } from './docker-cli.js';
import type { ArgLookup } from './dockerfile-froms.js';
import { readFromLines, substituteArgs } from './dockerfile-froms.js';
import type { ShellWord } from './shell.js';
import { parseCommandLine } from './shell.js';
import type { BuildVariables, Variables } from './variables.js';
import { initialVariables } from './variables.js';

export interface AnalyseInput {
  text: string;
  /** Where it came from, in words: "the project's inline buildspec", "./buildspec.yml (local checkout)". */
  origin: string;
  /** The file name used in messages. */
  file: string;
  /** The file read, when it was one. */
  path?: string;
  /** The local folder holding the build's source (Dockerfiles, compose files), when it is at hand. */
  sourceDir?: string;
  readText(path: string): Promise<string | undefined>;
  variables: BuildVariables;
}

const MAX_COMMAND = 200;

export function shorten(text: string, max = MAX_COMMAND): string {
  const one = text.replace(/\s*\\\n\s*/g, ' ').replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function describe(w: ShellWord | undefined): string {
  return w?.text ?? w?.raw ?? '';
}

const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];

export async function analyseBuildspec(input: AnalyseInput): Promise<BuildspecFacts> {
  const phases = readBuildspecPhases(input.text, input.file);
  const vars = initialVariables({ ...input.variables, layers: [phases.variables, ...input.variables.layers] });
  const steps: BuildspecStep[] = [];
  const missing: string[] = [];
  const problems = [...phases.problems];
  let cwd = '.';

  const pullStep = (place: CommandPlace, via: InBuildPull['via'], image: ShellWord | { text?: string; raw: string; unresolved: string[] }, extra: Partial<InBuildPull> = {}): InBuildPull => ({
    kind: 'pull',
    ...place,
    via,
    ...(image.text !== undefined ? { image: image.text } : { unresolved: image.unresolved }),
    ...(image.raw !== image.text ? { expression: image.raw } : {}),
    ...extra,
  });

  const readSourceFile = async (relative: string): Promise<{ path: string; text?: string }> => {
    const path = posix.normalize(posix.join(cwd, relative));
    if (!input.sourceDir) return { path };
    return { path, text: await input.readText(posix.join(input.sourceDir, path)) };
  };

  const noteMissing = (what: string, path: string) => {
    missing.push(
      input.sourceDir
        ? `${what} ${path} is not in ${input.sourceDir} (taken as the build's source folder); check the path, or run ecr-doctor from a checkout of the build's source`
        : `${what} ${path} is in the build's source: run ecr-doctor from a checkout of the source (or pass --buildspec FILE in it) to check what it pulls`,
    );
  };

  const dockerfilePulls = async (place: CommandPlace, file: string, buildArgs: ReadonlyMap<string, string | undefined>, platform?: string) => {
    const found = await readSourceFile(file);
    if (found.text === undefined) return noteMissing('the Dockerfile', `./${found.path}`);
    for (const from of readFromLines(found.text, buildArgs)) {
      steps.push(pullStep(place, 'docker build', { ...(from.image !== undefined ? { text: from.image } : {}), raw: from.expression, unresolved: from.unresolved }, {
        dockerfile: found.path,
        line: from.line,
        ...(from.platform ?? platform ? { platform: (from.platform ?? platform)! } : {}),
      }));
    }
  };

  const act = async (place: CommandPlace, a: DockerAction) => {
    switch (a.kind) {
      case 'cd':
        cwd = a.dir?.text ? posix.normalize(posix.join(cwd, a.dir.text)) : '.';
        return;
      case 'daemon-start':
      case 'docker':
        steps.push({ kind: a.kind, ...place });
        return;
      case 'credential-helper': {
        const all = /"credsStore"\s*:\s*"ecr-login"/.test(a.config);
        const hosts = all ? ['*.dkr.ecr.*.amazonaws.com'] : [...a.config.matchAll(/"([^"]+\.amazonaws\.com(?:\.cn)?)"\s*:\s*"ecr-login"/g)].map((m) => m[1]!);
        steps.push({ kind: 'login', ...place, method: 'credential-helper', hosts });
        return;
      }
      case 'login': {
        const unresolved = [...(a.host?.unresolved ?? []), ...(a.region?.unresolved ?? [])];
        const host = a.method === 'get-login' ? undefined : a.host ? a.host.text : 'docker.io';
        steps.push({
          kind: 'login',
          ...place,
          method: a.method,
          hosts: host ? [host.replace(/^https?:\/\//, '').replace(/\/.*$/, '').toLowerCase()] : [],
          ...(a.region?.text ? { region: a.region.text } : a.method !== 'docker-login' && !a.region ? { region: input.variables.region } : {}),
          ...(a.registryIds ? { registryIds: a.registryIds.map(describe) } : {}),
          ...(unresolved.length ? { unresolved } : {}),
        });
        return;
      }
      case 'pull':
        steps.push(pullStep(place, a.via, a.image, a.platform ? { platform: describe(a.platform) } : {}));
        return;
      case 'build': {
        const buildArgs = new Map<string, string | undefined>();
        for (const w of a.buildArgs) {
          const t = w.text ?? w.raw;
          const eq = t.indexOf('=');
          if (eq === -1) {
            const v = vars.get(t);
            buildArgs.set(t, v.kind === 'value' ? v.value : undefined);
          } else buildArgs.set(t.slice(0, eq), w.text === undefined ? undefined : t.slice(eq + 1));
        }
        const context = a.context?.text ?? '.';
        if (/^(https?|git):|^git@|\.git(#|$)/.test(context) || context === '-') {
          missing.push(`${place.command}: the build context ${context} is not a local folder; its Dockerfile is not checked`);
          return;
        }
        const file = a.file?.text ?? posix.join(context, 'Dockerfile');
        if (a.file && a.file.text === undefined) {
          missing.push(`${place.command}: the Dockerfile path ${a.file.raw} could not be resolved (${a.file.unresolved.join('; ')})`);
          return;
        }
        await dockerfilePulls(place, file, buildArgs, a.platform?.text);
        return;
      }
      case 'compose':
        await composePulls(place, a);
        return;
    }
  };

  const composePulls = async (place: CommandPlace, a: Extract<DockerAction, { kind: 'compose' }>) => {
    const pulls = ['pull', 'up', 'run', 'create'].includes(a.subcommand);
    const builds = ['build', 'up', 'run', 'create'].includes(a.subcommand);
    if (!pulls && !builds) return;
    let files = a.files.map((f) => f.text).filter((f): f is string => f !== undefined);
    if (files.length === 0) {
      for (const name of COMPOSE_FILES) {
        const f = await readSourceFile(name);
        if (f.text !== undefined) {
          files = [name];
          break;
        }
      }
      if (files.length === 0) return noteMissing('the compose file', posix.join(cwd, COMPOSE_FILES[2]!));
    }
    for (const name of files) {
      const f = await readSourceFile(name);
      if (f.text === undefined) {
        noteMissing('the compose file', f.path);
        continue;
      }
      const services = (parseDocument(f.text, { uniqueKeys: false }).toJS({ maxAliasCount: 100 }) as { services?: Record<string, Record<string, unknown>> } | null)?.services ?? {};
      const args = new Map<string, string | undefined>();
      for (const [service, def] of Object.entries(services)) {
        const image = typeof def?.image === 'string' ? def.image : undefined;
        const build = def?.build;
        if (build && builds) {
          const ctx = typeof build === 'string' ? build : typeof (build as Record<string, unknown>).context === 'string' ? ((build as Record<string, unknown>).context as string) : '.';
          const df = typeof build === 'object' && typeof (build as Record<string, unknown>).dockerfile === 'string' ? ((build as Record<string, unknown>).dockerfile as string) : 'Dockerfile';
          const dir = posix.dirname(name);
          await dockerfilePulls({ ...place, command: `${place.command} (service ${service})` }, posix.join(dir, ctx, df), args);
        } else if (image && pulls) {
          const unresolved: string[] = [];
          const resolved = substituteArgs(image, composeVariables(vars), unresolved);
          steps.push(pullStep({ ...place, command: `${place.command} (service ${service})` }, 'docker compose', { ...(resolved !== undefined ? { text: resolved } : {}), raw: image, unresolved }));
        }
      }
    }
  };

  for (const c of phases.commands) {
    const place: CommandPlace = { phase: c.phase, index: c.index, ...(c.finally ? { finally: true } : {}), command: shorten(c.text) };
    const parsed = parseCommandLine(c.text, vars);
    if (parsed.error) problems.push(`${input.file}: phases.${c.phase} command ${c.index + 1} cannot be parsed as shell (${parsed.error}): ${place.command}`);
    for (const cmd of parsed.commands) for (const a of interpretCommand(cmd)) await act(place, a);
  }
  return {
    origin: input.origin,
    ...(input.path ? { path: input.path } : {}),
    steps,
    ...(missing.length ? { missing: [...new Set(missing)] } : {}),
    ...(problems.length ? { problems } : {}),
  };
}

/** Compose interpolates ${VAR} from the environment the command runs in. */
function composeVariables(vars: Variables): ArgLookup {
  return {
    has: (k: string) => vars.get(k).kind !== 'unset',
    get: (k: string) => {
      const v = vars.get(k);
      return v.kind === 'value' ? v.value : undefined;
    },
  };
}
