import type { ExpiryOutlook, LifecycleImage, RuleRef } from '../ecr/lifecycle.js';
import type { LifecycleRule } from '../ecr/lifecycle.js';
import { evaluateExpiry, parseLifecyclePolicy, selectsImage } from '../ecr/lifecycle.js';
import { DEPLOY_TIME_TAG } from '../sources/iac/assemble-facts.js';
import type { Check } from './check.js';
import { resultsFor, unreadableMessage } from './check.js';
import type { Result } from '../model/result.js';

function ruleName(rule: RuleRef): string {
  return `rule ${rule.priority}${rule.description ? ` '${rule.description}'` : ''}`;
}

function verbOf(rule: RuleRef): string {
  // action "transition" moves the image to the archive storage class: not pullable until restored.
  return rule.action === 'transition' ? 'archive' : 'expire';
}

function warningFor(outlook: Exclude<ExpiryOutlook, { kind: 'never' | 'undecided' }>, what: string, repo: string, partial: boolean): string {
  const rule = ruleName(outlook.rule);
  const verb = verbOf(outlook.rule);
  if (outlook.kind === 'eligible') return `Lifecycle ${rule} of ${repo}: the ${what} is already eligible for ${verb === 'archive' ? 'archiving' : 'expiry'} (${outlook.reason}); ECR can remove it at any time and the project would then fail to pull it.`;
  if (outlook.kind === 'on-date') return `Lifecycle ${rule} of ${repo} will ${verb} the ${what} on ${outlook.date.slice(0, 10)}.`;
  const pushes = `${partial ? 'at most ' : ''}${outlook.pushes} more push${outlook.pushes === 1 ? '' : 'es'} matching the rule`;
  return `Lifecycle ${rule} of ${repo} will ${verb} the ${what} after ${pushes}.`;
}

/** Whether the repository's lifecycle policy can remove the image a project pulls: the "it worked yesterday" case. */
export const lifecycleExpiry: Check = {
  id: 'lifecycle-expiry',
  run(ctx) {
    const ref = ctx.subject.imageRef;
    const repo = ctx.repository;
    if (ref.kind !== 'ecr' || !repo || repo.repository.state !== 'present' || !repo.lifecycle) return [];
    const r = resultsFor('lifecycle-expiry', ctx);
    const what = ref.digest ? `digest ${ref.digest}` : `tag ${ref.reference}`;
    const evidence: Record<string, unknown> = { repositoryArn: ref.repositoryArn, reference: ref.reference };
    const lifecycle = repo.lifecycle;
    if (lifecycle.state === 'unreadable') return [r.error(unreadableMessage(`the lifecycle policy of ${ref.repository}`, lifecycle), { evidence })];
    if (lifecycle.state === 'absent') return [r.skip(`${ref.repository} has no lifecycle policy: nothing expires the ${what}.`, { evidence })];
    const parsed = parseLifecyclePolicy(lifecycle.value.text);
    if (!parsed.ok) return [r.error(`could not check the lifecycle policy of ${ref.repository}: ${parsed.reason}`, { evidence })];
    const image = repo.images[ref.reference];
    if (image?.state === 'unreadable' && image.beforeDeploy) return [beforeDeploy(r, parsed.rules, ref.tag, what, ref.repository, evidence)];
    if (!image || image.state === 'absent') return [r.skip(`could not check the lifecycle of the ${what}: it was not found in ${ref.repository} (see image-exists)`, { evidence })];
    if (image.state === 'unreadable') return [r.error(unreadableMessage(`the lifecycle of the ${what} in ${ref.repository}`, image), { evidence })];
    const list = repo.imageList;
    if (!list) return [r.error(`could not check the lifecycle of the ${what}: the images of ${ref.repository} were not listed`, { evidence })];
    if (list.state !== 'present') return [r.error(unreadableMessage(`the lifecycle of the ${what}: the images of ${ref.repository}`, list.state === 'unreadable' ? list : { reason: 'the image list is missing', permission: 'ecr:DescribeImages' }), { evidence })];
    const listed = list.value.images.find((i) => i.digest === image.value.digest);
    const target: LifecycleImage = listed ?? { digest: image.value.digest, tags: image.value.tags, ...(image.value.pushedAt ? { pushedAt: image.value.pushedAt } : {}), ...(image.value.status ? { status: image.value.status } : {}) };
    const now = ctx.facts.generatedAt ? new Date(ctx.facts.generatedAt) : new Date();
    const outlook = evaluateExpiry(parsed.rules, list.value.images, target, Number.isNaN(now.getTime()) ? new Date() : now);
    evidence.digest = image.value.digest;
    if (!list.value.complete) evidence.imageListComplete = false;
    if (outlook.kind === 'never') return [r.pass(`No rule of the lifecycle policy of ${ref.repository} can expire the ${what}.`, { evidence })];
    evidence.rulePriority = outlook.rule.priority;
    if (outlook.kind === 'undecided') return [r.skip(`could not decide whether lifecycle ${ruleName(outlook.rule)} of ${ref.repository} expires the ${what}: ${outlook.reason}`, { evidence })];
    if (outlook.kind === 'after-pushes') evidence.pushesLeft = outlook.pushes;
    if (outlook.kind === 'on-date') evidence.expiresOn = outlook.date;
    return [r.warn(warningFor(outlook, what, ref.repository, !list.value.complete), {
      evidence,
      fix: {
        target: 'image',
        account: ref.account,
        resource: ref.repositoryArn,
        description: `Pin the project to an image the lifecycle policy keeps, or change ${ruleName(outlook.rule)} (its tagPrefixList/tagPatternList or countNumber) so it no longer selects the ${what}.`,
      },
    })];
  },
};

