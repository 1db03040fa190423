/**
 * Whether a repository path is a pull-through cache path, decided from the registry's real rules
 * (never from the name). ECR User Guide, "Customizing repository prefixes for ECR to ECR pull
 * through cache" and ECR API Reference, "CreateRepositoryCreationTemplate" (prefix): a prefix
 * `prod` covers every repository beginning with `prod/` ("there is always an assumed / applied to
 * the end of the prefix"), a prefix may have several segments (`prod/team`), and `ROOT` covers
 * every repository that no other rule (template) covers. The guide does not say which of two
 * nested prefixes wins; we take the longest, the only reading under which both can exist.
 */
import type { CreationTemplate, Facts, PullThroughRule } from '../model/facts.js';
import { registryKey } from '../model/facts.js';

export const ROOT_PREFIX = 'ROOT';

function matchPrefix<T extends { prefix: string }>(path: string, items: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const item of items) {
    if (item.prefix === ROOT_PREFIX) continue;
    if (path.startsWith(`${item.prefix}/`) && (!best || item.prefix.length > best.prefix.length)) best = item;
  }
  return best ?? items.find((i) => i.prefix === ROOT_PREFIX);
}

/** The rule that makes `path` a cache path, or undefined. */
export function matchPullThroughRule(path: string, rules: readonly PullThroughRule[]): PullThroughRule | undefined {
  return matchPrefix(path, rules);
}

/**
 * The creation template ECR applies when a pull-through cache creates `path`: only templates
 * applied for PULL_THROUGH_CACHE (API Reference, "RepositoryCreationTemplate", appliedFor), the
 * longest prefix, else the ROOT (default) template.
 */
export function matchCreationTemplate(path: string, templates: readonly CreationTemplate[]): CreationTemplate | undefined {
  return matchPrefix(path, templates.filter((t) => t.appliedFor.includes('PULL_THROUGH_CACHE')));
}

export type CacheStatus =
  | { kind: 'cache'; rule: PullThroughRule }
  | { kind: 'not-cache' }
  /** The rules could not be read: say so, naming the read, never "not a cache path". */
  | { kind: 'unknown'; reason: string; permission?: string };

export function cacheStatusOf(facts: Facts, image: { account: string; region: string; repository: string }): CacheStatus {
  const rules = facts.registries?.[registryKey(image.account, image.region)]?.pullThroughRules;
  if (!rules) return { kind: 'unknown', reason: 'the pull-through cache rules were not read', permission: 'ecr:DescribePullThroughCacheRules' };
  if (rules.state === 'unreadable') return { kind: 'unknown', reason: rules.reason, ...(rules.permission ? { permission: rules.permission } : {}) };
  const rule = rules.state === 'present' ? matchPullThroughRule(image.repository, rules.value) : undefined;
  return rule ? { kind: 'cache', rule } : { kind: 'not-cache' };
}
