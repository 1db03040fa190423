/** What the message says about who, what and which image; absent parts stay absent. */
export interface PullDetails {
  action?: string;
  roleName?: string;
  sessionName?: string;
  image?: string;
  repository?: string;
  explicitDeny?: boolean;
  /** True when the text shows the pull ran inside the build (a buildspec command or Dockerfile FROM). */
  inBuild?: boolean;
  /** The log line that started the failed pull, verbatim (cut to 300 characters). */
  pullLine?: string;
}

// Bounded repetitions throughout: these run on capped lines (scan.ts) and must stay linear.
const ROLE = /assumed-role\/([^\s/]{1,128})\/([^\s/]{1,128}?)(?=\s|$)/;
const ACTION = /not authorized to perform:?\s{1,8}([a-z0-9-]{1,32}:[A-Za-z]{1,64})/;
export const ARN_REPOSITORY = /arn:aws[\w-]{0,16}:ecr:[a-z0-9-]{1,32}:[^:\s]{0,32}:repository\/([a-z0-9._/-]{0,255}[a-z0-9])/;

export function parseDetails(text: string): PullDetails {
  const details: PullDetails = {};
  const role = ROLE.exec(text);
  if (role?.[1] && role[2]) {
    details.roleName = role[1];
    details.sessionName = role[2];
  }
  const action = ACTION.exec(text);
  if (action?.[1]) details.action = action[1];
  if (text.includes('with an explicit deny')) details.explicitDeny = true;
  else if (/because no [\w-]{1,32} policy allows/.test(text)) details.explicitDeny = false;

  const image = parseImage(text);
  if (image) details.image = image;
  const arnRepo = ARN_REPOSITORY.exec(text);
  const repository = arnRepo?.[1] ?? (image ? repositoryOf(image) : undefined);
  if (repository) details.repository = repository;
  return details;
}

/** The image a message names itself, if it does. */
export function parseImage(text: string): string | undefined {
  const direct =
    /pull access denied for ([^\s,]{1,1024})/.exec(text) ??
    /manifest for (\S{1,1024}) not found/.exec(text) ??
    /repository (\S{1,1024}) not found: does not exist/.exec(text) ??
    // BuildKit: `failed to resolve source metadata for docker.io/library/node:18: <reason>`
    /failed to resolve source metadata for (\S{1,1024}?):(?:\s|$)/.exec(text);
  if (direct?.[1]) return direct[1];
  // Docker's registry URL form: https://<host>/v2/<repository>/manifests/<tag or digest>
  const url = /https:\/\/([^/\s"]{1,256})\/v2\/(\S{1,256}?)\/manifests\/(sha256:[a-f0-9]{64}|[^\s":/]{1,128})/.exec(text);
  if (url?.[1] && url[2] && url[3]) {
    const separator = url[3].startsWith('sha256:') ? '@' : ':';
    const host = url[1] === 'registry-1.docker.io' ? '' : `${url[1]}/`;
    return `${host}${url[2]}${separator}${url[3]}`;
  }
  return undefined;
}

/** The repository path of an image reference: host, tag and digest removed. */
export function repositoryOf(image: string): string {
  let name = image.split('@')[0] ?? image;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  if (colon !== -1) name = name.slice(0, colon);
  const first = name.split('/')[0] ?? '';
  if (name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    name = name.slice(first.length + 1);
  }
  return name;
}
