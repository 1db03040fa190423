/**
 * Where a pasted build log pulled an image: the line that started the pull, and the image it names.
 * Each reader looks at one line (already capped by scan.ts) with anchored or bounded patterns, so
 * nothing here can backtrack beyond a line.
 */

export type PullHow = 'dockerfile-from' | 'buildkit-metadata' | 'docker-pull' | 'docker-run';

export interface PullSite {
  /** Index of the line in the input (0-based). */
  line: number;
  how: PullHow;
  image: string;
}

// Text copied from the CodeBuild console carries its line-number gutter (`37 | `, `--10 | `).
const GUTTER = String.raw`(?:-{0,2}\d{1,7} \| )?`;

// The legacy builder prints `Step 2/8 : FROM node:18 AS deps`; `FROM --platform=... x` keeps its flag.
const STEP_FROM = new RegExp(String.raw`^${GUTTER}\s{0,8}Step \d{1,6}\/\d{1,6} : FROM\s{1,8}(?:--platform=\S{1,64}\s{1,8})?(\S{1,512})`, 'i');
// BuildKit prints `#3 [internal] load metadata for docker.io/library/node:18` before it resolves a FROM.
const BUILDKIT_METADATA = new RegExp(String.raw`^${GUTTER}#\d{1,6} \[internal\] load metadata for (\S{1,512})`);
// BuildKit's failure names the FROM it could not resolve: `failed to resolve source metadata for docker.io/library/node:24-alpine: ...`
const BUILDKIT_RESOLVE = /failed to resolve source metadata for (\S{1,512}?):(?:\s|$)/;
// docker's pull progress: `18.04: Pulling from library/ubuntu` (tag, then repository).
const PULL_PROGRESS = new RegExp(String.raw`^${GUTTER}([\w][\w.-]{0,127}): Pulling from (\S{1,512})\s{0,8}$`);
// `docker pull`, `docker image pull`, `docker run`, `docker container run`, also inside CodeBuild's
// `[Container] ... Running command docker pull x` and `Error while executing command: docker pull x.`
const DOCKER_VERB = /\bdocker (?:image |container )?(pull|run)\s{1,8}([^\n]{1,2048})/;

// docker run/pull options that take a value as the next word (docker CLI reference, `docker run --help`).
const TAKES_VALUE = new Set([
  '-a', '--attach', '-c', '--cpu-shares', '--cidfile', '--cpus', '--cpuset-cpus', '--device', '--dns', '-e', '--env',
  '--env-file', '--entrypoint', '--expose', '--gpus', '-h', '--hostname', '--ip', '-l', '--label', '--label-file',
  '--log-driver', '--log-opt', '-m', '--memory', '--mount', '--name', '--network', '--net', '--platform', '-p',
  '--publish', '--pull', '--restart', '--security-opt', '--shm-size', '--stop-signal', '--tmpfs', '-u', '--user',
  '--ulimit', '-v', '--volume', '--volumes-from', '-w', '--workdir', '--add-host', '--cap-add', '--cap-drop',
  '--group-add', '--health-cmd', '--ipc', '--pid', '--runtime', '--storage-opt', '--sysctl', '--userns', '--uts',
]);

/** An image reference as printed: trailing punctuation from the sentence around it removed. */
function tidyImage(word: string): string | undefined {
  const image = word.replace(/^["'(]+/, '').replace(/[.,;:)"']+$/, '');
  // A shell variable ($IMAGE) or an empty word names nothing we can report.
  if (image === '' || image.startsWith('$') || image.startsWith('-')) return undefined;
  return image;
}

function imageAfterOptions(rest: string): string | undefined {
  const words = rest.split(/\s{1,8}/, 64);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word === '') continue;
    if (word.startsWith('-')) {
      if (!word.includes('=') && TAKES_VALUE.has(word)) i++;
      continue;
    }
    return tidyImage(word);
  }
  return undefined;
}

/** The pull a single log line starts, if it starts one. */
export function readPullLine(text: string, line: number): PullSite | undefined {
  const from = STEP_FROM.exec(text);
  if (from?.[1]) {
    const image = tidyImage(from[1]);
    return image ? { line, how: 'dockerfile-from', image } : undefined;
  }
  const meta = BUILDKIT_METADATA.exec(text);
  if (meta?.[1]) {
    const image = tidyImage(meta[1]);
    return image ? { line, how: 'buildkit-metadata', image } : undefined;
  }
  const resolve = BUILDKIT_RESOLVE.exec(text);
  if (resolve?.[1]) return { line, how: 'buildkit-metadata', image: resolve[1] };
  const progress = PULL_PROGRESS.exec(text);
  if (progress?.[1] && progress[2]) return { line, how: 'docker-pull', image: `${progress[2]}:${progress[1]}` };
  const verb = DOCKER_VERB.exec(text);
  if (verb?.[1] && verb[2] !== undefined) {
    const image = imageAfterOptions(verb[2]);
    return image ? { line, how: verb[1] === 'pull' ? 'docker-pull' : 'docker-run', image } : undefined;
  }
  return undefined;
}

// Lines that show the text came from the buildspec's phases (after PROVISIONING): CodeBuild's own
// agent log (`[Container] ... Entering phase BUILD`, `Running command ...`) and docker build output.
const IN_BUILD_MARKER = new RegExp(
  String.raw`^${GUTTER}(?:\[Container\] [^\n]{0,40}?(?:Entering phase (?:INSTALL|PRE_BUILD|BUILD|POST_BUILD)\b|Running command )|#\d{1,6} (?:\[|ERROR\b)|Step \d{1,6}\/\d{1,6} : )|\bdocker (?:build|buildx build|compose|-compose) `,
);

export function isInBuildMarker(text: string): boolean {
  return IN_BUILD_MARKER.test(text);
}
