import { IncompleteError } from '../../model/errors.js';
import type { Fact } from '../../model/fact.js';
import { unreadable } from '../../model/fact.js';

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess', 'UnrecognizedClientException']);
const CREDENTIALS = new Set(['CredentialsProviderError', 'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'InvalidSignatureException']);
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'TimeoutError', 'EHOSTUNREACH']);
const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded']);

export function errorName(e: unknown): string {
  if (typeof e !== 'object' || e === null) return String(e);
  const o = e as { name?: string; code?: string; Code?: string };
  return o.code && NETWORK.has(o.code) ? o.code : (o.name ?? o.Code ?? o.code ?? 'Error');
}

/** The AWS message without anything that might quote a credential. */
function safeMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/(AKIA|ASIA)[A-Z0-9]{12,}/g, '<access key>').split('\n')[0]!.slice(0, 300);
}

/**
 * Errors that stop the whole run (exit 3): no credentials, an unknown region, no network.
 * Everything else about one read becomes an `unreadable` fact instead.
 */
export function asFatal(e: unknown): IncompleteError | undefined {
  const name = errorName(e);
  const message = safeMessage(e);
  if (CREDENTIALS.has(name) || /Could not load credentials|credential/i.test(message) && name !== 'AccessDeniedException') {
    return new IncompleteError(`no usable AWS credentials: ${message}`, 'configure credentials (aws configure, AWS_PROFILE, or --profile) and try again');
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
  const fatal = asFatal(e);
  if (fatal) throw fatal;
  const name = errorName(e);
  // A 403 whose body the SDK could not parse (seen from proxies and emulators) is still a denial.
  const status = (e as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  if (ACCESS_DENIED.has(name) || status === 403) return unreadable(`AccessDenied on ${permission}`, permission);
  if (THROTTLING.has(name)) return unreadable(`throttled on ${permission} after retries`, permission);
  return unreadable(`${name} on ${permission}: ${safeMessage(e)}`, permission);
}

export function isNamed(e: unknown, ...names: string[]): boolean {
  return names.includes(errorName(e));
}
