import { parseImageRef, partitionOfRegion } from '../../image/parse-image-ref.js';
import type { Fact } from '../../model/fact.js';
import { absent, present, unknownBeforeDeploy, unreadable } from '../../model/fact.js';
import { registryKey } from '../../model/facts.js';
import type { FactLocation, Facts, NamedPolicy, RegistryFacts, ProjectFacts, RepositoryFacts, RoleFacts } from '../../model/facts.js';
import type { IacModel, IacProject, IacRole } from './model.js';

/**
 * Stands for the account the code deploys to when the code does not name it (a template using
 * AWS::AccountId, a plan without a caller-identity data source). Every ARN the code builds from
 * that account uses it, so a policy that refers to the same account still evaluates the way it
 * will on AWS; annotateResults prints it as "<deploy account>" and refuses passes that would
 * depend on its real value.
 */
export const PLACEHOLDER_ACCOUNT = '000000000000';

/** The tag used when the code names a repository but its tag is only known at deploy. */
export const DEPLOY_TIME_TAG = 'deploy-time-tag';

const LIVE_HINT = 'run with --live to read it from AWS';

export interface AssembleOptions {
  /** --region, used when the code does not name its region. */
  region?: string;
}

/** The same Facts the live and snapshot sources produce, from what the code defines. */
export function assembleFacts(model: IacModel, options: AssembleOptions = {}): Facts {
  const account = model.account ?? PLACEHOLDER_ACCOUNT;
  const region = model.region ?? options.region ?? 'us-east-1';
  if (!model.region && !options.region) model.notes.push('the code names no region: assumed us-east-1 (pass --region to choose)');
  const partition = partitionOfRegion(region);
  const locations: Record<string, FactLocation> = {};
  // fix as code refers to the account the way the code does.
  if (model.accountAddress) locations['account'] = { source: model.source, address: model.accountAddress };
  const repositories: Record<string, RepositoryFacts> = {};
  const repoArnByKey = new Map<string, { arn: string; name: string }>();

  for (const repo of model.repositories) {
    const arn = `arn:${partition}:ecr:${region}:${account}:repository/${repo.name}`;
    repoArnByKey.set(repo.key, { arn, name: repo.name });
    locations[arn] = repo.location;
    if (repo.policyLocation) locations[`policy:${arn}`] = repo.policyLocation;
    const policy: Fact<{ text: string }> = repo.policy === undefined ? absent() : repo.policy.known ? present({ text: repo.policy.value }) : unknownBeforeDeploy(repo.policy.reason);
    if (repo.lifecycleLocation) locations[`lifecycle:${arn}`] = repo.lifecycleLocation;
    const lifecycle: Fact<{ text: string }> | undefined = repo.lifecycle === undefined ? undefined : repo.lifecycle.known ? present({ text: repo.lifecycle.value }) : unknownBeforeDeploy(repo.lifecycle.reason);
    repositories[arn] = {
      arn,
      registryId: account,
      region,
      name: repo.name,
      repository: present({ uri: `${account}.dkr.ecr.${region}.amazonaws.com/${repo.name}` }),
      policy,
      images: {},
      ...(lifecycle ? { lifecycle } : {}),
    };
  }

  const roles: Record<string, RoleFacts> = {};
  const roleArnByKey = new Map<string, string>();
  for (const role of model.roles) {
    const arn = `arn:${partition}:iam::${account}:role${role.path}${role.name}`;
    roleArnByKey.set(role.key, arn);
    locations[arn] = role.location;
    roles[arn] = roleFacts(arn, role, model);
  }

  const projects: ProjectFacts[] = model.projects.map((p) => {
    const arn = `arn:${partition}:codebuild:${region}:${account}:project/${p.name}`;
    locations[arn] = p.location;
    const image = imageOf(p, repoArnByKey, account, region);
    if (image.kind === 'unknown') return { requested: p.name, project: unknownBeforeDeploy(`its image is ${image.reason}`) };
    noteImage(image.uri, repositories, locations, p, model);
    const role = serviceRoleOf(p, roleArnByKey, roles);
    return {
      requested: p.name,
      project: present({
        name: p.name,
        arn,
        image: image.uri,
        ...(p.imagePullCredentialsType ? { imagePullCredentialsType: p.imagePullCredentialsType } : {}),
        ...(role ? { serviceRole: role } : {}),
        ...(p.environmentType ? { environmentType: p.environmentType } : {}),
        ...(p.computeType ? { computeType: p.computeType } : {}),
        ...(p.privilegedMode !== undefined ? { privilegedMode: p.privilegedMode } : {}),
        ...(p.environmentVariables ? { environmentVariables: p.environmentVariables } : {}),
        ...(p.source ? { source: p.source } : {}),
        ...(p.vpcConfig ? { vpcConfig: p.vpcConfig } : {}),
      }),
    };
  });

  return {
    schemaVersion: 1,
    region,
    caller: model.account ? present({ account, arn: `arn:${partition}:iam::${account}:root`, partition }) : unknownBeforeDeploy('the code does not name the account it deploys to'),
    projects,
    builds: [],
    images: [],
    repositories,
    roles,
    registries: withRegistryPolicy(registriesOf(repositories), model, account, region, locations),
    locations,
    ...(model.account ? {} : { unknownAccount: PLACEHOLDER_ACCOUNT }),
  };
}

