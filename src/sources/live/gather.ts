import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ListProjectsCommand } from '@aws-sdk/client-codebuild';
import { derivePullSubjects } from '../../checks/subjects.js';
import { parseArn } from '../../model/arn.js';
import { IncompleteError } from '../../model/errors.js';
import { absent, present } from '../../model/fact.js';
import type { BuildFacts, CallerIdentity, Facts } from '../../model/facts.js';
import { registryKey } from '../../model/facts.js';
import type { Target } from '../../model/target.js';
import { asFatal, errorName, unreadableFrom } from './aws-errors.js';
import type { AwsClients } from './clients.js';
import { findLastFailedBuild, readBuilds, readFleets, readProjectNames, readProjects } from './codebuild.js';
import { secretLocation } from '../../checks/secret-access.js';
import type { SecretRequest } from './secrets.js';
import type { RepositoryRequest } from './ecr.js';
import { readRepository, readResourceTags } from './ecr.js';
import { describeRepositories } from './ecr-batch.js';
import { readRegistry } from './ecr-registry.js';
import type { ManagedPolicyCache } from './iam.js';
import { readRoles } from './iam-bulk.js';
import { mapLimited } from './limit.js';
import { vpcBuilds } from '../../checks/build-network-scope.js';
import type { NetworkRequest } from './ec2.js';

const CONCURRENCY = 8;

export async function readCaller(clients: AwsClients): Promise<CallerIdentity> {
  try {
    const out = await clients.sts.send(new GetCallerIdentityCommand({}));
    const arn = out.Arn ?? '';
    // An answer without an account is no AWS answer (an HTML page served with 200, say).
    if (!out.Account) throw new IncompleteError('sts:GetCallerIdentity returned no account: the endpoint did not answer like AWS', 'check --endpoint-url, --region and any proxy in between');
    return { account: out.Account, arn, partition: parseArn(arn)?.partition ?? 'aws' };
  } catch (e) {
    if (e instanceof IncompleteError) throw e;
    // Who we are is needed for every verdict: whatever stops it stops the run (exit 3), never a "bug".
    throw asFatal(e, 'sts:GetCallerIdentity') ?? new IncompleteError(`cannot tell who ecr-doctor runs as: ${errorName(e)} on sts:GetCallerIdentity`, 'check the credentials, --endpoint-url and --region');
  }
}

async function listAllProjects(clients: AwsClients): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const out = await clients.codebuild.send(new ListProjectsCommand(nextToken ? { nextToken } : {}));
      names.push(...(out.projects ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
  } catch (e) {
    const fact = unreadableFrom<never>(e, 'codebuild:ListProjects');
    if (fact.state === 'unreadable') throw new IncompleteError(`cannot list the projects: ${fact.reason}`, 'grant codebuild:ListProjects, or name projects with --project');
  }
  return names;
}

async function readLastFailed(clients: AwsClients, target: Target): Promise<BuildFacts[]> {
  if (!target.lastFailed) return [];
  const searches: Promise<BuildFacts>[] = target.projects.map((project) => findLastFailedBuild(clients.codebuild, { project }));
  const app = target.eb?.applicationName;
  if (app) {
    // The temporary project is gone after a failed eb deploy; its builds remain (DOMAIN.md §2).
    const prefix = `Elastic-Beanstalk-${app}-`;
    searches.push(findLastFailedBuild(clients.codebuild, { matches: (id) => id.startsWith(prefix) }).then((b) => ({ ...b, requested: `last failed eb deploy build of ${app}` })));
  }
  return Promise.all(searches);
}

