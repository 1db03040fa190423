import { IncompleteError, UsageError } from '../../model/errors.js';
import type { Fact } from '../../model/fact.js';
import { unreadable } from '../../model/fact.js';
import { scrubSecrets } from '../../model/safe-text.js';
import { DeadlineError } from './deadline.js';

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess']);
/** The SDK could not find credentials at all (it names these errors; the message varies). */
const CREDENTIALS_MISSING = new Set(['CredentialsProviderError', 'TokenProviderError']);
/**
 * AWS refused the credentials themselves. UnrecognizedClientException is what the JSON-protocol
 * services (ECR, CodeBuild) answer for an unknown access key or a bad session token; the query
 * services (STS, IAM) say InvalidClientTokenId.
 */
const CREDENTIALS_REJECTED = new Set(['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch', 'InvalidSignatureException', 'InvalidAccessKeyId']);
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'TimeoutError', 'EHOSTUNREACH']);
const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded']);

/** Set on SDK errors by the middleware in clients.ts: which call failed, as "ecr:DescribeImages". */
export const OPERATION = Symbol.for('ecr-doctor.operation');

/** `process`: a credential_process ran and failed, which is not a missing profile. */
export type CredentialsProblem = 'missing' | 'rejected' | 'process';

/** No usable credentials (exit 3); the CLI rewrites the message when it knows which profile was used. */
export class CredentialsError extends IncompleteError {
  constructor(
    message: string,
    hint: string,
    readonly problem: CredentialsProblem,
    readonly detail: string,
  ) {
    super(message, hint);
  }
}

export function errorName(e: unknown): string {
  if (typeof e !== 'object' || e === null) return String(e);
  const o = e as { name?: string; code?: string; Code?: string };
  return o.code && NETWORK.has(o.code) ? o.code : (o.name ?? o.Code ?? o.code ?? 'Error');
}

function httpStatus(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/** "ecr:DescribeImages" for an SDK error from our clients, else the fallback. */
export function operationOf(e: unknown, fallback?: string): string | undefined {
  const tagged = typeof e === 'object' && e !== null ? (e as Record<symbol, unknown>)[OPERATION] : undefined;
  return typeof tagged === 'string' ? tagged : fallback;
}

/** The AWS message without anything that might quote a credential (the run's keys are registered). */
function safeMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return scrubSecrets(text).split('\n')[0]!.slice(0, 300);
}

/**
 * A body the SDK could not read as an AWS response: JSON services throw a SyntaxError, query
 * services an "XML parse error", and a body without an error code comes back as "Unknown".
 * That is a proxy, a captive portal or a wrong --endpoint-url answering, not AWS. A 403 is left
 * out: proxies and emulators send denials that way, and those are denials (unreadableFrom).
 */
export function isNotAwsResponse(e: unknown): boolean {
  const status = httpStatus(e);
  if (status === undefined || status === 403) return false;
  const name = errorName(e);
  return name === 'SyntaxError' || name === 'Unknown' || (name === 'Error' && /^@aws-sdk XML parse error/.test(safeMessage(e)));
}

function credentialsError(e: unknown): CredentialsError | undefined {
  const name = errorName(e);
  const message = safeMessage(e);
  // Only the SDK's names and its own "Could not load credentials" text: an AWS message that
  // merely mentions a credential (an IAM policy error, say) is not a credentials problem.
  if (CREDENTIALS_MISSING.has(name) || message.startsWith('Could not load credentials')) {
    return new CredentialsError(`no usable AWS credentials: ${message}`, 'configure credentials (aws configure, AWS_PROFILE, or --profile) and try again', 'missing', message);
  }
  if (CREDENTIALS_REJECTED.has(name)) {
    const detail = `${name}: ${message}`;
    return new CredentialsError(`AWS rejected the credentials: ${detail}`, 'check the access key, secret and session token (expired? from another partition?), or choose other credentials with --profile or AWS_PROFILE', 'rejected', detail);
  }
  return undefined;
}

/**
 * Errors that stop the whole run (exit 3): no or rejected credentials, an unknown region, no
 * network, an endpoint that does not answer like AWS. Everything else about one read becomes
 * an `unreadable` fact instead.
 */
export function asFatal(e: unknown, permission?: string): IncompleteError | undefined {
  if (e instanceof DeadlineError) return e;
  if (e instanceof UsageError || e instanceof IncompleteError) return e;
  const credentials = credentialsError(e);
  if (credentials) return credentials;
  const name = errorName(e);
  const message = safeMessage(e);
  if (isNotAwsResponse(e)) {
    const where = operationOf(e, permission) ?? 'AWS';
    return new IncompleteError(
      `the endpoint did not return an AWS response (HTTP ${httpStatus(e)} from ${where})`,
      'check --endpoint-url and AWS_ENDPOINT_URL, --region, and any HTTP(S)_PROXY between you and AWS',
    );
  }
  if (/Region is missing|region/i.test(message) && name === 'Error') {
    return new IncompleteError('the AWS region is not known', 'pass --region or set AWS_REGION');
  }
  if (name === 'TimeoutError') {
    // node-http-handler's per-attempt limits (clients.ts): "Connection timed out after 5000 ms",
    // "requestTimeout of 10000ms exceeded"; the SDK retried before giving up.
    const ms = /(\d+)\s*ms/.exec(message)?.[1];
    const within = ms ? ` within ${Number(ms) / 1000} s` : '';
    return new IncompleteError(`${operationOf(e, permission) ?? 'AWS'} did not answer${within} (each retry too)`, 'check the network, any proxy and --endpoint-url; --timeout SECONDS bounds the whole run');
  }
  if (isInvalidUrl(e)) {
    return new UsageError('invalid endpoint URL in the AWS configuration (endpoint_url in the profile or its services section)', 'fix endpoint_url in the AWS config file, or pass --endpoint-url');
  }
  if (NETWORK.has(name)) {
    return new IncompleteError(`cannot reach AWS: ${name} ${message}`, 'check the network, proxy settings or --endpoint-url');
  }
  return undefined;
}

/** Node's URL parser refusing a configured endpoint (the SDK passes endpoint_url to `new URL`). */
function isInvalidUrl(e: unknown): boolean {
  return typeof e === 'object' && e !== null && ((e as { code?: string }).code === 'ERR_INVALID_URL' || (errorName(e) === 'TypeError' && /Invalid URL/.test(safeMessage(e))));
}

/**
 * A failed read as a fact. Only a denial names the permission the doctor needed ("needs
 * ecr:GetRepositoryPolicy"); a throttle, a TypeError or a parse failure is not a permission
 * problem, so its reason names the call and the fact carries no permission.
 */
export function unreadableFrom<T>(e: unknown, permission: string): Fact<T> {
  const fatal = asFatal(e, permission);
  if (fatal) throw fatal;
  const name = errorName(e);
  // A 403 whose body the SDK could not parse (seen from proxies and emulators) is still a denial.
  if (ACCESS_DENIED.has(name) || httpStatus(e) === 403) return unreadable(`AccessDenied on ${permission}`, permission);
  if (THROTTLING.has(name)) return unreadable(`throttled on ${permission} after retries`);
  return unreadable(`${name} on ${permission}: ${safeMessage(e)}`);
}

export function isNamed(e: unknown, ...names: string[]): boolean {
  return names.includes(errorName(e));
}
