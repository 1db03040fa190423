import { IncompleteError } from '../../model/errors.js';
import type { Fact } from '../../model/fact.js';
import { unreadable } from '../../model/fact.js';

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

export type CredentialsProblem = 'missing' | 'rejected';

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

/** The AWS message without anything that might quote a credential. */
function safeMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/(AKIA|ASIA)[A-Z0-9]{12,}/g, '<access key>').split('\n')[0]!.slice(0, 300);
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
  if (NETWORK.has(name)) {
    return new IncompleteError(`cannot reach AWS: ${name} ${message}`, 'check the network, proxy settings or --endpoint-url');
  }
  return undefined;
}

/** A failed read as a fact: AccessDenied names the permission the doctor needed. */
export function unreadableFrom<T>(e: unknown, permission: string): Fact<T> {
  const fatal = asFatal(e, permission);
  if (fatal) throw fatal;
  const name = errorName(e);
  // A 403 whose body the SDK could not parse (seen from proxies and emulators) is still a denial.
  if (ACCESS_DENIED.has(name) || httpStatus(e) === 403) return unreadable(`AccessDenied on ${permission}`, permission);
  if (THROTTLING.has(name)) return unreadable(`throttled on ${permission} after retries`, permission);
  return unreadable(`${name} on ${permission}: ${safeMessage(e)}`, permission);
}

export function isNamed(e: unknown, ...names: string[]): boolean {
  return names.includes(errorName(e));
}
