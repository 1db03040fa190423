/**
 * A local, pure evaluator of ECR lifecycle policies: when will a given image be expired?
 *
 * Semantics from the Amazon ECR User Guide, "Lifecycle policies" → "Lifecycle policy properties"
 * and "Lifecycle policy evaluation rules" (docs.aws.amazon.com/AmazonECR/latest/userguide/
 * lifecycle_policy_parameters.html, LifecyclePolicies.html):
 * - rules are evaluated by `rulePriority`, lowest first;
 * - "An image that matches the tagging requirements of a rule cannot be expired by a rule with
 *   a lower priority": the first rule whose selection matches the image is the only one that can
 *   expire it;
 * - "Rules can never mark images that are marked by higher priority rules, but can still identify
 *   them as if they haven't been expired": a rule counts every image its selection matches;
 * - `tagPrefixList` / `tagPatternList`: "If you specify multiple tags, only the images with all
 *   specified tags are selected" (each prefix / pattern must match one of the image's tags; `*`
 *   is the wildcard of a pattern);
 * - `imageCountMoreThan` keeps the newest N images by push time and expires the older ones
 *   ("Expiration is always ordered by pushed_at_time"); `sinceImagePushed` expires images pushed
 *   more than `countNumber` `countUnit` (days) ago.
 * Count types this evaluator cannot decide from push dates (`sinceImagePulled`,
 * `sinceImageTransitioned`) give "undecided", never "never".
 */

export interface LifecycleSelection {
  tagStatus: 'tagged' | 'untagged' | 'any';
  tagPrefixList?: string[];
  tagPatternList?: string[];
  storageClass?: string;
  countType: string;
  countUnit?: string;
  countNumber: number;
}

export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: LifecycleSelection;
  action: { type: string };
}

/** One image of the repository as the evaluator needs it. */
export interface LifecycleImage {
  digest: string;
  tags: readonly string[];
  pushedAt?: string;
  status?: string;
}

export interface RuleRef {
  priority: number;
  description?: string;
  /** 'expire' deletes; 'transition' moves to the archive storage class (not pullable until restored). */
  action: string;
}

export type ExpiryOutlook =
  | { kind: 'eligible'; rule: RuleRef; reason: string }
  | { kind: 'after-pushes'; rule: RuleRef; pushes: number }
  | { kind: 'on-date'; rule: RuleRef; date: string }
  | { kind: 'never' }
  | { kind: 'undecided'; rule: RuleRef; reason: string };

export type ParsedPolicy = { ok: true; rules: LifecycleRule[] } | { ok: false; reason: string };

const DAY_MS = 86_400_000;

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

/** Parses the lifecycle policy text GetLifecyclePolicy returns; a rule it cannot read makes the whole policy unreadable (never a guess). */
export function parseLifecyclePolicy(text: string): ParsedPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the lifecycle policy is not valid JSON' };
  }
  const rules = (doc as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) return { ok: false, reason: 'the lifecycle policy has no "rules" list' };
  const out: LifecycleRule[] = [];
  for (const raw of rules as unknown[]) {
    const r = raw as Record<string, unknown> | null;
    const sel = r?.selection as Record<string, unknown> | undefined;
    const action = r?.action as Record<string, unknown> | undefined;
    if (!r || typeof r.rulePriority !== 'number' || !sel || !action || typeof action.type !== 'string') return { ok: false, reason: 'a lifecycle rule lacks rulePriority, selection or action' };
    const tagStatus = sel.tagStatus;
    if (tagStatus !== 'tagged' && tagStatus !== 'untagged' && tagStatus !== 'any') return { ok: false, reason: `rule ${r.rulePriority} has an unknown tagStatus` };
    if (typeof sel.countType !== 'string' || typeof sel.countNumber !== 'number') return { ok: false, reason: `rule ${r.rulePriority} lacks countType or countNumber` };
    if ((sel.tagPrefixList !== undefined && !isStringList(sel.tagPrefixList)) || (sel.tagPatternList !== undefined && !isStringList(sel.tagPatternList))) {
      return { ok: false, reason: `rule ${r.rulePriority} has a malformed tag list` };
    }
    out.push({
      rulePriority: r.rulePriority,
      ...(typeof r.description === 'string' ? { description: r.description } : {}),
      selection: {
        tagStatus,
        ...(sel.tagPrefixList ? { tagPrefixList: sel.tagPrefixList as string[] } : {}),
        ...(sel.tagPatternList ? { tagPatternList: sel.tagPatternList as string[] } : {}),
        ...(typeof sel.storageClass === 'string' ? { storageClass: sel.storageClass } : {}),
        countType: sel.countType,
        ...(typeof sel.countUnit === 'string' ? { countUnit: sel.countUnit } : {}),
        countNumber: sel.countNumber,
      },
      action: { type: action.type },
    });
  }
  return { ok: true, rules: out.sort((a, b) => a.rulePriority - b.rulePriority) };
}

