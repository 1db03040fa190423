import type { Build, CodeBuildClient, EnvironmentVariable as SdkVariable, Project, ProjectSource, VpcConfig } from '@aws-sdk/client-codebuild';
import { BatchGetBuildsCommand, BatchGetFleetsCommand, BatchGetProjectsCommand, ListBuildsCommand, ListBuildsForProjectCommand, ListProjectsCommand } from '@aws-sdk/client-codebuild';
import type { Fact } from '../../model/fact.js';
import { absent, present } from '../../model/fact.js';
import type { BuildFacts, BuildInfo, EnvironmentVariable, FleetFacts, FleetInfo, ProjectFacts, ProjectInfo, PullMode, SourceInfo, VpcConfigInfo } from '../../model/facts.js';
import { unreadableFrom } from './aws-errors.js';

const BATCH = 100; // BatchGetProjects and BatchGetBuilds take at most 100 names (DOMAIN.md §4)

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function toPullMode(value: string | undefined): PullMode | undefined {
  return value === 'CODEBUILD' || value === 'SERVICE_ROLE' ? value : undefined;
}

/** PLAINTEXT values are kept; the value of a PARAMETER_STORE or SECRETS_MANAGER variable is a reference we never keep or print. */
export function toVariables(vars: readonly SdkVariable[] | undefined): EnvironmentVariable[] | undefined {
  if (!vars || vars.length === 0) return undefined;
  return vars.map((v) => {
    const type = v.type === 'PARAMETER_STORE' || v.type === 'SECRETS_MANAGER' ? v.type : 'PLAINTEXT';
    return { name: v.name ?? '', type, ...(type === 'PLAINTEXT' && v.value !== undefined ? { value: v.value } : {}) };
  });
}

export function toSource(src: ProjectSource | undefined): SourceInfo | undefined {
  if (!src?.type) return undefined;
  return { type: src.type, ...(src.location ? { location: src.location } : {}), ...(src.buildspec ? { buildspec: src.buildspec } : {}) };
}

export function toVpcConfig(vpc: VpcConfig | undefined): VpcConfigInfo | undefined {
  if (!vpc?.vpcId && !(vpc?.subnets?.length)) return undefined;
  return { ...(vpc.vpcId ? { vpcId: vpc.vpcId } : {}), subnets: vpc.subnets ?? [], securityGroupIds: vpc.securityGroupIds ?? [] };
}

