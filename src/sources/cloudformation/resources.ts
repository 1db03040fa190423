import type { EnvironmentVariable, FactLocation, NamedPolicy } from '../../model/facts.js';
import type { IacImage, IacModel, IacProject, IacRepository, IacRole, IacValue } from '../iac/model.js';
import { known, unknown } from '../iac/model.js';
import type { TemplateResolver } from './intrinsics.js';
import { firstUnknown, NO_VALUE, Unknown } from './intrinsics.js';

type Resource = { Type?: string; Condition?: string; Properties?: Record<string, unknown> };
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Unknown);
const isString = (v: unknown): v is string => typeof v === 'string';

/** A resolved value as an IacValue: unknown when anything inside is known only at deploy. */
function asValue<T>(v: unknown, check: (x: unknown) => x is T, what: string): IacValue<T> {
  const u = firstUnknown(v);
  if (u) return unknown(u.reason);
  return check(v) ? known(v) : unknown(`${what} is not set`);
}

/** A policy document property: an object (or, as CloudFormation also accepts, its JSON text). */
function documentOf(v: unknown, what: string): IacValue<string> {
  const u = firstUnknown(v);
  if (u) return unknown(`${what}: ${u.reason}`);
  if (typeof v === 'string') return known(v);
  return isObj(v) ? known(JSON.stringify(v)) : unknown(`${what} is not set`);
}

export interface TemplateContext {
  keyPrefix: string;
  locate(id: string): FactLocation;
}

/**
 * AWS::CodeBuild::Project, AWS::ECR::Repository, AWS::ECR::RegistryPolicy, AWS::IAM::Role,
 * AWS::IAM::Policy and AWS::IAM::ManagedPolicy, with property names from the CloudFormation
 * resource reference. A resource whose Condition is false is left out.
 */
export function modelFromTemplate(resources: Record<string, Resource>, resolver: TemplateResolver, model: IacModel, ctx: TemplateContext): void {
  const entries = Object.entries(resources).filter(([id, r]) => {
    if (!r.Condition) return true;
    const c = resolver.condition(r.Condition);
    if (c instanceof Unknown) model.notes.push(`${id}: its condition ${r.Condition} cannot be decided (${c.reason}); read as if true`);
    return c !== false;
  });
  const props = (r: Resource, key: string) => (r.Properties ? resolver.resolve(r.Properties[key]) : undefined);
  const roleByName = new Map<string, IacRole>();

  for (const [id, r] of entries) {
    if (r.Type === 'AWS::ECR::Repository') {
      const name = resolver.resolve({ Ref: id });
      if (!isString(name)) {
        model.notes.push(`${id}: the repository name is known only at deploy; not diagnosed`);
        continue;
      }
      // Fn::If with AWS::NoValue removes the property: no policy, as when it is not written.
      const policy = props(r, 'RepositoryPolicyText');
      const repo: IacRepository = { key: ctx.keyPrefix + id, name, policy: policy === undefined || policy === NO_VALUE ? undefined : documentOf(policy, `${id}.RepositoryPolicyText`), location: ctx.locate(id) };
      const lifecycle = props(r, 'LifecyclePolicy');
      if (lifecycle instanceof Unknown) repo.lifecycle = unknown(`${id}.LifecyclePolicy: ${lifecycle.reason}`);
      else if (isObj(lifecycle) && lifecycle.LifecyclePolicyText !== undefined && lifecycle.LifecyclePolicyText !== NO_VALUE) {
        // LifecyclePolicyText is a JSON string (AWS::ECR::Repository LifecyclePolicy reference).
        repo.lifecycle = documentOf(lifecycle.LifecyclePolicyText, `${id}.LifecyclePolicy.LifecyclePolicyText`);
        repo.lifecycleLocation = ctx.locate(id);
      }
      model.repositories.push(repo);
    } else if (r.Type === 'AWS::ECR::RegistryPolicy') {
      // PolicyText: a JSON object (or string) for the account and region of the stack.
      if (model.registryPolicy) model.notes.push(`${id}: a second registry policy for the same registry; the first is judged`);
      else model.registryPolicy = { policy: documentOf(props(r, 'PolicyText'), `${id}.PolicyText`), location: ctx.locate(id) };
    } else if (r.Type === 'AWS::IAM::ManagedPolicy') {
      const name = resolver.resolve({ Ref: id });
      const arn = resolver.attribute(id, 'PolicyArn');
      const path = props(r, 'Path');
      model.policies.push({ key: isString(arn) ? arn : ctx.keyPrefix + id, name: isString(name) ? name : id, path: isString(path) ? path : '/', document: documentOf(props(r, 'PolicyDocument'), `${id}.PolicyDocument`) });
    }
  }

  for (const [id, r] of entries) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    const name = resolver.resolve({ Ref: id });
    if (!isString(name)) continue;
    const path = props(r, 'Path');
    const boundary = props(r, 'PermissionsBoundary');
    const role: IacRole = { key: ctx.keyPrefix + id, name, path: isString(path) ? path : '/', inlinePolicies: [], attached: [], ...(isString(boundary) ? { boundaryArn: boundary } : {}), location: ctx.locate(id) };
    const policies = props(r, 'Policies');
    for (const p of Array.isArray(policies) ? policies : []) {
      role.inlinePolicies.push(inlineOf(p, `${id}.Policies`));
    }
    const managed = props(r, 'ManagedPolicyArns');
    for (const arn of Array.isArray(managed) ? managed : []) role.attached.push(attachedOf(arn, model));
    model.roles.push(role);
    roleByName.set(name, role);
  }

  for (const [id, r] of entries) {
    const roles = r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy' ? props(r, 'Roles') : undefined;
    for (const roleName of Array.isArray(roles) ? roles : []) {
      const role = isString(roleName) ? roleByName.get(roleName) : undefined;
      if (!role) {
        model.notes.push(`${id}: attached to a role this template does not define (${isString(roleName) ? roleName : 'known at deploy'})`);
        continue;
      }
      if (r.Type === 'AWS::IAM::Policy') role.inlinePolicies.push(inlineOf({ PolicyName: props(r, 'PolicyName'), PolicyDocument: props(r, 'PolicyDocument') }, id));
      else role.attached.push(attachedOf(resolver.attribute(id, 'PolicyArn'), model));
    }
  }

  for (const [id, r] of entries) {
    if (r.Type !== 'AWS::CodeBuild::Project') continue;
    const project = projectOf(id, r, resolver, model, ctx, roleByName);
    if (project) model.projects.push(project);
  }
}

