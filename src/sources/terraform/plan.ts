import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from '../../model/errors.js';
import type { EnvironmentVariable, FactLocation, PullMode } from '../../model/facts.js';
import type { IacImage, IacManagedPolicy, IacModel, IacProject, IacRepository, IacRole, IacValue } from '../iac/model.js';
import { known, unknown } from '../iac/model.js';
import type { PlanIndex, PlanInstance } from './plan-values.js';
import { at, indexPlan, isObj, isUnknownAt } from './plan-values.js';
import { PlanResolver } from './resolve.js';
import type { SourceLines } from './tf-lines.js';
import { findTfLines } from './tf-lines.js';

export interface PlanReadOptions {
  /** The folder holding the plan's .tf files, for file:line (default: the plan file's folder). */
  sourceDir?: string;
}

export async function readTerraformPlan(file: string, options: PlanReadOptions = {}): Promise<IacModel> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read Terraform plan ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message}`, 'write it with: terraform plan -out=tfplan && terraform show -json tfplan > plan.json');
  }
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch {
    throw new UsageError(`Terraform plan ${file} is not JSON`, 'pass the output of `terraform show -json tfplan`, not the binary plan file');
  }
  if (!isObj(plan) || typeof plan.format_version !== 'string') throw new UsageError(`${file} is not Terraform's JSON output: it has no format_version`, 'pass the output of `terraform show -json tfplan`');
  // The format promises: reject an unsupported major version, ignore unknown properties.
  if (!/^(0|1)\./.test(plan.format_version)) throw new UsageError(`${file} has format_version ${plan.format_version}; ecr-doctor reads Terraform's JSON output format 0.x and 1.x`);
  const lines = await findTfLines(options.sourceDir ?? dirname(file), indexPlan(plan).moduleSources);
  return modelFromPlan(plan, lines);
}

function constantOf(expressions: Record<string, unknown>, key: string): unknown {
  const e = expressions[key];
  return isObj(e) ? e.constant_value : undefined;
}

function accountAndRegion(index: PlanIndex): { account?: string; region?: string } {
  let account: string | undefined;
  let region: string | undefined;
  for (const i of index.instances) {
    if (i.mode !== 'data') continue;
    const id = at(i.values, ['account_id']);
    if (i.type === 'aws_caller_identity' && typeof id === 'string' && /^\d{12}$/.test(id)) account ??= id;
    const name = at(i.values, ['name']) ?? at(i.values, ['region']);
    if (i.type === 'aws_region' && typeof name === 'string') region ??= name;
  }
  const allowed = constantOf(index.providerExpressions, 'allowed_account_ids');
  if (!account && Array.isArray(allowed) && allowed.length === 1 && typeof allowed[0] === 'string') account = allowed[0];
  const providerRegion = constantOf(index.providerExpressions, 'region');
  if (typeof providerRegion === 'string') region = providerRegion;
  return { ...(account ? { account } : {}), ...(region ? { region } : {}) };
}