function imageOf(p: IacProject, repos: Map<string, { arn: string; name: string }>, account: string, region: string): { kind: 'uri'; uri: string } | { kind: 'unknown'; reason: string } {
  if (p.image.kind === 'uri') return p.image;
  if (p.image.kind === 'unknown') return p.image;
  const repo = repos.get(p.image.repositoryKey);
  if (!repo) return { kind: 'unknown', reason: `a repository (${p.image.repositoryKey}) this code does not define` };
  const tag = p.image.tag.known ? p.image.tag.value : DEPLOY_TIME_TAG;
  return { kind: 'uri', uri: `${account}.dkr.ecr.${region}.amazonaws.com/${repo.name}:${tag}` };
}

/** The tag or digest a project names: images are pushed after deploy, so the code never knows whether it exists. */
export function noteImage(uri: string, repositories: Record<string, RepositoryFacts>, locations: Record<string, FactLocation>, p: IacProject, model: IacModel): void {
  let ref;
  try {
    ref = parseImageRef(uri);
  } catch {
    return; // image-reference reports the malformed image
  }
  if (ref.kind !== 'ecr') return;
  let repo = repositories[ref.repositoryArn];
  if (!repo) {
    // An ECR repository the code refers to but does not define: an existing one, unknown offline.
    repo = {
      arn: ref.repositoryArn,
      registryId: ref.account,
      region: ref.region,
      name: ref.repository,
      repository: unreadable(`it is not defined in this ${model.source === 'cloudformation' ? 'template' : 'configuration'}; ${LIVE_HINT}`),
      policy: unreadable(`repository ${ref.repository} is not defined in this code; ${LIVE_HINT}`),
      images: {},
    };
    repositories[ref.repositoryArn] = repo;
    locations[ref.repositoryArn] = { source: p.location.source, ...(p.location.address ? { address: p.location.address } : {}), ...(p.location.file ? { file: p.location.file } : {}), ...(p.location.line ? { line: p.location.line } : {}) };
  }
  const reason = ref.tag === DEPLOY_TIME_TAG ? `not known before deploy: the image tag of ${p.name} is computed at apply time` : `not known before deploy: images are pushed after the code is applied (${LIVE_HINT})`;
  repo.images[ref.reference] = unknownBeforeDeploy(reason);
}

function serviceRoleOf(p: IacProject, roleArns: Map<string, string>, roles: Record<string, RoleFacts>): string | undefined {
  const role = p.serviceRole;
  if (!role || role.kind === 'unknown') return undefined;
  if (role.kind === 'role') return roleArns.get(role.roleKey);
  if (!roles[role.arn]) {
    roles[role.arn] = {
      arn: role.arn,
      role: unreadable(`it is not defined in this code; ${LIVE_HINT}`),
      inlinePolicies: unreadable(`the role is not defined in this code; ${LIVE_HINT}`),
      attachedPolicies: unreadable(`the role is not defined in this code; ${LIVE_HINT}`),
      permissionsBoundary: unreadable(`the role is not defined in this code; ${LIVE_HINT}`),
    };
  }
  return role.arn;
}

