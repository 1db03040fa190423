import type { ImageRef } from '../image/parse-image-ref.js';
import { parseImageRef, partitionOfRegion } from '../image/parse-image-ref.js';
import { UserError } from '../model/errors.js';
import { parseArn } from '../model/arn.js';
import type { Fact } from '../model/fact.js';
import type { BuildInfo, BuildspecFacts, EbContext, Facts, InBuildPull, ProjectInfo, PullMode } from '../model/facts.js';

/**
 * One image pull to diagnose: who pulls which image, in which mode, on behalf of which project.
 * A project, the temporary project of `eb deploy`, a failed build, or a bare image all reduce
 * to this, so the checks are written once.
 */
export interface PullSubject {
  /** `in-build`: a pull the buildspec makes (docker pull/run/build, compose), with the service role's docker login. */
  kind: 'project' | 'eb-app' | 'build' | 'image' | 'in-build';
  /** What the reports call it: a project ARN, `eb:<app>`, a build id, or the image URI. */
  label: string;
  /** The project ARN, or for eb deploy the ArnLike pattern every temporary project matches. */
  projectArn?: string;
  projectArnIsPattern: boolean;
  /** The aws:SourceArn a repository grant should name: the project, or a pattern where project names change. */
  grantArn?: string;
  projectName?: string;
  account?: string;
  region: string;
  partition: string;
  image: string;
  imageRef: ImageRef | { kind: 'invalid'; raw: string; error: string };
  mode: PullMode;
  /** Where the mode came from: the project, the default (field absent), a build record, eb's inference, or a what-if. */
  modeSource: 'project' | 'default' | 'build' | 'eb-inferred' | 'hypothetical' | 'in-build';
  serviceRoleArn?: string;
  registryCredential?: ProjectInfo['registryCredential'];
  build?: BuildInfo;
  /** The buildspec this build runs (environment subjects only). */
  buildspec?: Fact<BuildspecFacts>;
  /** environment.privilegedMode, and where it came from (eb deploy's temporary project: false, inferred). */
  privileged?: { value: boolean; source: 'project' | 'build' | 'eb-inferred' };
  /** For an in-build pull: the step, and the build it happens in. */
  inBuild?: { pull: InBuildPull; owner: PullSubject };
  /** The environment the image must run in (project, build record, or eb's temporary project). */
  environmentType?: string;
  computeType?: string;
  /** The reserved-capacity fleet the project runs on; its environment and disk win over the project's. */
  fleetArn?: string;
}

/** A buildspec given alone (--buildspec without eb settings or a project): the pulls it makes, with no project known. */
export function standaloneOwner(facts: Facts): PullSubject | undefined {
  if (!facts.buildspec || facts.eb?.hasSettings) return undefined;
  const account = facts.caller.state === 'present' ? facts.caller.value.account : undefined;
  const path = facts.eb?.buildspecPath ?? (facts.buildspec.state === 'present' ? facts.buildspec.value.path : undefined) ?? 'buildspec';
  return {
    kind: 'project',
    label: path,
    projectArnIsPattern: false,
    account,
    region: facts.region,
    partition: partitionOfRegion(facts.region),
    image: '',
    imageRef: { kind: 'invalid', raw: '', error: 'no project' },
    mode: 'CODEBUILD',
    modeSource: 'hypothetical',
    buildspec: facts.buildspec,
  };
}

export function tryParseImage(image: string): PullSubject['imageRef'] {
  try {
    return parseImageRef(image);
  } catch (e) {
    if (e instanceof UserError) return { kind: 'invalid', raw: image, error: e.message };
    throw e;
  }
}

export const EB_PROJECT_PREFIX = 'Elastic-Beanstalk-';

/** The temporary project eb deploy creates is named Elastic-Beanstalk-<app>-<label>-<5 random> (DOMAIN.md §2). */
export function ebProjectArnPattern(partition: string, region: string, account: string, app: string): string {
  return `arn:${partition}:codebuild:${region}:${account}:project/Elastic-Beanstalk-${app}-*`;
}

/** A role given by name (as buildspec.yml allows) becomes an ARN in the caller's account. */
export function resolveRoleArn(role: string, partition: string, account: string | undefined): string | undefined {
  if (role.startsWith('arn:')) return role;
  if (!account) return undefined;
  return `arn:${partition}:iam::${account}:role/${role.replace(/^\/+/, '')}`;
}