export function modelFromPlan(plan: Record<string, unknown>, lines: SourceLines = new Map(), source: 'terraform-plan' | 'terraform' = 'terraform-plan'): IacModel {
  const index = indexPlan(plan);
  const { account, region } = accountAndRegion(index);
  const resolver = new PlanResolver(index, account, region ?? 'us-east-1');
  const locate = (i: PlanInstance): FactLocation => {
    const where = lines.get(configKey(i));
    return { source, address: i.address, ...(where ? { file: where.file, line: where.line } : {}) };
  };
  const of = (type: string, mode: 'managed' | 'data' = 'managed') => index.instances.filter((i) => i.type === type && i.mode === mode);
  const caller = index.instances.find((i) => i.mode === 'data' && i.type === 'aws_caller_identity');
  const model: IacModel = { source, ...(caller ? { accountAddress: caller.address } : {}), ...(account ? { account } : {}), ...(region ? { region } : {}), projects: [], repositories: [], roles: [], policies: [], notes: resolver.notes };

  const repoByName = new Map<string, IacRepository>();
  for (const r of of('aws_ecr_repository')) {
    const name = resolver.stringAt(r, ['name']);
    if (!name.known) {
      model.notes.push(`${r.address}: the repository name is unknown until apply; its pulls are not diagnosed`);
      continue;
    }
    const repo: IacRepository = { key: r.address, name: name.value, policy: undefined, location: locate(r) };
    model.repositories.push(repo);
    repoByName.set(name.value, repo);
  }
  for (const p of of('aws_ecr_repository_policy')) {
    const repoName = resolver.stringAt(p, ['repository']);
    const repo = repoName.known ? repoByName.get(repoName.value) : undefined;
    if (!repo) {
      model.notes.push(`${p.address}: its repository ${repoName.known ? repoName.value : '(unknown until apply)'} is not defined in this plan`);
      continue;
    }
    repo.policy = resolver.stringAt(p, ['policy']);
    repo.policyLocation = locate(p);
  }
  for (const p of of('aws_ecr_lifecycle_policy')) {
    const repoName = resolver.stringAt(p, ['repository']);
    const repo = repoName.known ? repoByName.get(repoName.value) : undefined;
    if (!repo) {
      model.notes.push(`${p.address}: its repository ${repoName.known ? repoName.value : '(unknown until apply)'} is not defined in this plan`);
      continue;
    }
    repo.lifecycle = resolver.stringAt(p, ['policy']);
    repo.lifecycleLocation = locate(p);
  }
  // One registry policy per account and region (the provider's): the registry the code deploys to.
  const registryPolicies = of('aws_ecr_registry_policy');
  for (const p of registryPolicies.slice(1)) model.notes.push(`${p.address}: a second registry policy for the same registry; the first (${registryPolicies[0]!.address}) is judged`);
  if (registryPolicies[0]) model.registryPolicy = { policy: resolver.stringAt(registryPolicies[0], ['policy']), location: locate(registryPolicies[0]) };

  const policies: IacManagedPolicy[] = of('aws_iam_policy').map((p) => {
    const name = resolver.stringAt(p, ['name']);
    const path = at(p.values, ['path']);
    return { key: p.address, name: name.known ? name.value : p.name, path: typeof path === 'string' ? path : '/', document: resolver.stringAt(p, ['policy']) };
  });
  model.policies = policies;

  const roleByName = new Map<string, IacRole>();
  for (const r of of('aws_iam_role')) {
    const name = resolver.stringAt(r, ['name']);
    if (!name.known) {
      model.notes.push(`${r.address}: the role name is unknown until apply (name_prefix?); its policies are not read`);
      continue;
    }
    const path = at(r.values, ['path']);
    const boundary = at(r.values, ['permissions_boundary']);
    const inline = at(r.values, ['inline_policy']);
    const role: IacRole = {
      key: r.address,
      name: name.value,
      path: typeof path === 'string' ? path : '/',
      inlinePolicies: [],
      attached: [],
      ...(typeof boundary === 'string' && boundary ? { boundaryArn: boundary } : {}),
      location: locate(r),
    };
    for (let k = 0; k < (Array.isArray(inline) ? inline.length : 0); k++) {
      const policyName = resolver.stringAt(r, ['inline_policy', k, 'name']);
      const doc = resolver.stringAt(r, ['inline_policy', k, 'policy']);
      if (policyName.known && !policyName.value) continue; // the provider's empty block: no inline policies
      role.inlinePolicies.push(doc.known ? known({ name: policyName.known ? policyName.value : `inline-${k}`, document: doc.value }) : doc);
    }
    // managed_policy_arns is optional and computed: left out of the configuration, it is whatever the
    // aws_iam_role_policy_attachment resources (read below) attach, not an unknown.
    const managedConfigured = !r.config || 'managed_policy_arns' in r.config.expressions;
    const managed = managedConfigured ? resolver.stringsAt(r, ['managed_policy_arns']) : known<string[]>([]);
    if (managed.known) role.attached.push(...managed.value.map((arn) => attachedFor(arn, policies, resolver, account)));
    else role.attached.push({ kind: 'unknown', reason: managed.reason });
    model.roles.push(role);
    roleByName.set(name.value, role);
  }
  for (const rp of of('aws_iam_role_policy')) {
    const role = roleOf(resolver.stringAt(rp, ['role']), roleByName);
    if (!role) continue;
    const name = resolver.stringAt(rp, ['name']);
    const doc = resolver.stringAt(rp, ['policy']);
    role.inlinePolicies.push(doc.known ? known({ name: name.known ? name.value : rp.name, document: doc.value }) : doc);
  }
  for (const a of of('aws_iam_role_policy_attachment')) {
    const role = roleOf(resolver.stringAt(a, ['role']), roleByName);
    if (!role) continue;
    const arn = resolver.stringAt(a, ['policy_arn']);
    if (!arn.known) {
      role.attached.push({ kind: 'unknown', reason: arn.reason });
      continue;
    }
    role.attached.push(attachedFor(arn.value, policies, resolver, account));
  }

  for (const p of of('aws_codebuild_project')) {
    const project = projectOf(p, resolver, model, locate(p));
    if (project) model.projects.push(project);
  }
  return model;
}

