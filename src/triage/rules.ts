import type { PullCause } from './causes.js';

export type { PullDetails } from './details.js';
export { parseDetails } from './details.js';

interface Rule {
  cause: PullCause;
  /** Returns the decisive part of one line, verbatim, or undefined when the rule does not apply. */
  match(line: string): string | undefined;
  /** The rule applies only when some line at or before the matching one also matches this. */
  after?: RegExp;
}

// Every pattern here runs on one line of at most MAX_LINE_CHARS (scan.ts) and bounds each repetition
// ({1,N} rather than + or *), so no pattern can backtrack over more than a fixed stretch of text: a
// pathological line such as 1 MB of `arn:aws:sts::1:assumed-role/r/` costs linear time (issue 12).

function firstMatch(text: string, patterns: RegExp[]): string | undefined {
  for (const pattern of patterns) {
    const found = pattern.exec(text);
    if (found) return tidyEvidence(found[0]);
  }
  return undefined;
}

/** Trims what a greedy \S{1,N} drags along (a sentence's final dot or comma); the rest stays verbatim. */
export function tidyEvidence(text: string): string {
  return text.trim().replace(/[.,;]$/, '');
}

function anyOf(...patterns: RegExp[]): (text: string) => string | undefined {
  return (text) => firstMatch(text, patterns);
}

// IAM's denial sentence for a role session: "User: arn:aws:sts::<acct>:assumed-role/<role>/<session> is
// not authorized to perform: <action> on resource: <arn> because no identity-based policy allows the
// <action> action" or "... with an explicit deny in a/an <type> policy". Redacted account ids (XXX,
// <ACCOUNT_ID>) are common in pasted text, so the account part is loose. Role names are at most 64
// characters and session names 64 (IAM quotas), ARNs at most 2048.
const ROLE_DENIAL =
  /(?:User: )?arn:aws[\w-]{0,16}:sts::[^:\s]{0,32}:assumed-role\/[^\s/]{1,128}\/\S{1,128} is not authorized to perform:? (ecr:[A-Za-z]{1,64})(?: on resource: \S{1,2048})?(?: (?:because no [\w-]{1,32} policy allows the [\w:]{1,128} action|with an explicit deny(?: in an? [\w-]{1,32} policy)?))?/;

const CODEBUILD_DENIAL = [
  // DOMAIN.md §7: CODEBUILD mode, the service principal itself is refused.
  /AWS CodeBuild is not authorized to perform:? ecr:[A-Za-z]{1,64}/,
  /User: CodeBuild is not authorized to perform:? ecr:[A-Za-z]{1,64}(?: on resource: \S{1,2048})?(?: (?:because no [\w-]{1,32} policy allows the [\w:]{1,128} action|with an explicit deny(?: in an? [\w-]{1,32} policy)?))?/,
  // Console output is often cut right after the principal.
  /denied: User: CodeBuild\b/,
  // Reported for eb deploy builds (DOMAIN.md §7), which pull in CODEBUILD mode.
  /Perhaps you need to login\?/,
];

// Hosts of ECR's registries (https://docs.aws.amazon.com/general/latest/gr/ecr.html), China included.
export const ECR_PUBLIC_HOST = /\bpublic\.ecr\.aws\b/;
export const ECR_HOST = /\b\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]{1,32}\.amazonaws\.com(?:\.cn)?\b/;

/**
 * Most specific first: several causes share words (an assumed-role denial also says "pull access
 * denied ... repository does not exist"; a rate limit can arrive as "error pulling image
 * configuration: toomanyrequests"), so the first rule that matches decides.
 */