function fromProject(p: ProjectInfo, fallbackRegion: string, buildspec: Fact<BuildspecFacts> | undefined): PullSubject {
  const arn = parseArn(p.arn);
  const region = arn?.region || fallbackRegion;
  return {
    kind: 'project',
    label: p.arn,
    projectArn: p.arn,
    projectArnIsPattern: false,
    grantArn: p.arn,
    projectName: p.name,
    account: arn?.account,
    region,
    partition: arn?.partition ?? partitionOfRegion(region),
    image: p.image,
    imageRef: tryParseImage(p.image),
    mode: p.imagePullCredentialsType ?? 'CODEBUILD',
    modeSource: p.imagePullCredentialsType ? 'project' : 'default',
    ...(p.serviceRole ? { serviceRoleArn: p.serviceRole } : {}),
    ...(p.registryCredential ? { registryCredential: p.registryCredential } : {}),
    ...(buildspec ? { buildspec } : {}),
    ...(p.privilegedMode !== undefined ? { privileged: { value: p.privilegedMode, source: 'project' as const } } : {}),
    ...(p.environmentType ? { environmentType: p.environmentType } : {}),
    ...(p.computeType ? { computeType: p.computeType } : {}),
    ...(p.fleetArn ? { fleetArn: p.fleetArn } : {}),
  };
}

function fromEb(eb: EbContext, facts: Facts): PullSubject | undefined {
  if (!eb.hasSettings || !eb.settings?.image || !eb.applicationName) return undefined;
  const region = eb.region ?? facts.region;
  const partition = partitionOfRegion(region);
  const account = facts.caller.state === 'present' ? facts.caller.value.account : undefined;
  const role = eb.settings.codeBuildServiceRole;
  const roleArn = role ? resolveRoleArn(role, partition, account) : undefined;
  return {
    kind: 'eb-app',
    label: `eb:${eb.applicationName}`,
    ...(account ? { projectArn: ebProjectArnPattern(partition, region, account, eb.applicationName), grantArn: ebProjectArnPattern(partition, region, account, eb.applicationName) } : {}),
    projectArnIsPattern: true,
    projectName: `Elastic-Beanstalk-${eb.applicationName}-*`,
    account,
    region,
    partition,
    image: eb.settings.image,
    imageRef: tryParseImage(eb.settings.image),
    // BuildConfiguration has no pull-credentials field, so the temporary project uses the default (DOMAIN.md §2, inferred).
    mode: 'CODEBUILD',
    modeSource: 'eb-inferred',
    ...(roleArn ? { serviceRoleArn: roleArn } : {}),
    ...(facts.buildspec ? { buildspec: facts.buildspec } : {}),
    // The temporary project is created with privilegedMode false (EB CLI fixtures; DOMAIN.md §2, inferred).
    privileged: { value: false, source: 'eb-inferred' },
    // The temporary project is LINUX_CONTAINER (EB CLI fixtures, DOMAIN.md §2, inferred).
    environmentType: 'LINUX_CONTAINER',
    ...(eb.settings.computeType ? { computeType: eb.settings.computeType } : {}),
  };
}

function fromBuild(b: BuildInfo, facts: Facts, buildspec: Fact<BuildspecFacts> | undefined): PullSubject | undefined {
  if (!b.environment.image) return undefined;
  const arn = b.arn ? parseArn(b.arn) : undefined;
  const region = arn?.region || facts.region;
  const partition = arn?.partition ?? partitionOfRegion(region);
  const account = arn?.account || (facts.caller.state === 'present' ? facts.caller.value.account : undefined);
  const projectArn = account ? `arn:${partition}:codebuild:${region}:${account}:project/${b.projectName}` : undefined;
  // A build of eb deploy's temporary project: that project is gone and the next one gets a new
  // name. Without the buildspec the application part of the name cannot be told from the label,
  // so the grant covers every Elastic Beanstalk temporary project of the account.
  const grantArn = projectArn && b.projectName.startsWith(EB_PROJECT_PREFIX) ? projectArn.replace(/project\/.*$/, `project/${EB_PROJECT_PREFIX}*`) : projectArn;
  return {
    kind: 'build',
    label: b.id,
    ...(projectArn ? { projectArn } : {}),
    ...(grantArn ? { grantArn } : {}),
    projectArnIsPattern: false,
    projectName: b.projectName,
    account,
    region,
    partition,
    image: b.environment.image,
    imageRef: tryParseImage(b.environment.image),
    mode: b.environment.imagePullCredentialsType ?? 'CODEBUILD',
    modeSource: b.environment.imagePullCredentialsType ? 'build' : 'default',
    ...(b.environment.serviceRole ? { serviceRoleArn: b.environment.serviceRole } : {}),
    ...(b.environment.environmentType ? { environmentType: b.environment.environmentType } : {}),
    ...(b.environment.computeType ? { computeType: b.environment.computeType } : {}),
    ...(b.environment.registryCredential ? { registryCredential: b.environment.registryCredential } : {}),
    ...(b.environment.fleetArn ? { fleetArn: b.environment.fleetArn } : {}),
    build: b,
    ...(buildspec ? { buildspec } : {}),
    ...(b.environment.privilegedMode !== undefined ? { privileged: { value: b.environment.privilegedMode, source: 'build' as const } } : {}),
  };
}