function configKey(i: PlanInstance): string {
  return i.config ? [...i.config.modulePath.map((m) => `module.${m}.`), i.config.address].join('') : i.address.replace(/\[(?:"(?:[^"\\]|\\.)*"|\d+)\]/g, '');
}

function roleOf(name: IacValue<string>, roles: Map<string, IacRole>): IacRole | undefined {
  if (!name.known) return undefined;
  // `role` takes a name; an ARN is accepted too (its last path segment is the name).
  return roles.get(name.value) ?? roles.get(name.value.replace(/^arn:[^:]+:iam::\d{12}:role\/(?:.*\/)?/, ''));
}

function attachedFor(arn: string, policies: IacManagedPolicy[], resolver: PlanResolver, account: string | undefined): IacRole['attached'][number] {
  for (const p of policies) {
    const inst = resolver.index.byAddress.get(p.key);
    const own = inst ? resolver.attribute(inst, 'arn') : undefined;
    if (own?.known && own.value === arn) return { kind: 'policy', policyKey: p.key };
  }
  void account;
  return { kind: 'arn', arn };
}

function projectOf(p: PlanInstance, resolver: PlanResolver, model: IacModel, location: FactLocation): IacProject | undefined {
  const name = resolver.stringAt(p, ['name']);
  if (!name.known) {
    model.notes.push(`${p.address}: the project name is unknown until apply; not diagnosed`);
    return undefined;
  }
  const env = (key: string) => at(p.values, ['environment', 0, key]);
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const mode = str(env('image_pull_credentials_type'));
  const project: IacProject = {
    key: p.address,
    name: name.value,
    image: imageOf(p, resolver),
    ...(mode === 'CODEBUILD' || mode === 'SERVICE_ROLE' ? { imagePullCredentialsType: mode as PullMode } : {}),
    ...(str(env('type')) ? { environmentType: str(env('type'))! } : {}),
    ...(str(env('compute_type')) ? { computeType: str(env('compute_type'))! } : {}),
    ...(typeof env('privileged_mode') === 'boolean' ? { privilegedMode: env('privileged_mode') as boolean } : {}),
    location,
  };
  const role = resolver.stringAt(p, ['service_role']);
  if (role.known) project.serviceRole = { kind: 'arn', arn: role.value };
  else {
    const ref = resolver.referred(p, ['service_role']);
    project.serviceRole = ref?.target.type === 'aws_iam_role' ? { kind: 'role', roleKey: ref.target.address } : { kind: 'unknown', reason: role.reason };
  }
  if (project.serviceRole.kind === 'arn') {
    const arn = project.serviceRole.arn;
    const own = model.roles.find((r) => arn.endsWith(`:role${r.path}${r.name}`));
    if (own) project.serviceRole = { kind: 'role', roleKey: own.key };
  }
  const vars = env('environment_variable');
  if (Array.isArray(vars)) project.environmentVariables = vars.filter(isObj).map(environmentVariable);
  const source = at(p.values, ['source', 0]);
  if (isObj(source) && typeof source.type === 'string') {
    project.source = { type: source.type, ...(str(source.location) ? { location: str(source.location)! } : {}), ...(str(source.buildspec) ? { buildspec: str(source.buildspec)! } : {}) };
  }
  // after_unknown: the buildspec is computed at apply (a templatefile of a resource attribute, ...).
  if (isUnknownAt(p.unknown, ['source', 0, 'buildspec'])) project.buildspecUnknown = `the buildspec of ${p.address} is known only at apply`;
  const vpc = at(p.values, ['vpc_config', 0]);
  if (isObj(vpc)) {
    const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    project.vpcConfig = { ...(str(vpc.vpc_id) ? { vpcId: str(vpc.vpc_id)! } : {}), subnets: list(vpc.subnets), securityGroupIds: list(vpc.security_group_ids) };
  }
  return project;
}

/** Only PLAINTEXT values are kept (facts.ts); the others are named with their type. */
function environmentVariable(v: Record<string, unknown>): EnvironmentVariable {
  const type = v.type === 'PARAMETER_STORE' || v.type === 'SECRETS_MANAGER' ? v.type : 'PLAINTEXT';
  return { name: typeof v.name === 'string' ? v.name : '', type, ...(type === 'PLAINTEXT' && typeof v.value === 'string' ? { value: v.value } : {}) };
}

function imageOf(p: PlanInstance, resolver: PlanResolver): IacImage {
  const path = ['environment', 0, 'image'];
  if (!isUnknownAt(p.unknown, path)) {
    const image = at(p.values, path);
    return typeof image === 'string' && image ? { kind: 'uri', uri: image } : { kind: 'unknown', reason: 'not set' };
  }
  // "${aws_ecr_repository.build.repository_url}:latest": the plan lists the reference, not the text around it.
  const ref = resolver.referred(p, path);
  if (ref?.target.type === 'aws_ecr_repository' && ref.target.mode === 'managed') {
    resolver.notes.push(`${p.address}: the image is unknown until apply; it refers to ${ref.target.address}, so that repository is diagnosed (its tag cannot be known)`);
    return { kind: 'repository', repositoryKey: ref.target.address, tag: unknown('the tag is written around the reference, which the plan does not show') };
  }
  return { kind: 'unknown', reason: 'unknown until apply, and it refers to no repository of this plan' };
}