function roleFacts(arn: string, role: IacRole, model: IacModel): RoleFacts {
  const unknownInline = role.inlinePolicies.find((p) => !p.known);
  const inline: Fact<NamedPolicy[]> = unknownInline && !unknownInline.known ? unknownBeforeDeploy(unknownInline.reason) : present(role.inlinePolicies.flatMap((p) => (p.known ? [p.value] : [])));
  let attached: Fact<NamedPolicy[]> = present([]);
  const docs: NamedPolicy[] = [];
  for (const a of role.attached) {
    if (a.kind === 'unknown') {
      attached = unknownBeforeDeploy(a.reason);
      break;
    }
    if (a.kind === 'arn') {
      // An AWS managed policy or one defined elsewhere: its document is not in the code.
      attached = unreadable(`the document of ${a.arn} is not in the code; ${LIVE_HINT}`, 'iam:GetPolicyVersion');
      break;
    }
    const policy = model.policies.find((p) => p.key === a.policyKey);
    if (!policy || !policy.document.known) {
      attached = unknownBeforeDeploy(policy && !policy.document.known ? policy.document.reason : `policy ${a.policyKey} is not defined in this code`);
      break;
    }
    docs.push({ name: policy.name, arn: `arn:aws:iam::${model.account ?? PLACEHOLDER_ACCOUNT}:policy${policy.path}${policy.name}`, document: policy.document.value });
  }
  if (attached.state === 'present') attached = present(docs);
  return {
    arn,
    role: present({ name: role.name, path: role.path, ...(role.boundaryArn ? { permissionsBoundaryArn: role.boundaryArn } : {}) }),
    inlinePolicies: inline,
    attachedPolicies: attached,
    permissionsBoundary: role.boundaryArn ? unreadable(`the boundary ${role.boundaryArn} is not in the code; ${LIVE_HINT}`, 'iam:GetPolicyVersion') : absent(),
  };
}

/**
 * The registry each repository lives in. Its registry policy belongs to the account, not to this
 * code: it is not known before deploy, and the checks say so next to their verdict (--live reads
 * the repositories the code names; the registry policy is read on a live run).
 */
export function registriesOf(repositories: Record<string, RepositoryFacts>): Record<string, RegistryFacts> {
  const out: Record<string, RegistryFacts> = {};
  for (const r of Object.values(repositories)) {
    const reason = `the registry policy of account ${r.registryId} (${r.region}) is not in this code`;
    out[registryKey(r.registryId, r.region)] ??= { registryId: r.registryId, region: r.region, policyScope: unknownBeforeDeploy(reason), policy: unknownBeforeDeploy(reason) };
  }
  return out;
}

/**
 * The registry policy the code defines is the policy of the registry it deploys to. Its scope (V1
 * or V2, an account setting: ECR User Guide, "Private registry permissions") is not in the code,
 * so the checks judge both ways and say so when that matters; registries of other accounts or
 * regions stay unknown before deploy.
 */
function withRegistryPolicy(registries: Record<string, RegistryFacts>, model: IacModel, account: string, region: string, locations: Record<string, FactLocation>): Record<string, RegistryFacts> {
  const defined = model.registryPolicy;
  if (!defined) return registries;
  const key = registryKey(account, region);
  locations[`registry:${key}`] = defined.location;
  registries[key] = {
    registryId: account,
    region,
    policyScope: unknownBeforeDeploy(`the registry policy scope (V1 or V2) of account ${account} is an account setting, not in this code`),
    // A policy the code computes at apply is one the code defines: unread, not "not in the code".
    policy: defined.policy.known ? present({ text: defined.policy.value }) : unreadable(`the registry policy the code defines is known only at apply (${defined.policy.reason})`),
  };
  return registries;
}