function fromImage(image: string, facts: Facts, mode: PullMode): PullSubject {
  const ref = tryParseImage(image);
  const region = ref.kind === 'ecr' ? ref.region : facts.region;
  const account = ref.kind === 'ecr' ? ref.account : facts.caller.state === 'present' ? facts.caller.value.account : undefined;
  const partition = partitionOfRegion(region);
  return {
    kind: 'image',
    label: `${image} (${mode})`,
    ...(account ? { projectArn: `arn:${partition}:codebuild:${region}:${account}:project/*`, grantArn: `arn:${partition}:codebuild:${region}:${account}:project/*` } : {}),
    projectArnIsPattern: true,
    account,
    region,
    partition,
    image,
    imageRef: ref,
    mode,
    modeSource: 'hypothetical',
  };
}

/**
 * Every pull the facts describe, in the order the user named them. A failed build stands in for
 * its project (it shows what really ran, overrides included); an eb deploy build found by
 * --last-failed lends the eb subject its recorded mode and image.
 */
export function derivePullSubjects(facts: Facts): PullSubject[] {
  const subjects: PullSubject[] = [];
  const builds = facts.builds.flatMap((b) => (b.build.state === 'present' ? [b.build.value] : []));
  const buildspecOf = (b: BuildInfo) => facts.builds.find((f) => f.build.state === 'present' && f.build.value === b)?.buildspec;
  const app = facts.eb?.applicationName;
  const isEbBuild = (b: BuildInfo) => app !== undefined && b.projectName.startsWith(`Elastic-Beanstalk-${app}-`);
  for (const b of builds) {
    if (isEbBuild(b) && facts.eb?.hasSettings) continue;
    const s = fromBuild(b, facts, buildspecOf(b));
    if (s) subjects.push(s);
  }
  for (const p of facts.projects) {
    if (p.project.state !== 'present') continue;
    const project = p.project.value;
    if (builds.some((b) => b.projectName === project.name)) continue;
    subjects.push(fromProject(project, facts.region, p.buildspec));
  }
  if (facts.eb) {
    const s = fromEb(facts.eb, facts);
    const ebBuild = builds.find(isEbBuild);
    if (s && ebBuild) subjects.push(withBuild(s, ebBuild));
    else if (s) subjects.push(s);
  }
  for (const image of facts.images) {
    subjects.push(fromImage(image, facts, 'CODEBUILD'), fromImage(image, facts, 'SERVICE_ROLE'));
  }
  const standalone = standaloneOwner(facts);
  const owners = [...subjects.filter((s) => s.buildspec), ...(standalone ? [standalone] : [])];
  return [...subjects, ...owners.flatMap(inBuildSubjects)];
}

/**
 * The pulls a build's buildspec makes, one subject each. Docker pulls them with whatever
 * `docker login` stored, and that login runs as the service role (DOMAIN.md §6b): so the puller is
 * the role, in the SERVICE_ROLE sense, whatever the project's own pull mode.
 */
export function inBuildSubjects(owner: PullSubject): PullSubject[] {
  if (owner.buildspec?.state !== 'present') return [];
  const seen = new Set<string>();
  const out: PullSubject[] = [];
  for (const step of owner.buildspec.value.steps) {
    if (step.kind !== 'pull' || step.image === undefined || seen.has(step.image)) continue;
    seen.add(step.image);
    out.push({
      kind: 'in-build',
      label: `${owner.label} (in the build: ${step.via} ${step.image})`,
      ...(owner.projectArn ? { projectArn: owner.projectArn } : {}),
      projectArnIsPattern: owner.projectArnIsPattern,
      ...(owner.projectName ? { projectName: owner.projectName } : {}),
      account: owner.account,
      region: owner.region,
      partition: owner.partition,
      image: step.image,
      imageRef: tryParseImage(step.image),
      mode: 'SERVICE_ROLE',
      modeSource: 'in-build',
      ...(owner.serviceRoleArn ? { serviceRoleArn: owner.serviceRoleArn } : {}),
      inBuild: { pull: step, owner },
    });
  }
  return out;
}

/** The build-environment subjects that run a buildspec (and a buildspec given alone), for the checks about the build as a whole. */
export function buildspecOwners(facts: Facts, subjects: readonly PullSubject[] = derivePullSubjects(facts)): PullSubject[] {
  const standalone = standaloneOwner(facts);
  return [...subjects.filter((s) => s.kind !== 'in-build' && s.buildspec), ...(standalone ? [standalone] : [])];
}

/** The eb subject as the recorded build really ran: its mode and image win over the inference. */
function withBuild(s: PullSubject, b: BuildInfo): PullSubject {
  const image = b.environment.image ?? s.image;
  return {
    ...s,
    image,
    imageRef: tryParseImage(image),
    mode: b.environment.imagePullCredentialsType ?? s.mode,
    modeSource: b.environment.imagePullCredentialsType ? 'build' : s.modeSource,
    ...(b.environment.serviceRole ? { serviceRoleArn: b.environment.serviceRole } : {}),
    build: b,
  };
}

