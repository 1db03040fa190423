/** Wildcard matching for the Action, Resource and ARN-valued parts of a policy. */

const cache = new Map<string, RegExp>();

/** `*` = any run of characters (colons and slashes included), `?` = exactly one character. */
export function globToRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const cacheKey = `${ignoreCase ? 'i' : 's'}:${pattern}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  let body = '';
  for (const ch of pattern) {
    if (ch === '*') body += '[\\s\\S]*';
    else if (ch === '?') body += '[\\s\\S]';
    else body += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const re = new RegExp(`^${body}$`, ignoreCase ? 'iu' : 'u');
  if (cache.size > 5000) cache.clear();
  cache.set(cacheKey, re);
  return re;
}

export function matchesGlob(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  return globToRegExp(pattern, ignoreCase).test(value);
}

/** Action names are case-insensitive (IAM User Guide, "IAM JSON policy elements: Action"). */
export function matchesAction(pattern: string, action: string): boolean {
  return matchesGlob(pattern, action, true);
}

/** Resource ARNs are case-sensitive (IAM User Guide, "IAM JSON policy elements: Resource"). */
export function matchesResource(pattern: string, resource: string): boolean {
  return matchesGlob(pattern, resource, false);
}

/**
 * Splits an ARN into its six colon-delimited components; the last keeps any further colons.
 * Undefined when the text has fewer than six components or does not start with "arn".
 */
export function splitArn(arn: string): [string, string, string, string, string, string] | undefined {
  const parts: string[] = [];
  let rest = arn;
  for (let i = 0; i < 5; i++) {
    const at = rest.indexOf(':');
    if (at < 0) return undefined;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  const [a, b, c, d, e] = parts as [string, string, string, string, string];
  return [a, b, c, d, e, rest];
}

/**
 * ArnEquals and ArnLike behave the same: "Each of the six colon-delimited components of the
 * ARN is checked separately and each can include multi-character match wildcards (*) or
 * single-character match wildcards (?)" (IAM User Guide, condition operators, ARN). A pattern
 * or a value that is not a six-part ARN therefore never matches, even the pattern "*".
 */
export function matchesArnPattern(pattern: string, value: string): boolean {
  const p = splitArn(pattern);
  const v = splitArn(value);
  if (!p || !v) return false;
  if (v[0] !== 'arn') return false;
  for (let i = 0; i < 6; i++) {
    if (!matchesGlob(p[i] as string, v[i] as string, false)) return false;
  }
  return true;
}

export function partitionOf(arn: string): string {
  return splitArn(arn)?.[1] || 'aws';
}

export function accountOf(arn: string): string | undefined {
  const acct = splitArn(arn)?.[4];
  return acct && /^\d{12}$/.test(acct) ? acct : undefined;
}