export const RULES: readonly Rule[] = [
  {
    cause: 'logs-access-denied',
    match: anyOf(
      /(?:ACCESS_DENIED:\s{1,8})?Service role\s{1,8}\S{1,2048}\s{1,8}does not allow AWS CodeBuild to create Amazon CloudWatch Logs log streams(?:\s{1,8}for build\s{1,8}\S{1,2048})?/,
      /does not allow AWS CodeBuild to create Amazon CloudWatch Logs[^\n.]{0,200}/,
      /ACCESS_DENIED\b[^\n]{0,500}?CloudWatch Logs[^\n.]{0,200}/,
      /not authorized to perform:? logs:[A-Za-z]{1,64}(?: on resource: \S{1,2048})?/,
    ),
  },
  // CodeBuild refuses the project or build before any pull: its own validation messages (CodeBuild
  // API reference, ProjectEnvironment.imagePullCredentialsType and environment type notes).
  {
    cause: 'pull-mode-rejected',
    match: anyOf(
      /cannot use a CodeBuild curated image with imagePullCredentialsType SERVICE_ROLE/i,
      /cannot use a cross-account ECR image with imagePullCredentialsType CODEBUILD/i,
      /(?:[Ii]mage \S{1,512} )?is not supported for projects with environment type [A-Za-z0-9_]{1,64}/,
    ),
  },
  {
    cause: 'docker-hub-rate-limit',
    match: anyOf(
      /toomanyrequests: [^\n]{0,300}?(?:rate limit|Too Many Requests)\.?/i,
      /toomanyrequests\b/i,
      /You have reached your (?:unauthenticated )?pull rate limit/,
      /429 Too Many Requests/,
    ),
  },
  {
    cause: 'docker-daemon-unavailable',
    match: anyOf(/Cannot connect to the Docker daemon at [a-z]{1,8}:\/\/\/?[^\s?]{1,256}\. Is the docker daemon running\?/, /Cannot connect to the Docker daemon at [a-z]{1,8}:\/\/\/?[^\s?]{1,256}/, /Is the docker daemon running\?/),
  },
  {
    // AWS CLI v2 dropped `aws ecr get-login` (AWS CLI v2 migration guide, "Removed aws ecr get-login"):
    // the parser answers `aws: error: argument operation: Invalid choice, valid choices are:`.
    cause: 'ecr-get-login-removed',
    match: anyOf(/argument operation: Invalid choice, valid choices are:?/, /(?:argument (?:operation|command): )?Invalid choice(?:, valid choices are:?)?/),
    after: /\bget-login(?!-password)\b/,
  },
  {
    // CodeBuild's console often shows only the usage banner the parser prints before that line; a
    // rule of its own so that an "Invalid choice" line, when present, is the one quoted.
    cause: 'ecr-get-login-removed',
    match: anyOf(/usage: aws \[options\] <command> <subcommand> \[<subcommand> \.\.\.\] \[parameters\]/),
    after: /\bget-login(?!-password)\b/,
  },
  {
    cause: 'platform-mismatch',
    match: anyOf(
      /no matching manifest for [a-z0-9]{1,16}\/[a-z0-9_]{1,16}(?:\/[a-z0-9]{1,8})? in the manifest list entries/i,
      /no matching manifest for [a-z0-9]{1,16}\/[a-z0-9_]{1,16}(?:\/[a-z0-9]{1,8})?/i,
      /no match for platform in manifest/,
      /image operating system "[a-z]{1,16}" cannot be used on this platform/i,
      /exec format error/,
      /The requested image's platform \([^)\n]{1,64}\) does not match the detected host platform \([^)\n]{1,64}\)/,
    ),
  },
  {
    // Go's crypto/x509 wording, as Docker prints it for the registry it talks to.
    cause: 'registry-tls-error',
    match: anyOf(
      /x509: certificate (?:signed by unknown authority|has expired or is not yet valid(?:: [^\n]{0,200}?(?=$|"|\s{2}))?|is valid for \S{1,256}, not \S{1,256}|is not valid for any names[^\n]{0,200}?(?=$|"))/,
      /x509: [a-z][a-z ]{1,80}[a-z]/,
    ),
  },
  { cause: 'image-too-large', match: anyOf(/failed to register layer:[^\n]{0,500}?no space left on device/, /no space left on device/i) },
  { cause: 'invalid-image-reference', match: anyOf(/invalid reference format(?:: repository name must be lowercase)?/i) },
  // docker's answer when the config has no credentials for the registry (DOMAIN.md §6b): no login ran.
  { cause: 'registry-login-missing', match: anyOf(/no basic auth credentials/) },
  {
    cause: 'in-build-pull',
    match: anyOf(
      /when calling the GetAuthorizationToken operation: [^\n]{0,600}?ecr:GetAuthorizationToken(?: on resource: \S{1,2048})?/,
      /when calling the GetAuthorizationToken operation/,
      /Error while executing command: [^\n]{0,500}?(?:docker (?:pull|login)|ecr get-login)[^\n]{0,500}/i,
    ),
  },
  {
    cause: 'registry-credential-invalid',
    match: anyOf(
      /(?:unauthorized: )?incorrect username or password/i,
      /not authorized to perform:? secretsmanager:GetSecretValue(?: on resource: \S{1,2048})?/,
      /Secrets Manager can'?t find the specified secret/i,
    ),
  },
  {
    cause: 'layer-download-denied',
    match: (text) => {
      const config = /error pulling image configuration:[^\n]{0,1000}?ecr:GetDownloadUrlForLayer/.exec(text);
      if (config) return tidyEvidence(config[0]);
      const role = ROLE_DENIAL.exec(text);
      if (role?.[1] === 'ecr:GetDownloadUrlForLayer') return tidyEvidence(role[0]);
      return firstMatch(text, [/not authorized to perform:? ecr:GetDownloadUrlForLayer(?: on resource: \S{1,2048})?/]);
    },
  },
  { cause: 'role-explicit-deny', match: (text) => matchRole(text, true) },
  { cause: 'role-missing-permission', match: (text) => matchRole(text, false) },
  { cause: 'codebuild-not-trusted', match: anyOf(...CODEBUILD_DENIAL) },
  {
    cause: 'image-not-found',
    match: anyOf(
      /manifest for \S{1,1024} not found(?:: manifest unknown(?:: [^\n.]{0,200})?)?/,
      /manifest unknown(?:: [^\n.]{0,200})?/i,
      /Requested image not found/,
      /ImageNotFoundException[^\n.]{0,200}/,
    ),
  },
  {
    cause: 'repository-missing-or-denied',
    match: anyOf(
      /pull access denied for [^\s,]{1,1024},? (?:the )?repository does not exist or may require 'docker login'/,
      /pull access denied for \S{1,1024}/,
      /repository \S{1,1024} not found: does not exist or no pull access/,
      /does not exist or no pull access/,
      /RepositoryNotFoundException[^\n.]{0,200}/,
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
    .replace(/CLIENT_ERROR|Error response from daemon|ErrorCode: \d{1,6}|Reason|[\s.:,[\]]/g, '');
  return rest === '';
}