function toProjectInfo(p: Project): ProjectInfo {
  const env = p.environment;
  const mode = toPullMode(env?.imagePullCredentialsType);
  return {
    name: p.name ?? '',
    arn: p.arn ?? '',
    image: env?.image ?? '',
    ...(mode ? { imagePullCredentialsType: mode } : {}),
    ...(p.serviceRole ? { serviceRole: p.serviceRole } : {}),
    ...(env?.registryCredential?.credential
      ? { registryCredential: { credential: env.registryCredential.credential, credentialProvider: env.registryCredential.credentialProvider ?? 'SECRETS_MANAGER' } }
      : {}),
    ...(env?.type ? { environmentType: env.type } : {}),
    ...(env?.computeType ? { computeType: env.computeType } : {}),
    ...(env?.privilegedMode !== undefined ? { privilegedMode: env.privilegedMode } : {}),
    ...optional('environmentVariables', toVariables(env?.environmentVariables)),
    ...optional('source', toSource(p.source)),
    ...optional('vpcConfig', toVpcConfig(p.vpcConfig)),
    ...optional('fleetArn', env?.fleet?.fleetArn),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function projectMatches(p: Project, requested: string): boolean {
  return p.name === requested || p.arn === requested;
}

/** One BatchGetProjects per 100 names; each name comes back as present, absent or unreadable. */
export async function readProjects(client: CodeBuildClient, names: readonly string[]): Promise<ProjectFacts[]> {
  const unique = [...new Set(names)];
  const answers = await Promise.all(
    chunks(unique, BATCH).map(async (batch) => {
      try {
        const out = await client.send(new BatchGetProjectsCommand({ names: batch }));
        return batch.map((requested): ProjectFacts => {
          const found = (out.projects ?? []).find((p) => projectMatches(p, requested));
          return { requested, project: found ? present(toProjectInfo(found)) : absent() };
        });
      } catch (e) {
        const fact = unreadableFrom<ProjectInfo>(e, 'codebuild:BatchGetProjects');
        return batch.map((requested): ProjectFacts => ({ requested, project: fact }));
      }
    }),
  );
  return answers.flat();
}

function iso(d: Date | undefined): string | undefined {
  return d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined;
}

export function toBuildInfo(b: Build): BuildInfo {
  const mode = toPullMode(b.environment?.imagePullCredentialsType);
  const startTime = iso(b.startTime);
  return {
    id: b.id ?? '',
    ...(b.arn ? { arn: b.arn } : {}),
    projectName: b.projectName ?? (b.id ?? '').split(':')[0] ?? '',
    ...(b.buildStatus ? { buildStatus: b.buildStatus } : {}),
    ...(startTime ? { startTime } : {}),
    environment: {
      ...(b.environment?.image ? { image: b.environment.image } : {}),
      ...(mode ? { imagePullCredentialsType: mode } : {}),
      ...(b.serviceRole ? { serviceRole: b.serviceRole } : {}),
      ...(b.environment?.privilegedMode !== undefined ? { privilegedMode: b.environment.privilegedMode } : {}),
      ...optional('environmentVariables', toVariables(b.environment?.environmentVariables)),
      ...(b.environment?.type ? { environmentType: b.environment.type } : {}),
      ...(b.environment?.computeType ? { computeType: b.environment.computeType } : {}),
      ...(b.environment?.registryCredential?.credential
        ? { registryCredential: { credential: b.environment.registryCredential.credential, credentialProvider: b.environment.registryCredential.credentialProvider ?? 'SECRETS_MANAGER' } }
        : {}),
      ...optional('fleetArn', b.environment?.fleet?.fleetArn),
    },
    ...optional('source', toSource(b.source)),
    ...optional('vpcConfig', toVpcConfig(b.vpcConfig)),
    phases: (b.phases ?? []).map((p) => ({
      phaseType: p.phaseType ?? 'UNKNOWN',
      ...(p.phaseStatus ? { phaseStatus: p.phaseStatus } : {}),
      contexts: (p.contexts ?? []).map((c) => ({ ...(c.statusCode ? { statusCode: c.statusCode } : {}), ...(c.message ? { message: c.message } : {}) })),
    })),
  };
}

/** A build id may be given as its ARN; BatchGetBuilds wants `<project>:<uuid>`. */
export function buildIdOf(idOrArn: string): string {
  const m = /^arn:[^:]+:codebuild:[^:]*:\d{12}:build\/(.+)$/.exec(idOrArn);
  return m ? m[1]! : idOrArn;
}

export async function readBuilds(client: CodeBuildClient, requested: readonly string[]): Promise<BuildFacts[]> {
  const ids = requested.map(buildIdOf);
  const answers = await Promise.all(
    chunks(ids, BATCH).map(async (batch) => {
      try {
        const out = await client.send(new BatchGetBuildsCommand({ ids: batch }));
        return batch.map((id): Fact<BuildInfo> => {
          const found = (out.builds ?? []).find((b) => b.id === id);
          return found ? present(toBuildInfo(found)) : absent();
        });
      } catch (e) {
        const fact = unreadableFrom<BuildInfo>(e, 'codebuild:BatchGetBuilds');
        return batch.map(() => fact);
      }
    }),
  );
  return answers.flat().map((build, i) => ({ requested: requested[i]!, build }));
}

// A STOPPED build was stopped by someone, not failed by its image: not what --last-failed looks for.
const FAILED = new Set(['FAILED', 'FAULT', 'TIMED_OUT']);
const PAGES = 5; // 5 × 100 ids: enough to find the newest failure without walking a whole history

/** At most this many matching build ids are read for the eb path (BatchGetBuilds in 100s). */
export const MAX_EB_CANDIDATES = 300;

function newestFailed(builds: readonly Build[]): Build | undefined {
  let best: Build | undefined;
  for (const b of builds) {
    if (!FAILED.has(b.buildStatus ?? '')) continue;
    if (!best || (b.startTime?.getTime() ?? 0) > (best.startTime?.getTime() ?? 0)) best = b;
  }
  return best;
}

/**
 * The eb path: ListBuilds sorts by build id, not by time (API model: "ascending/descending order
 * by build ID", pages of 100; DOMAIN.md §2), so the first failed match in listing order is not
 * the newest. Collect the matching ids across pages (bounded), read them, and take the newest
 * startTime among the failed ones.
 */
async function findNewestFailedAcrossPages(client: CodeBuildClient, matches: (id: string) => boolean, requested: string): Promise<BuildFacts> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  let more = false;
  do {
    const out = await client.send(new ListBuildsCommand({ sortOrder: 'DESCENDING', ...(nextToken ? { nextToken } : {}) }));
    pages++;
    ids.push(...(out.ids ?? []).filter(matches));
    nextToken = out.nextToken;
    more = !!nextToken && (pages >= PAGES || ids.length >= MAX_EB_CANDIDATES);
  } while (nextToken && pages < PAGES && ids.length < MAX_EB_CANDIDATES);
  const candidates = ids.slice(0, MAX_EB_CANDIDATES);
  const read = await Promise.all(chunks(candidates, BATCH).map((batch) => client.send(new BatchGetBuildsCommand({ ids: batch }))));
  const builds = read.flatMap((out) => out.builds ?? []);
  const best = newestFailed(builds);
  const failedCount = builds.filter((b) => FAILED.has(b.buildStatus ?? '')).length;
  const bound = more ? ` (stopped at ${pages} pages / ${MAX_EB_CANDIDATES} matching ids: older builds were not read)` : '';
  const note = best
    ? `--last-failed: ${best.id} started ${best.startTime?.toISOString() ?? 'at an unknown time'}, the newest startTime of ${failedCount} failed among ${candidates.length} matching build ids in ${pages} ListBuilds page${pages === 1 ? '' : 's'}${bound}`
    : `--last-failed: no failed build among ${candidates.length} matching build ids in ${pages} ListBuilds page${pages === 1 ? '' : 's'}${bound}`;
  return { requested, build: best ? present(toBuildInfo(best)) : absent(), note };
}

/**
 * The newest failed build. For a project, ListBuildsForProject lists newest first, so the first
 * failed build wins, looked up 100 at a time. `matches` (for eb deploy: the
 * Elastic-Beanstalk-<app>- prefix) searches ListBuilds, which is not in time order.
 */
export async function findLastFailedBuild(
  client: CodeBuildClient,
  list: { project?: string; matches?: (id: string) => boolean },
): Promise<BuildFacts> {
  const requested = list.project ? `last failed build of ${list.project}` : 'last failed build';
  const permission = list.project ? 'codebuild:ListBuildsForProject' : 'codebuild:ListBuilds';
  let nextToken: string | undefined;
  try {
    if (!list.project && list.matches) return await findNewestFailedAcrossPages(client, list.matches, requested);
    for (let page = 0; page < PAGES; page++) {
      const out = list.project
        ? await client.send(new ListBuildsForProjectCommand({ projectName: list.project, sortOrder: 'DESCENDING', ...(nextToken ? { nextToken } : {}) }))
        : await client.send(new ListBuildsCommand({ sortOrder: 'DESCENDING', ...(nextToken ? { nextToken } : {}) }));
      const ids = (out.ids ?? []).filter((id) => !list.matches || list.matches(id));
      if (ids.length > 0) {
        const builds = await client.send(new BatchGetBuildsCommand({ ids: ids.slice(0, BATCH) }));
        const byId = new Map((builds.builds ?? []).map((b) => [b.id, b]));
        for (const id of ids) {
          const b = byId.get(id);
          if (b && FAILED.has(b.buildStatus ?? '')) return { requested, build: present(toBuildInfo(b)) };
        }
      }
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
    return { requested, build: absent() };
  } catch (e) {
    return { requested, build: unreadableFrom(e, permission) };
  }
}

/** BatchGetFleets (≤100 names or ARNs); a fleet it does not return is in fleetsNotFound: absent. */
export async function readFleets(client: CodeBuildClient, arns: readonly string[]): Promise<FleetFacts[]> {
  const unique = [...new Set(arns)];
  const answers = await Promise.all(
    chunks(unique, BATCH).map(async (batch) => {
      try {
        const out = await client.send(new BatchGetFleetsCommand({ names: batch }));
        return batch.map((arn): FleetFacts => {
          const f = (out.fleets ?? []).find((x) => x.arn === arn || x.name === arn);
          if (!f) return { arn, fleet: absent() };
          const info: FleetInfo = {
            arn: f.arn ?? arn,
            ...optional('name', f.name),
            ...optional('environmentType', f.environmentType),
            ...optional('computeType', f.computeType),
            ...optional('diskGb', f.computeConfiguration?.disk),
          };
          return { arn, fleet: present(info) };
        });
      } catch (e) {
        const fact = unreadableFrom<FleetInfo>(e, 'codebuild:BatchGetFleets');
        return batch.map((arn): FleetFacts => ({ arn, fleet: fact }));
      }
    }),
  );
  return answers.flat();
}

const NAME_PAGES = 10; // ListProjects pages of 100 names: enough for "did you mean" without walking a huge account

/**
 * The account's project names, for "did you mean" when a named project is absent. Read only
 * then, so a run that finds its project stays one round trip; a denied listing is unreadable and
 * the suggestion is simply left out.
 */
export async function readProjectNames(client: CodeBuildClient): Promise<Fact<string[]>> {
  const names: string[] = [];
  let nextToken: string | undefined;
  try {
    for (let page = 0; page < NAME_PAGES; page++) {
      const out = await client.send(new ListProjectsCommand(nextToken ? { nextToken } : {}));
      names.push(...(out.projects ?? []));
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
    return present(names);
  } catch (e) {
    return unreadableFrom<string[]>(e, 'codebuild:ListProjects');
  }
}