function inlineOf(p: unknown, what: string): IacValue<NamedPolicy> {
  if (!isObj(p)) return unknown(`${what}: ${p instanceof Unknown ? p.reason : 'not a policy'}`);
  const doc = documentOf(p.PolicyDocument, what);
  if (!doc.known) return doc;
  return known({ name: isString(p.PolicyName) ? p.PolicyName : what, document: doc.value });
}

function attachedOf(arn: unknown, model: IacModel): IacRole['attached'][number] {
  if (arn instanceof Unknown || !isString(arn)) return { kind: 'unknown', reason: arn instanceof Unknown ? arn.reason : 'a managed policy ARN that is not a string' };
  return model.policies.some((p) => p.key === arn) ? { kind: 'policy', policyKey: arn } : { kind: 'arn', arn };
}

function projectOf(id: string, r: Resource, resolver: TemplateResolver, model: IacModel, ctx: TemplateContext, roles: Map<string, IacRole>): IacProject | undefined {
  const name = resolver.resolve({ Ref: id });
  if (!isString(name)) {
    model.notes.push(`${id}: the project name is known only at deploy; not diagnosed`);
    return undefined;
  }
  const env = resolver.resolve(r.Properties?.Environment ?? {});
  const e = isObj(env) ? env : {};
  const str = (v: unknown) => (isString(v) && v ? v : undefined);
  const imageValue = asValue(e.Image, isString, `${id}.Environment.Image`);
  const image: IacImage = imageValue.known ? { kind: 'uri', uri: imageValue.value } : { kind: 'unknown', reason: imageValue.reason };
  const mode = e.ImagePullCredentialsType;
  const project: IacProject = {
    key: ctx.keyPrefix + id,
    name,
    image,
    ...(mode === 'CODEBUILD' || mode === 'SERVICE_ROLE' ? { imagePullCredentialsType: mode } : {}),
    ...(str(e.Type) ? { environmentType: str(e.Type)! } : {}),
    ...(str(e.ComputeType) ? { computeType: str(e.ComputeType)! } : {}),
    ...(typeof e.PrivilegedMode === 'boolean' ? { privilegedMode: e.PrivilegedMode } : {}),
    location: ctx.locate(id),
  };
  if (Array.isArray(e.EnvironmentVariables)) project.environmentVariables = e.EnvironmentVariables.filter(isObj).map(environmentVariable);
  // ServiceRole takes a role ARN or name (resource reference).
  const role = resolver.resolve(r.Properties?.ServiceRole);
  if (role instanceof Unknown) project.serviceRole = { kind: 'unknown', reason: role.reason };
  else if (isString(role)) {
    const own = roles.get(role) ?? [...roles.values()].find((x) => role.endsWith(`:role${x.path}${x.name}`));
    project.serviceRole = own ? { kind: 'role', roleKey: own.key } : role.startsWith('arn:') ? { kind: 'arn', arn: role } : { kind: 'unknown', reason: `role ${role} is not defined in this template` };
  }
  const source = resolver.resolve(r.Properties?.Source);
  if (isObj(source) && isString(source.Type)) {
    project.source = { type: source.Type, ...(str(source.Location) ? { location: str(source.Location)! } : {}), ...(str(source.BuildSpec) ? { buildspec: str(source.BuildSpec)! } : {}) };
  }
  if (isObj(source) && source.BuildSpec instanceof Unknown) project.buildspecUnknown = `${id}.Source.BuildSpec: ${source.BuildSpec.reason}`;
  const vpc = resolver.resolve(r.Properties?.VpcConfig);
  if (isObj(vpc)) {
    const list = (v: unknown) => (Array.isArray(v) ? v.filter(isString) : []);
    project.vpcConfig = { ...(str(vpc.VpcId) ? { vpcId: str(vpc.VpcId)! } : {}), subnets: list(vpc.Subnets), securityGroupIds: list(vpc.SecurityGroupIds) };
  }
  return project;
}

/** Only PLAINTEXT values are kept (facts.ts); the others are named with their type. */
function environmentVariable(v: Record<string, unknown>): EnvironmentVariable {
  const type = v.Type === 'PARAMETER_STORE' || v.Type === 'SECRETS_MANAGER' ? v.Type : 'PLAINTEXT';
  return { name: isString(v.Name) ? v.Name : '', type, ...(type === 'PLAINTEXT' && isString(v.Value) ? { value: v.Value } : {}) };
}