function countWords(rule: LifecycleRule): string {
  const sel = rule.selection;
  if (sel.countType === 'imageCountMoreThan') return `once more than ${sel.countNumber} images match it`;
  return `${sel.countNumber} ${sel.countUnit ?? 'days'} after it is ${sel.countType === 'sinceImagePulled' ? 'last pulled' : sel.countType === 'sinceImageTransitioned' ? 'archived' : 'pushed'}`;
}

/**
 * Infrastructure code before deploy: the policy is known, the images are not (none are pushed).
 * What can be said is which rule selects the tag pulled (ECR User Guide, "Lifecycle policy
 * evaluation rules": the first rule by priority whose selection matches can expire it), never
 * when. An image may carry other tags a rule selects, so no rule selecting the tag is not a pass.
 */
function beforeDeploy(r: ReturnType<typeof resultsFor>, rules: readonly LifecycleRule[], tag: string | undefined, what: string, repo: string, evidence: Record<string, unknown>): Result {
  const known = tag !== undefined && tag !== DEPLOY_TIME_TAG;
  // A tag known only at apply is selected for sure only by a rule that selects every image.
  const probe = { digest: '', tags: known ? [tag] : [] };
  // A digest may be tagged or not: only a rule for any image is sure to select it.
  const selects = (rule: LifecycleRule): boolean => {
    if ((rule.selection.storageClass ?? 'standard') !== 'standard') return false;
    if (known) return selectsImage(rule, probe);
    if (rule.selection.tagStatus === 'any') return true;
    return tag !== undefined && rule.selection.tagStatus === 'tagged' && !rule.selection.tagPrefixList?.some((p) => p !== '') && (rule.selection.tagPatternList ?? ['*']).every((p) => p === '*');
  };
  const sure = [...rules].sort((a, b) => a.rulePriority - b.rulePriority).find(selects);
  if (!known && tag !== undefined) what = 'image (its tag is known only at apply)';
  if (sure) {
    const verb = verbOf({ priority: sure.rulePriority, action: sure.action.type });
    evidence.rulePriority = sure.rulePriority;
    return r.warn(`Lifecycle ${ruleName({ priority: sure.rulePriority, ...(sure.description ? { description: sure.description } : {}), action: sure.action.type })} of ${repo} selects the ${what}: it will ${verb} the image the project pulls ${countWords(sure)} (when is known only after images are pushed).`, {
      evidence,
      fix: { target: 'image', description: `Change the rule (its tagStatus, tagPrefixList/tagPatternList or countNumber) so it no longer selects the ${what}, or pin the project to a tag the policy keeps.` },
    });
  }
  const which = known ? `No rule of the lifecycle policy of ${repo} selects the ${what} by itself` : `The ${tag === undefined ? 'image is pulled by digest' : 'tag pulled is known only at apply'}, and no rule of the lifecycle policy of ${repo} selects every image`;
  return r.skip(`${which}; whether the image will carry other tags a rule selects is known only after it is pushed (run with --live once images exist).`, { evidence });
}