/** Whether any of these facts (policies as read) names a ResourceTag condition key. */
export function mentionsResourceTag(read: readonly unknown[]): boolean {
  return read.some((fact) => fact !== undefined && /resourcetag\//i.test(JSON.stringify(fact)));
}

/** The facts about the first round's subjects: each repository and each role read once, concurrently. */
async function readDependencies(clients: AwsClients, facts: Facts, callerRead: Promise<CallerIdentity>): Promise<void> {
  const repos = new Map<string, RepositoryRequest>();
  const roles = new Set<string>();
  const fleets = new Set<string>();
  const secrets = new Map<string, SecretRequest>();
  for (const s of derivePullSubjects(facts)) {
    const ref = s.imageRef;
    if (ref.kind === 'ecr') {
      const req = repos.get(ref.repositoryArn) ?? { arn: ref.repositoryArn, registryId: ref.account, region: ref.region, name: ref.repository, references: [] };
      if (!req.references.includes(ref.reference)) req.references.push(ref.reference);
      repos.set(ref.repositoryArn, req);
      // The role makes SERVICE_ROLE pulls; in CODEBUILD mode its ECR rights are the usual red herring
      // ("I gave the role ECR rights and it still fails"), which the report can only name if it read them.
      if (s.serviceRoleArn) roles.add(s.serviceRoleArn);
      // The build image of a project or build: its platform is read too (manifest, config blob).
      // Not for --image (no environment to judge) nor in-build pulls (the platform check judges the build image only).
      if (s.kind !== 'image' && s.kind !== 'in-build') req.platforms = true;
    }
    if (s.fleetArn) fleets.add(s.fleetArn);
    // A registry credential is read by the service role (SERVICE_ROLE mode, DOMAIN.md §1).
    if (s.registryCredential && ref.kind !== 'ecr' && ref.kind !== 'curated' && s.mode === 'SERVICE_ROLE') {
      const { region, key } = secretLocation(s.registryCredential.credential, s.region);
      secrets.set(key, { credential: s.registryCredential.credential, region });
      if (s.serviceRoleArn) roles.add(s.serviceRoleArn);
    }
  }
  const networks = new Map<string, NetworkRequest>();
  for (const { owner, vpc } of vpcBuilds(facts)) {
    if (!vpc) continue;
    const req = networks.get(vpc.vpcId) ?? { vpcId: vpc.vpcId, region: owner.region, subnets: [] };
    for (const subnet of vpc.subnets) if (!req.subnets.includes(subnet)) req.subnets.push(subnet);
    networks.set(vpc.vpcId, req);
  }
  const cache: ManagedPolicyCache = new Map();
  // Each registry an image lives in, read once, in the same wave as its repositories.
  const registries = new Map([...repos.values()].map((r) => [registryKey(r.registryId, r.region), { registryId: r.registryId, region: r.region }]));
  const callerAccount = callerRead.then((c) => c.account);
  // A multi-account run reads another account's repository and registry as their owner (issue 15).
  const ownerOf = async (account: string, region: string): Promise<AwsClients> => {
    if (!clients.ownerClients || account === (await callerAccount)) return clients;
    return (await clients.ownerClients(account, region)) ?? clients;
  };
  // The repositories themselves: one DescribeRepositories per registry and region for up to 100 names (issue 15).
  const described = new Map(
    [...registries].map(([key, r]) => [
      key,
      ownerOf(r.registryId, r.region).then((c) => describeRepositories(c.ecrIn(r.region), r.registryId, [...repos.values()].filter((q) => q.registryId === r.registryId && q.region === r.region).map((q) => q.name))),
    ]),
  );
  const [repoFacts, roleFacts, fleetFacts, secretFacts, networkFacts, registryFacts] = await Promise.all([
    mapLimited([...repos.values()], CONCURRENCY, async (req) => {
      const c = await ownerOf(req.registryId, req.region);
      return readRepository(c.ecrIn(req.region), req, c.ecrQuickIn(req.region), (await described.get(registryKey(req.registryId, req.region)))?.get(req.name), false);
    }),
    // Each role once; many roles of the caller's account in one account-wide read (iam-bulk.ts, issue 15).
    readRoles(clients.iam, [...roles], callerAccount, cache, clients.warn ? { warn: (line) => clients.warn?.(line) } : {}),
    fleets.size ? readFleets(clients.codebuild, [...fleets]) : Promise.resolve([]),
    mapLimited([...secrets.entries()], CONCURRENCY, async ([key, req]) => {
      const { readSecret } = await import('./secrets.js');
      return [key, await readSecret(await clients.secretsIn(req.region), () => clients.kmsIn(req.region), req)] as const;
    }),
    // In the same wave: the EC2 SDK and its reader load only when a VPC build pulls from ECR.
    networks.size === 0
      ? Promise.resolve([])
      : import('./ec2.js').then(({ readNetwork }) => mapLimited([...networks.values()], CONCURRENCY, async (req) => readNetwork(await clients.ec2In(req.region), req))),
    mapLimited([...registries.values()], CONCURRENCY, async (req) => {
      const c = await ownerOf(req.registryId, req.region);
      return readRegistry(c.ecrIn(req.region), req, c === clients ? callerAccount : Promise.resolve(req.registryId));
    }),
  ]);
  // Resource tags decide only aws:ResourceTag/… and ecr:ResourceTag/… conditions: read them (one
  // ListTagsForResource per repository, no batch API) when some policy read names such a key.
  if (mentionsResourceTag([...repoFacts.map((r) => r.policy), ...roleFacts, ...registryFacts, ...networkFacts])) {
    await mapLimited(
      repoFacts.filter((r) => r.repository.state === 'present'),
      CONCURRENCY,
      async (r) => {
        const c = await ownerOf(r.registryId, r.region);
        r.tags = await readResourceTags(c.ecrIn(r.region), { arn: r.arn, registryId: r.registryId, region: r.region, name: r.name, references: [] });
      },
    );
  }
  for (const r of repoFacts) facts.repositories[r.arn] = r;
  for (const r of roleFacts) facts.roles[r.arn] = r;
  if (fleetFacts.length) facts.fleets = Object.fromEntries(fleetFacts.map((f) => [f.arn, f]));
  if (secretFacts.length) facts.secrets = Object.fromEntries(secretFacts);
  if (networkFacts.length > 0) facts.networks = Object.fromEntries(networkFacts.map((n) => [n.vpcId, n]));
  if (registryFacts.length > 0) facts.registries = Object.fromEntries(registryFacts.map((r) => [registryKey(r.registryId, r.region), r]));
}

/**
 * Reads what the checks need, in two rounds: who and what (caller, projects, builds), then the
 * repositories and roles they point at. Each round's calls go out together.
 */
export async function gatherLiveFacts(clients: AwsClients, target: Target, cwd: string = process.cwd(), knownCaller?: CallerIdentity): Promise<Facts> {
  // The scope runner knows who runs in its own account already: one GetCallerIdentity per run.
  const callerRead = knownCaller ? Promise.resolve(knownCaller) : readCaller(clients);
  // The buildspec reader (yaml, the shell and Dockerfile parsers) loads while the first round is in flight.
  const buildspecReader = import('../buildspec-source.js');
  buildspecReader.catch(() => undefined);
  // Attach a handler now; the promise is awaited below, and a failure there is the one reported.
  callerRead.catch(() => undefined);
  // Projects and builds name their account in their ARNs; eb settings and bare images need the caller's.
  const needsCallerFirst = !!target.eb || target.images.length > 0;
  const projectsRead = (target.allProjects ? listAllProjects(clients) : Promise.resolve(target.projects)).then((names) =>
    names.length ? readProjects(clients.codebuild, [...target.projects, ...names]) : [],
  );
  // "Did you mean": the names are listed only when a named project is absent (issue 14).
  const namesRead = projectsRead.then((ps) => (!target.allProjects && ps.some((p) => p.project.state === 'absent') ? readProjectNames(clients.codebuild) : undefined));
  namesRead.catch(() => undefined);
  const [caller, projects, builds, lastFailed] = await Promise.all([
    needsCallerFirst ? callerRead : Promise.resolve(undefined),
    projectsRead,
    target.builds.length ? readBuilds(clients.codebuild, target.builds) : Promise.resolve([]),
    readLastFailed(clients, target),
  ]);
  const facts: Facts = {
    schemaVersion: 1,
    generatedAt: new Date().toISOString(),
    region: clients.region,
    caller: caller ? present(caller) : absent(),
    projects,
    builds: [...builds, ...lastFailed],
    ...(target.eb ? { eb: target.eb } : {}),
    images: target.images,
    repositories: {},
    roles: {},
  };
  // The buildspecs name the images pulled inside the builds: read before the second round, which then
  // reads their repositories with the others (no extra round trip; only eb and bare buildspecs wait for the caller).
  const { attachBuildspecs } = await buildspecReader;
  const standalone = !!target.buildspec && facts.projects.length === 0 && facts.builds.length === 0;
  const account = standalone ? (await callerRead).account : caller?.account;
  if (standalone) facts.caller = present(await callerRead);
  await attachBuildspecs(facts, { cwd, target, ...(account ? { account } : {}) });
  // The second round starts as soon as the projects are known, without waiting for the caller.
  const [, projectNames] = await Promise.all([readDependencies(clients, facts, callerRead), namesRead]);
  if (projectNames) facts.projectNames = projectNames;
  facts.caller = present(await callerRead);
  return facts;
}
