import type { PullCause } from './causes.js';

export interface PullDetails {
  action?: string;
  roleName?: string;
  sessionName?: string;
  image?: string;
  repository?: string;
  explicitDeny?: boolean;
}

interface Rule {
  cause: PullCause;
  /** Returns the decisive part of the text, verbatim, or undefined when the rule does not apply. */
  match(text: string): string | undefined;
}

function firstMatch(text: string, patterns: RegExp[]): string | undefined {
  for (const pattern of patterns) {
    const found = pattern.exec(text);
    if (found) return tidyEvidence(found[0]);
  }
  return undefined;
}

/** Trims what a greedy \S+ drags along (a sentence's final dot or comma); the rest stays verbatim. */
export function tidyEvidence(text: string): string {
  return text.trim().replace(/[.,;]$/, '');
}

function anyOf(...patterns: RegExp[]): (text: string) => string | undefined {
  return (text) => firstMatch(text, patterns);
}

// IAM's denial sentence for a role session: "User: arn:aws:sts::<acct>:assumed-role/<role>/<session> is
// not authorized to perform: <action> on resource: <arn> because no identity-based policy allows the
// <action> action" or "... with an explicit deny in a/an <type> policy". Redacted account ids (XXX,
// <ACCOUNT_ID>) are common in pasted text, so the account part is loose.
const ROLE_DENIAL =
  /(?:User: )?arn:aws[\w-]*:sts::[^:\s]*:assumed-role\/[^\s/]+\/\S+ is not authorized to perform:? (ecr:[A-Za-z]+)(?: on resource: \S+)?(?: (?:because no [\w-]+ policy allows the [\w:]+ action|with an explicit deny(?: in an? [\w-]+ policy)?))?/;

const CODEBUILD_DENIAL = [
  // DOMAIN.md §7: CODEBUILD mode, the service principal itself is refused.
  /AWS CodeBuild is not authorized to perform:? ecr:[A-Za-z]+/,
  /User: CodeBuild is not authorized to perform:? ecr:[A-Za-z]+(?: on resource: \S+)?(?: (?:because no [\w-]+ policy allows the [\w:]+ action|with an explicit deny(?: in an? [\w-]+ policy)?))?/,
  // Console output is often cut right after the principal.
  /denied: User: CodeBuild\b/,
  // Reported for eb deploy builds (DOMAIN.md §7), which pull in CODEBUILD mode.
  /Perhaps you need to login\?/,
];

/**
 * Most specific first: several causes share words (an assumed-role denial also says "pull access
 * denied ... repository does not exist"; a rate limit can arrive as "error pulling image
 * configuration: toomanyrequests"), so the first rule that matches decides.
 */
export const RULES: readonly Rule[] = [
  {
    cause: 'logs-access-denied',
    match: anyOf(
      /(?:ACCESS_DENIED:\s+)?Service role\s+\S+\s+does not allow AWS CodeBuild to create Amazon CloudWatch Logs log streams(?:\s+for build\s+\S+)?/,
      /does not allow AWS CodeBuild to create Amazon CloudWatch Logs[^\n.]*/,
      /ACCESS_DENIED\b[^\n]*CloudWatch Logs[^\n.]*/,
      /not authorized to perform:? logs:[A-Za-z]+(?: on resource: \S+)?/,
    ),
  },
  {
    cause: 'docker-hub-rate-limit',
    match: anyOf(
      /toomanyrequests: [^\n]*?(?:rate limit|Too Many Requests)\.?/i,
      /toomanyrequests\b/i,
      /You have reached your (?:unauthenticated )?pull rate limit/,
      /429 Too Many Requests/,
    ),
  },
  { cause: 'image-too-large', match: anyOf(/failed to register layer:[^\n]*?no space left on device/, /no space left on device/i) },
  { cause: 'invalid-image-reference', match: anyOf(/invalid reference format(?:: repository name must be lowercase)?/i) },
  {
    cause: 'in-build-pull',
    match: anyOf(
      /no basic auth credentials/,
      /when calling the GetAuthorizationToken operation: [^\n]*?ecr:GetAuthorizationToken(?: on resource: \S+)?/,
      /when calling the GetAuthorizationToken operation/,
      /Error while executing command: [^\n]*?(?:docker (?:pull|login)|ecr get-login)[^\n]*/i,
    ),
  },
  {
    cause: 'registry-credential-invalid',
    match: anyOf(
      /(?:unauthorized: )?incorrect username or password/i,
      /not authorized to perform:? secretsmanager:GetSecretValue(?: on resource: \S+)?/,
      /Secrets Manager can'?t find the specified secret/i,
    ),
  },
  {
    cause: 'layer-download-denied',
    match: (text) => {
      const config = /error pulling image configuration:[^\n]*?ecr:GetDownloadUrlForLayer/.exec(text);
      if (config) return tidyEvidence(config[0]);
      const role = ROLE_DENIAL.exec(text);
      if (role?.[1] === 'ecr:GetDownloadUrlForLayer') return tidyEvidence(role[0]);
      return firstMatch(text, [/not authorized to perform:? ecr:GetDownloadUrlForLayer(?: on resource: \S+)?/]);
    },
  },
  { cause: 'role-explicit-deny', match: (text) => matchRole(text, true) },
  { cause: 'role-missing-permission', match: (text) => matchRole(text, false) },
  { cause: 'codebuild-not-trusted', match: anyOf(...CODEBUILD_DENIAL) },
  {
    cause: 'image-not-found',
    match: anyOf(
      /manifest for \S+ not found(?:: manifest unknown(?:: [^\n.]*)?)?/,
      /manifest unknown(?:: [^\n.]*)?/i,
      /Requested image not found/,
      /ImageNotFoundException[^\n.]*/,
    ),
  },
  {
    cause: 'repository-missing-or-denied',
    match: anyOf(
      /pull access denied for [^\s,]+,? (?:the )?repository does not exist or may require 'docker login'/,
      /pull access denied for \S+/,
      /repository \S+ not found: does not exist or no pull access/,
      /does not exist or no pull access/,
      /RepositoryNotFoundException[^\n.]*/,
      /requested access to the resource is denied/,
    ),
  },
];

