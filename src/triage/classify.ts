import type { BuildInfo, BuildPhase } from '../model/facts.js';
import { describeCause, type PullCause } from './causes.js';
import { RULES, UMBRELLA, parseDetails, type PullDetails } from './rules.js';
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
}

export interface PullFailure {
  phase: string;
  statusCode?: string;
  message: string;
  classification: Classification;
}

/** Classifies the text of a failed pull (console output or a phase context); pure. */
export function classifyPullMessage(text: string): Classification {
  return classifyWith(text, {});
}

function classifyWith(text: string, target: NextStepTarget): Classification {
  const details = parseDetails(text);
  const umbrella = UMBRELLA.exec(text)?.[0];
  for (const rule of RULES) {
    const evidence = rule.match(text);
    if (evidence === undefined) continue;
    return {
      cause: rule.cause,
      isEcrGrantProblem: describeCause(rule.cause).isEcrGrantProblem,
      evidence,
      details,
      summary: summarise(rule.cause, details, text, umbrella !== undefined),
      nextStep: nextStepFor(rule.cause, details, target),
    };
  }
  const unknown: Classification = {
    cause: 'unknown',
    isEcrGrantProblem: false,
    details,
    summary: summarise('unknown', details, text, umbrella !== undefined),
    nextStep: nextStepFor('unknown', details, target),
  };
  if (umbrella !== undefined) unknown.evidence = umbrella;
  return unknown;
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
const REPORTED_AFTER_PROVISIONING = new Set<PullCause>(['in-build-pull', 'docker-hub-rate-limit', 'logs-access-denied']);

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
      const classification = classifyWith(text, target);
      // An unrecognised text still counts when it is CodeBuild's pull umbrella: the build did fail
      // on its image, we just cannot say why from the words.
      if (classification.cause === 'unknown' && !(hasFailed(phase) && UMBRELLA.test(text))) continue;
      return withStatus({ phase: phase.phaseType, message, classification }, context.statusCode);
    }
  }

  for (const phase of later) {
    if (!hasFailed(phase)) continue;
    for (const context of phase.contexts) {
      const message = context.message ?? '';
      const text = contextText(context.statusCode, message);
      if (text.trim() === '') continue;
      const classification = classifyWith(text, target);
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
  return reclassified;
}
