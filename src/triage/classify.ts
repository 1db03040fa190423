import type { BuildInfo, BuildPhase } from '../model/facts.js';
import { describeCause, type PullCause } from './causes.js';
import { ARN_REPOSITORY, parseDetails, parseImage, repositoryOf, type PullDetails } from './details.js';
import { RULES, UMBRELLA, isUmbrellaOnly } from './rules.js';
import { MAX_LINE_CHARS, pullBefore, scanLines, type Scan, type ScannedLine } from './scan.js';
import { nextStepFor, summarise, type NextStepTarget } from './wording.js';

export { describeCause, PULL_CAUSES } from './causes.js';
export type { PullCause, CauseDescription } from './causes.js';

export interface Classification {
  cause: PullCause;
  isEcrGrantProblem: boolean;
  /** The part of the message that decided it, quoted verbatim. */
  evidence?: string;
  /** Parsed details where the message carries them. */
  details: PullDetails;
  /** One sentence: what it means. */
  summary: string;
  /** What to do or run next. */
  nextStep: string;
  /** Present when some lines were longer than scan.ts reads; only their beginning was classified. */
  truncated?: { lines: number; maxLineChars: number };
}

export interface PullFailure {
  phase: string;
  statusCode?: string;
  message: string;
  classification: Classification;
}

/** Classifies the text of a failed pull (console output, a whole build log or a phase context); pure. */
export function classifyPullMessage(text: string): Classification {
  return classifyWith(text, {});
}

interface Hit {
  cause: PullCause;
  evidence: string;
  line: ScannedLine;
}

/** Rules in order, lines in order: the first rule that matches any line decides (rules.ts). */
function findHit(scan: Scan): Hit | undefined {
  for (const rule of RULES) {
    // Where the rule's precondition first holds, found once per rule (once per line, it would be quadratic).
    const after = rule.after;
    const from = after ? scan.lines.find((l) => after.test(l.text))?.index : 0;
    if (from === undefined) continue;
    for (const line of scan.errorLines) {
      if (line.index < from) continue;
      const evidence = rule.match(line.text);
      if (evidence !== undefined) return { cause: rule.cause, evidence, line };
    }
  }
  return undefined;
}

// isUmbrellaOnly reads the whole text; past this size a paste is a log, never the umbrella alone.
const UMBRELLA_ONLY_MAX = 65_536;

// ECR denials behind a pull the buildspec ran: the build image was pulled, the project's pull
// settings are not involved, the login and the service role are (DOMAIN.md §6b).
const DENIED_IN_BUILD = new Set<PullCause>([
  'codebuild-not-trusted',
  'role-missing-permission',
  'role-explicit-deny',
  'layer-download-denied',
  'repository-missing-or-denied',
]);

function classifyWith(text: string, target: NextStepTarget, context: { inBuild?: boolean } = {}): Classification {
  const scan = scanLines(text);
  const seen = scan.errorLines.map((l) => l.text).join('\n');
  const hit = findHit(scan);
  const details = detailsOf(scan, seen, hit, context.inBuild);
  const umbrellaLine = scan.errorLines.find((l) => UMBRELLA.test(l.text));
  const umbrella = umbrellaLine ? UMBRELLA.exec(umbrellaLine.text)?.[0] : undefined;
  const truncated = scan.truncatedLines > 0 ? { lines: scan.truncatedLines, maxLineChars: MAX_LINE_CHARS } : undefined;
  const summaryText = hit ? hit.line.text : seen;
  if (hit) {
    const found: Classification = {
      cause: hit.cause,
      isEcrGrantProblem: describeCause(hit.cause).isEcrGrantProblem,
      evidence: hit.evidence,
      details,
      summary: summarise(hit.cause, details, summaryText, umbrella !== undefined),
      nextStep: nextStepFor(hit.cause, details, target, hit.line.text),
    };
    if (truncated) found.truncated = truncated;
    return details.inBuild && DENIED_IN_BUILD.has(hit.cause) && context.inBuild === undefined ? asInBuildPull(found, target) : found;
  }
  const umbrellaOnly = text.length <= UMBRELLA_ONLY_MAX && isUmbrellaOnly(text);
  const unknown: Classification = {
    cause: 'unknown',
    isEcrGrantProblem: false,
    details,
    summary: summarise('unknown', details, umbrellaOnly ? '' : seen, umbrella !== undefined),
    nextStep: nextStepFor('unknown', details, target),
  };
  if (umbrella !== undefined) unknown.evidence = umbrella;
  if (truncated) unknown.truncated = truncated;
  return unknown;
}

/**
 * Details from the deciding line first, then from the rest of what was read; the image is the one
 * the error line names, else the pull started nearest before it (`Step N/M : FROM x`, BuildKit's
 * `load metadata for x`, `docker pull x`), else any the text names.
 */
