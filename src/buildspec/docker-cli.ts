/**
 * What one shell command does with Docker: logins, pulls, builds, compose, starting a daemon.
 * Options are read the way the docker CLI reads them (docker CLI reference: `docker login`,
 * `pull`, `run`, `create`, `build`, `buildx build`, `compose`); an option we do not know is taken
 * as a flag, which can only make us miss an image, never invent one.
 */
import type { ShellCommand, ShellWord } from './shell.js';

export type DockerAction =
  | { kind: 'login'; method: 'get-login-password' | 'get-login' | 'docker-login'; host?: ShellWord; region?: ShellWord; registryIds?: ShellWord[] }
  | { kind: 'pull'; via: 'docker pull' | 'docker run' | 'docker create'; image: ShellWord; platform?: ShellWord }
  | { kind: 'build'; file?: ShellWord; context?: ShellWord; buildArgs: ShellWord[]; platform?: ShellWord }
  | { kind: 'compose'; subcommand: string; files: ShellWord[] }
  | { kind: 'credential-helper'; config: string }
  | { kind: 'daemon-start' }
  | { kind: 'docker' }
  | { kind: 'cd'; dir?: ShellWord };

const RUN_VALUE_OPTIONS = new Set(
  (
    'a add-host annotation attach blkio-weight blkio-weight-device c cap-add cap-drop cgroup-parent cgroupns cidfile cpu-period cpu-quota ' +
    'cpu-rt-period cpu-rt-runtime cpu-shares cpus cpuset-cpus cpuset-mems device device-cgroup-rule device-read-bps device-read-iops ' +
    'device-write-bps device-write-iops dns dns-option dns-search domainname e entrypoint env env-file expose gpus group-add health-cmd ' +
    'health-interval health-retries health-start-period health-timeout h hostname ip ip6 ipc isolation kernel-memory l label label-file ' +
    'link link-local-ip log-driver log-opt m mac-address memory memory-reservation memory-swap memory-swappiness mount name net network ' +
    'network-alias oom-score-adj p pid pids-limit platform publish pull restart runtime security-opt shm-size stop-signal stop-timeout ' +
    'storage-opt sysctl tmpfs u ulimit user userns uts v volume volume-driver volumes-from w workdir'
  ).split(' '),
);
const BUILD_VALUE_OPTIONS = new Set(
  (
    'add-host allow annotation attest build-arg build-context builder cache-from cache-to call cgroup-parent cpu-period cpu-quota ' +
    'cpu-shares c cpuset-cpus cpuset-mems f file iidfile isolation label m memory memory-swap metadata-file network o output platform ' +
    'progress provenance sbom secret shm-size ssh t tag target ulimit'
  ).split(' '),
);
const PULL_VALUE_OPTIONS = new Set(['platform']);
const LOGIN_VALUE_OPTIONS = new Set(['u', 'username', 'p', 'password']);
const DOCKER_GLOBAL_VALUE_OPTIONS = new Set(['config', 'c', 'context', 'H', 'host', 'l', 'log-level', 'tlscacert', 'tlscert', 'tlskey']);
const COMPOSE_GLOBAL_VALUE_OPTIONS = new Set(['f', 'file', 'p', 'project-name', 'profile', 'env-file', 'project-directory', 'parallel', 'progress', 'ansi']);

interface Options {
  values: Map<string, ShellWord[]>;
  flags: Set<string>;
  positional: ShellWord[];
}