/** A tagPatternList entry: `*` matches any run of characters, the rest literally, whole tag. */
export function matchesTagPattern(pattern: string, tag: string): boolean {
  const parts = pattern.split('*');
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (parts.length === 1) return tag === pattern;
  if (!tag.startsWith(first) || tag.length < first.length + last.length || !tag.endsWith(last)) return false;
  let at = first.length;
  const end = tag.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = tag.indexOf(middle, at);
    if (found < 0 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}

/** Archived images are the `archive` storage class; a rule selects `standard` unless it says otherwise. */
function storageClassOf(image: LifecycleImage): string {
  return image.status === 'ARCHIVED' || image.status === 'ACTIVATING' ? 'archive' : 'standard';
}

export function selectsImage(rule: LifecycleRule, image: LifecycleImage): boolean {
  const sel = rule.selection;
  if ((sel.storageClass ?? 'standard') !== storageClassOf(image)) return false;
  if (sel.tagStatus === 'untagged') return image.tags.length === 0;
  if (sel.tagStatus === 'any') return true;
  if (image.tags.length === 0) return false;
  // All listed prefixes (patterns) must each match one of the image's tags (AND, per the guide).
  if (sel.tagPrefixList && !sel.tagPrefixList.every((p) => image.tags.some((t) => t.startsWith(p)))) return false;
  if (sel.tagPatternList && !sel.tagPatternList.every((p) => image.tags.some((t) => matchesTagPattern(p, t)))) return false;
  return true;
}

function refOf(rule: LifecycleRule): RuleRef {
  return { priority: rule.rulePriority, ...(rule.description ? { description: rule.description } : {}), action: rule.action.type };
}

function pushedMs(image: LifecycleImage): number | undefined {
  const ms = image.pushedAt ? Date.parse(image.pushedAt) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

/** When, under the policy's rules, the image `target` (one of `images`, by digest) will be expired. */
export function evaluateExpiry(rules: readonly LifecycleRule[], images: readonly LifecycleImage[], target: LifecycleImage, now: Date): ExpiryOutlook {
  const ordered = [...rules].sort((a, b) => a.rulePriority - b.rulePriority);
  const rule = ordered.find((r) => selectsImage(r, target));
  if (!rule) return { kind: 'never' };
  const ref = refOf(rule);
  const sel = rule.selection;
  if (sel.countType === 'imageCountMoreThan') {
    const mine = pushedMs(target);
    if (mine === undefined) return { kind: 'undecided', rule: ref, reason: 'the image has no push date' };
    // Images the rule identifies, the target included even when listed without it; ties count as newer (conservative).
    const others = images.filter((i) => i.digest !== target.digest && selectsImage(rule, i));
    if (others.some((i) => pushedMs(i) === undefined)) return { kind: 'undecided', rule: ref, reason: 'an image the rule selects has no push date' };
    const newer = others.filter((i) => (pushedMs(i) ?? 0) >= mine).length;
    if (newer >= sel.countNumber) return { kind: 'eligible', rule: ref, reason: `${newer} newer image${newer === 1 ? '' : 's'} match the rule, which keeps ${sel.countNumber}` };
    return { kind: 'after-pushes', rule: ref, pushes: sel.countNumber - newer };
  }
  if (sel.countType === 'sinceImagePushed') {
    if ((sel.countUnit ?? 'days') !== 'days') return { kind: 'undecided', rule: ref, reason: `countUnit ${sel.countUnit} is not days` };
    const mine = pushedMs(target);
    if (mine === undefined) return { kind: 'undecided', rule: ref, reason: 'the image has no push date' };
    const due = mine + sel.countNumber * DAY_MS;
    const date = new Date(due).toISOString();
    if (now.getTime() >= due) return { kind: 'eligible', rule: ref, reason: `it was pushed more than ${sel.countNumber} day${sel.countNumber === 1 ? '' : 's'} ago (${target.pushedAt})` };
    return { kind: 'on-date', rule: ref, date };
  }
  return { kind: 'undecided', rule: ref, reason: `countType ${sel.countType} needs facts this evaluator does not read` };
}