function detailsOf(scan: Scan, seen: string, hit: Hit | undefined, inBuildHint: boolean | undefined): PullDetails {
  const details: PullDetails = hit ? { ...parseDetails(seen), ...parseDetails(hit.line.text) } : parseDetails(seen);
  const lineImage = hit ? parseImage(hit.line.text) : undefined;
  const pull = hit ? pullBefore(scan, hit.line.index) : scan.pulls[scan.pulls.length - 1];
  const image = lineImage ?? pull?.image ?? details.image;
  if (image !== undefined && image !== details.image) {
    details.image = image;
    // A repository ARN on the deciding line names the repository exactly; else the image's path.
    details.repository = (hit ? ARN_REPOSITORY.exec(hit.line.text)?.[1] : undefined) ?? repositoryOf(image);
  }
  const onUmbrella = hit !== undefined && UMBRELLA.test(hit.line.text);
  const markerBefore = scan.firstInBuildLine !== undefined && (!hit || scan.firstInBuildLine <= hit.line.index);
  const inBuild = inBuildHint ?? (!onUmbrella && (pull !== undefined || markerBefore));
  if (inBuild) details.inBuild = true;
  const pullLine = pull && inBuild ? scan.lines.find((l) => l.index === pull.line)?.text.trim().slice(0, 300) : undefined;
  if (pullLine) details.pullLine = pullLine;
  return details;
}

// Causes that, seen after PROVISIONING, can only come from a pull the buildspec ran: the build
// image was already pulled, so the project's pull settings are not involved.
const IN_BUILD_EQUIVALENT = new Set<PullCause>([
  'codebuild-not-trusted',
  'role-missing-permission',
  'role-explicit-deny',
  'layer-download-denied',
  'repository-missing-or-denied',
  'image-not-found',
  'registry-credential-invalid',
  'invalid-image-reference',
]);
const REPORTED_AFTER_PROVISIONING = new Set<PullCause>([
  'in-build-pull',
  'docker-hub-rate-limit',
  'logs-access-denied',
  'docker-daemon-unavailable',
  'registry-login-missing',
  'ecr-get-login-removed',
  'platform-mismatch',
  'registry-tls-error',
]);

const PASSED = new Set(['SUCCEEDED', 'IN_PROGRESS']);

function hasFailed(phase: BuildPhase): boolean {
  return phase.phaseStatus !== undefined && !PASSED.has(phase.phaseStatus);
}

/** The phase context text as the console shows it: "<statusCode>: <message>". */
function contextText(statusCode: string | undefined, message: string): string {
  if (!statusCode || message.startsWith(statusCode)) return message;
  return message === '' ? statusCode : `${statusCode}: ${message}`;
}

/**
 * Finds the phase context that says why a build failed on an image. PROVISIONING is read first
 * (where the build image is pulled; older records say CLIENT_ERROR in phaseStatus), then the later
 * phases for pulls the buildspec ran. Undefined when the build did not fail on an image.
 */
export function findPullFailure(build: BuildInfo): PullFailure | undefined {
  if (build.buildStatus === 'SUCCEEDED') return undefined;
  const target: NextStepTarget = { buildId: build.id };
  const provisioning = build.phases.filter((p) => p.phaseType === 'PROVISIONING');
  const later = build.phases.filter((p) => p.phaseType !== 'PROVISIONING');

  for (const phase of provisioning) {
    for (const context of phase.contexts) {
      const message = context.message ?? '';
      const text = contextText(context.statusCode, message);
      if (text.trim() === '') continue;
      const classification = classifyWith(text, target, { inBuild: false });
      // An unrecognised text still counts when it is CodeBuild's pull umbrella: the build did fail
      // on its image, we just cannot say why from the words.
      if (classification.cause === 'unknown' && !(hasFailed(phase) && classification.evidence !== undefined)) continue;
      return withStatus({ phase: phase.phaseType, message, classification }, context.statusCode);
    }
  }

  for (const phase of later) {
    if (!hasFailed(phase)) continue;
    for (const context of phase.contexts) {
      const message = context.message ?? '';
      const text = contextText(context.statusCode, message);
      if (text.trim() === '') continue;
      const classification = classifyWith(text, target, { inBuild: true });
      if (REPORTED_AFTER_PROVISIONING.has(classification.cause)) {
        return withStatus({ phase: phase.phaseType, message, classification }, context.statusCode);
      }
      if (IN_BUILD_EQUIVALENT.has(classification.cause)) {
        const inBuild = asInBuildPull(classification, target);
        return withStatus({ phase: phase.phaseType, message, classification: inBuild }, context.statusCode);
      }
    }
  }
  return undefined;
}

function withStatus(failure: PullFailure, statusCode: string | undefined): PullFailure {
  if (statusCode) failure.statusCode = statusCode;
  return failure;
}

function asInBuildPull(original: Classification, target: NextStepTarget): Classification {
  const reclassified: Classification = {
    cause: 'in-build-pull',
    isEcrGrantProblem: false,
    details: original.details,
    summary: `A pull run by the buildspec failed (${describeCause(original.cause).title.toLowerCase()}); the build image itself was pulled. ${original.summary}`,
    nextStep: nextStepFor('in-build-pull', original.details, target),
  };
  if (original.evidence !== undefined) reclassified.evidence = original.evidence;
  if (original.truncated !== undefined) reclassified.truncated = original.truncated;
  return reclassified;
}