/** Splits argv into options and positionals; `valueOptions` take the next word (or `=value`). Stops at the first positional when `stopAtPositional`. */
function readOptions(args: readonly ShellWord[], valueOptions: ReadonlySet<string>, stopAtPositional = false): Options & { rest: ShellWord[] } {
  const values = new Map<string, ShellWord[]>();
  const flags = new Set<string>();
  const positional: ShellWord[] = [];
  const push = (k: string, w: ShellWord) => values.set(k, [...(values.get(k) ?? []), w]);
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const text = word.text ?? word.raw;
    if (text === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    const long = /^--([\w-]+)(?:=(.*))?$/s.exec(text);
    const short = long ? undefined : /^-([A-Za-z]+)(.*)$/s.exec(text);
    if (long) {
      const name = long[1]!;
      if (long[2] !== undefined) push(name, { ...word, ...(word.text !== undefined ? { text: long[2] } : {}), raw: long[2] });
      else if (valueOptions.has(name) && i + 1 < args.length) push(name, args[++i]!);
      else flags.add(name);
      continue;
    }
    if (short && text !== '-') {
      // -it is two flags; -fDockerfile and -f Dockerfile are the value of -f.
      const letters = short[1]!;
      let consumed = false;
      for (let j = 0; j < letters.length && !consumed; j++) {
        const letter = letters[j]!;
        if (valueOptions.has(letter)) {
          const inline = letters.slice(j + 1) + short[2]!;
          if (inline) push(letter, { ...word, ...(word.text !== undefined ? { text: inline } : {}), raw: inline });
          else if (i + 1 < args.length) push(letter, args[++i]!);
          consumed = true;
        } else flags.add(letter);
      }
      continue;
    }
    positional.push(word);
    if (stopAtPositional) return { values, flags, positional, rest: args.slice(i + 1) };
  }
  return { values, flags, positional, rest: [] };
}

function lastValue(o: Options, ...names: string[]): ShellWord | undefined {
  for (const n of names) {
    const v = o.values.get(n);
    if (v?.length) return v.at(-1);
  }
  return undefined;
}

function textOf(w: ShellWord | undefined): string | undefined {
  return w?.text;
}

function baseName(w: ShellWord | undefined): string {
  const t = w?.text ?? w?.raw ?? '';
  return t.split('/').at(-1) ?? t;
}

/** `aws [global options] ecr <sub> ...` → the subcommand and its options. */
function awsEcr(argv: readonly ShellWord[]): { sub: string; options: Options } | undefined {
  if (baseName(argv[0]) !== 'aws') return undefined;
  const global = readOptions(argv.slice(1), new Set(['region', 'profile', 'output', 'query', 'endpoint-url', 'cli-read-timeout', 'cli-connect-timeout', 'color', 'ca-bundle']), true);
  if (textOf(global.positional[0]) !== 'ecr') return undefined;
  const sub = readOptions(global.rest, new Set(['region', 'registry-ids', 'profile', 'output', 'query', 'endpoint-url']));
  const name = textOf(sub.positional[0]) ?? '';
  // --region given before `ecr` counts too.
  for (const [k, v] of global.values) if (!sub.values.has(k)) sub.values.set(k, v);
  // --registry-ids takes several values: `--registry-ids 111 222`.
  const ids = sub.values.get('registry-ids');
  if (ids) sub.values.set('registry-ids', [...ids, ...sub.positional.slice(1)]);
  return { sub: name, options: sub };
}

function ecrLoginFromPipe(cmd: ShellCommand): { region?: ShellWord } | undefined {
  for (const left of cmd.pipedFrom) {
    const aws = awsEcr(left.argv);
    if (aws?.sub === 'get-login-password') return { ...(lastValue(aws.options, 'region') ? { region: lastValue(aws.options, 'region')! } : {}) };
  }
  return undefined;
}

function ecrLoginFromSubstitution(words: readonly ShellWord[]): { region?: ShellWord } | undefined {
  for (const w of words) {
    for (const inner of w.substituted ?? []) {
      const aws = awsEcr(inner.map((t) => ({ text: t, raw: t, unresolved: [] })));
      if (aws?.sub === 'get-login-password') return { ...(lastValue(aws.options, 'region') ? { region: lastValue(aws.options, 'region')! } : {}) };
    }
  }
  return undefined;
}