function matchRole(text: string, wantDeny: boolean): string | undefined {
  const found = ROLE_DENIAL.exec(text);
  if (!found) return undefined;
  const isDeny = found[0].includes('with an explicit deny');
  return isDeny === wantDeny ? tidyEvidence(found[0]) : undefined;
}

export const UMBRELLA = /BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE|Unable to pull customer's container image|CannotPullContainerError/;

/** True when the text says nothing beyond CodeBuild's umbrella words and status codes. */
export function isUmbrellaOnly(text: string): boolean {
  const rest = text
    .replace(new RegExp(UMBRELLA.source, 'g'), '')
    .replace(/CLIENT_ERROR|Error response from daemon|ErrorCode: \d+|Reason|[\s.:,\[\]]/g, '');
  return rest === '';
}

/** Pulls what the message says about who, what and which image; absent parts stay absent. */
export function parseDetails(text: string): PullDetails {
  const details: PullDetails = {};
  const role = /assumed-role\/([^\s/]+)\/([^\s/]+?)(?=\s|$)/.exec(text);
  if (role?.[1] && role[2]) {
    details.roleName = role[1];
    details.sessionName = role[2];
  }
  const action = /not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z]+)/.exec(text);
  if (action?.[1]) details.action = action[1];
  if (/with an explicit deny/.test(text)) details.explicitDeny = true;
  else if (/because no [\w-]+ policy allows/.test(text)) details.explicitDeny = false;

  const image = parseImage(text);
  if (image) details.image = image;
  const arnRepo = /arn:aws[\w-]*:ecr:[a-z0-9-]+:[^:\s]*:repository\/([a-z0-9._/-]+[a-z0-9])/.exec(text);
  const repository = arnRepo?.[1] ?? (image ? repositoryOf(image) : undefined);
  if (repository) details.repository = repository;
  return details;
}

function parseImage(text: string): string | undefined {
  const direct =
    /pull access denied for ([^\s,]+)/.exec(text) ??
    /manifest for (\S+) not found/.exec(text) ??
    /repository (\S+) not found: does not exist/.exec(text);
  if (direct?.[1]) return direct[1];
  // Docker's registry URL form: https://<host>/v2/<repository>/manifests/<tag or digest>
  const url = /https:\/\/([^/\s"]+)\/v2\/(\S+?)\/manifests\/(sha256:[a-f0-9]{64}|[^\s":/]+)/.exec(text);
  if (url?.[1] && url[2] && url[3]) {
    const separator = url[3].startsWith('sha256:') ? '@' : ':';
    const host = url[1] === 'registry-1.docker.io' ? '' : `${url[1]}/`;
    return `${host}${url[2]}${separator}${url[3]}`;
  }
  return undefined;
}

/** The repository path of an image reference: host, tag and digest removed. */
function repositoryOf(image: string): string {
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