/** What `cmd` does with Docker, if anything. `sudo`, `nohup`, `time` and `env` in front are looked through. */
export function interpretCommand(cmd: ShellCommand): DockerAction[] {
  let argv = cmd.argv;
  while (argv.length > 1 && ['sudo', 'nohup', 'time', 'env', 'exec', 'command'].includes(baseName(argv[0]))) argv = argv.slice(1);
  const name = baseName(argv[0]);
  if (name === 'cd') return [{ kind: 'cd', ...(argv[1] ? { dir: argv[1] } : {}) }];
  if (name === 'dockerd' || name === 'dockerd-entrypoint.sh') return [{ kind: 'daemon-start' }];
  const aws = awsEcr(argv);
  if (aws?.sub === 'get-login') {
    const region = lastValue(aws.options, 'region');
    return [{ kind: 'login', method: 'get-login', ...(region ? { region } : {}), ...(aws.options.values.get('registry-ids') ? { registryIds: aws.options.values.get('registry-ids')! } : {}) }];
  }
  const helper = credentialHelperWrite(cmd, name);
  if (helper) return [helper];
  if (name === 'docker-compose') return [compose(argv.slice(1))];
  if (name !== 'docker') return [];
  const global = readOptions(argv.slice(1), DOCKER_GLOBAL_VALUE_OPTIONS, true);
  let sub = textOf(global.positional[0]) ?? '';
  let rest = global.rest;
  if (sub === '' && (global.flags.has('version') || global.flags.has('v') || global.flags.has('help'))) return [];
  // `docker image pull`, `docker container run`, `docker buildx build`, `docker image build`.
  if ((sub === 'image' || sub === 'container' || sub === 'buildx') && rest[0]) {
    sub = textOf(rest[0]) ?? '';
    rest = rest.slice(1);
  }
  const uses: DockerAction = { kind: 'docker' };
  switch (sub) {
    case 'login': {
      const o = readOptions(rest, LOGIN_VALUE_OPTIONS);
      const ecr = ecrLoginFromPipe(cmd) ?? ecrLoginFromSubstitution(o.values.get('p') ?? o.values.get('password') ?? []);
      const host = o.positional[0];
      return [uses, { kind: 'login', method: ecr ? 'get-login-password' : 'docker-login', ...(host ? { host } : {}), ...(ecr?.region ? { region: ecr.region } : {}) }];
    }
    case 'pull': {
      const o = readOptions(rest, PULL_VALUE_OPTIONS);
      const platform = lastValue(o, 'platform');
      return o.positional[0] ? [uses, { kind: 'pull', via: 'docker pull', image: o.positional[0], ...(platform ? { platform } : {}) }] : [uses];
    }
    case 'run':
    case 'create': {
      const o = readOptions(rest, RUN_VALUE_OPTIONS, true);
      const platform = lastValue(o, 'platform');
      return o.positional[0] ? [uses, { kind: 'pull', via: sub === 'run' ? 'docker run' : 'docker create', image: o.positional[0], ...(platform ? { platform } : {}) }] : [uses];
    }
    case 'build': {
      const o = readOptions(rest, BUILD_VALUE_OPTIONS);
      const file = lastValue(o, 'f', 'file');
      const platform = lastValue(o, 'platform');
      const context = o.positional[0];
      return [uses, { kind: 'build', ...(file ? { file } : {}), ...(context ? { context } : {}), buildArgs: o.values.get('build-arg') ?? [], ...(platform ? { platform } : {}) }];
    }
    case 'compose':
      return [uses, compose(rest)];
    default:
      return [uses];
  }
}

function compose(args: readonly ShellWord[]): DockerAction {
  const o = readOptions(args, COMPOSE_GLOBAL_VALUE_OPTIONS, true);
  return { kind: 'compose', subcommand: textOf(o.positional[0]) ?? '', files: o.values.get('f') ?? o.values.get('file') ?? [] };
}

/** `echo '{"credsStore":"ecr-login"}' > ~/.docker/config.json` (the Amazon ECR credential helper). */
function credentialHelperWrite(cmd: ShellCommand, name: string): DockerAction | undefined {
  if (name !== 'echo' && name !== 'printf' && name !== 'cat' && name !== 'tee') return undefined;
  const target = [...cmd.redirects.map((r) => r.target), ...(name === 'tee' ? cmd.argv.slice(1) : [])].find((t) => /(^|\/)\.docker\/config\.json$/.test(t.text ?? t.raw));
  if (!target) return undefined;
  const body = [...cmd.argv.slice(1), ...cmd.pipedFrom.flatMap((p) => p.argv.slice(1))].map((w) => w.text ?? w.raw).join(' ');
  return /credsStore|credHelpers/.test(body) ? { kind: 'credential-helper', config: body } : undefined;
}
