import { partitionOfRegion } from '../../image/parse-image-ref.js';
import { PLACEHOLDER_ACCOUNT } from '../iac/assemble-facts.js';

/** A value CloudFormation only knows at deploy (an import, an SSM parameter, a generated id). */
export class Unknown {
  constructor(readonly reason: string) {}
}

/** AWS::NoValue: the property is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Unknown);

export function firstUnknown(v: Json): Unknown | undefined {
  if (v instanceof Unknown) return v;
  if (Array.isArray(v)) for (const x of v) {
    const u = firstUnknown(x);
    if (u) return u;
  }
  if (isObj(v)) for (const x of Object.values(v)) {
    const u = firstUnknown(x);
    if (u) return u;
  }
  return undefined;
}

export interface ResolveContext {
  template: Record<string, Json>;
  parameters: ReadonlyMap<string, string>;
  /** The account and region given with --parameter AWS::AccountId=/AWS::Region= (or --region). */
  account?: string;
  region: string;
  /** The name CloudFormation will use for a resource (given, or a stand-in for a generated one). */
  nameOf(logicalId: string): Json;
}

/**
 * Resolves the intrinsic functions of a template within the template (CloudFormation user guide,
 * "Intrinsic function reference" and "Pseudo parameters reference"): Ref, Fn::GetAtt, Fn::Sub,
 * Fn::Join, Fn::Select, Fn::Split, Fn::If with Conditions, Fn::FindInMap, Fn::Base64,
 * Fn::ToJsonString. Fn::ImportValue, Fn::GetAZs, Fn::Cidr, Fn::Transform and dynamic references
 * ({{resolve:...}}) are unknown.
 */
export class TemplateResolver {
  private readonly conditionCache = new Map<string, boolean | Unknown>();
  constructor(private readonly ctx: ResolveContext) {}

  private get account(): string {
    return this.ctx.account ?? PLACEHOLDER_ACCOUNT;
  }

  private resources(): Record<string, Json> {
    return isObj(this.ctx.template.Resources) ? this.ctx.template.Resources : {};
  }

  resolve(v: Json, depth = 0): Json {
    if (depth > 50) return new Unknown('the template refers to itself');
    if (typeof v === 'string') return v.includes('{{resolve:') ? new Unknown(`a dynamic reference (${v.slice(0, 60)}) is resolved at deploy`) : v;
    if (Array.isArray(v)) return v.map((x) => this.resolve(x, depth + 1)).filter((x) => x !== NO_VALUE);
    if (!isObj(v)) return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const key = keys[0]!;
      const arg = v[key];
      if (key === 'Ref') return this.ref(this.resolve(arg, depth + 1), depth);
      if (key === 'Condition' && typeof arg === 'string') return this.condition(arg, depth);
      if (key.startsWith('Fn::')) return this.fn(key.slice(4), arg, depth);
    }
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) {
      const r = this.resolve(x, depth + 1);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  condition(name: string, depth = 0): boolean | Unknown {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    const conditions = isObj(this.ctx.template.Conditions) ? this.ctx.template.Conditions : {};
    if (!(name in conditions)) return new Unknown(`condition ${name} is not defined`);
    this.conditionCache.set(name, new Unknown(`condition ${name} refers to itself`));
    const r = this.resolve(conditions[name], depth + 1);
    const value = typeof r === 'boolean' ? r : r instanceof Unknown ? r : new Unknown(`condition ${name} is not a boolean`);
    this.conditionCache.set(name, value);
    return value;
  }

  private ref(name: Json, depth: number): Json {
    if (name instanceof Unknown) return name;
    if (typeof name !== 'string') return new Unknown('a Ref to something that is not a name');
    const given = this.ctx.parameters.get(name);
    switch (name) {
      case 'AWS::AccountId':
        return this.account;
      case 'AWS::Region':
        return this.ctx.region;
      case 'AWS::Partition':
        return partitionOfRegion(this.ctx.region);
      case 'AWS::URLSuffix':
        return this.ctx.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::StackName':
      case 'AWS::StackId':
      case 'AWS::NotificationARNs':
        return given ?? new Unknown(`${name} is known at deploy (pass --parameter ${name}=...)`);
    }
    const params = isObj(this.ctx.template.Parameters) ? this.ctx.template.Parameters : {};
    const param = params[name];
    if (isObj(param)) {
      const type = typeof param.Type === 'string' ? param.Type : 'String';
      const value = given ?? (param.Default !== undefined ? String(param.Default) : undefined);
      if (value === undefined) return new Unknown(`parameter ${name} has no default (pass --parameter ${name}=...)`);
      // An SSM parameter type holds the parameter's name; its value is read at deploy.
      if (type.startsWith('AWS::SSM::Parameter::Value') && given === undefined) return new Unknown(`parameter ${name} is read from SSM at deploy`);
      return type.startsWith('List<') || type === 'CommaDelimitedList' ? value.split(',').map((s) => s.trim()) : value;
    }
    const resource = this.resources()[name];
    if (!isObj(resource)) return new Unknown(`Ref ${name}: no such parameter or resource`);
    return this.refOfResource(name, String(resource.Type), depth);
  }

  private refOfResource(id: string, type: string, depth: number): Json {
    switch (type) {
      case 'AWS::ECR::Repository':
      case 'AWS::IAM::Role':
      case 'AWS::CodeBuild::Project':
        return this.ctx.nameOf(id);
      case 'AWS::IAM::ManagedPolicy':
        return this.attribute(id, 'PolicyArn', depth);
      default:
        return new Unknown(`the Ref of ${id} (${type}) is known at deploy`);
    }
  }

  attribute(id: string, attr: string, depth = 0): Json {
    const resource = this.resources()[id];
    if (!isObj(resource)) return new Unknown(`GetAtt ${id}.${attr}: no such resource`);
    const name = this.ctx.nameOf(id);
    if (name instanceof Unknown) return name;
    const p = partitionOfRegion(this.ctx.region);
    const props = isObj(resource.Properties) ? resource.Properties : {};
    const path = () => {
      const v = this.resolve(props.Path ?? '/', depth + 1);
      return typeof v === 'string' ? v : '/';
    };
    switch (`${String(resource.Type)}.${attr}`) {
      case 'AWS::ECR::Repository.Arn':
        return `arn:${p}:ecr:${this.ctx.region}:${this.account}:repository/${String(name)}`;
      case 'AWS::ECR::Repository.RepositoryUri':
        return `${this.account}.dkr.ecr.${this.ctx.region}.amazonaws.com/${String(name)}`;
      case 'AWS::IAM::Role.Arn':
        return `arn:${p}:iam::${this.account}:role${path()}${String(name)}`;
      case 'AWS::CodeBuild::Project.Arn':
        return `arn:${p}:codebuild:${this.ctx.region}:${this.account}:project/${String(name)}`;
      case 'AWS::IAM::ManagedPolicy.PolicyArn':
        return `arn:${p}:iam::${this.account}:policy${path()}${String(name)}`;
      default:
        return new Unknown(`${id}.${attr} is known at deploy`);
    }
  }

  private fn(name: string, raw: Json, depth: number): Json {
    switch (name) {
      case 'GetAtt': {
        const arg = typeof raw === 'string' ? [raw.slice(0, raw.indexOf('.')), raw.slice(raw.indexOf('.') + 1)] : this.resolve(raw, depth + 1);
        if (!Array.isArray(arg) || typeof arg[0] !== 'string' || typeof arg[1] !== 'string') return new Unknown('Fn::GetAtt needs [LogicalId, Attribute]');
        return this.attribute(arg[0], arg[1], depth);
      }
      case 'Sub':
        return this.sub(raw, depth);
      case 'If': {
        if (!Array.isArray(raw) || raw.length !== 3 || typeof raw[0] !== 'string') return new Unknown('Fn::If needs [Condition, then, else]');
        const c = this.condition(raw[0], depth);
        return c instanceof Unknown ? c : this.resolve(c ? raw[1] : raw[2], depth + 1);
      }
      case 'ImportValue':
        return new Unknown('a cross-stack import (Fn::ImportValue) is known at deploy; run with --live');
      case 'GetAZs':
      case 'Cidr':
      case 'Transform':
        return new Unknown(`Fn::${name} is evaluated at deploy`);
    }
    const arg = this.resolve(raw, depth + 1);
    const u = firstUnknown(arg);
    if (u) return u;
    const list = Array.isArray(arg) ? arg : [];
    switch (name) {
      case 'Join':
        return typeof list[0] === 'string' && Array.isArray(list[1]) ? list[1].map(String).join(list[0]) : new Unknown('Fn::Join needs [delimiter, list]');
      case 'Select': {
        const i = Number(list[0]);
        return Array.isArray(list[1]) && Number.isInteger(i) && i >= 0 && i < list[1].length ? list[1][i] : new Unknown('Fn::Select index out of range');
      }
      case 'Split':
        return typeof list[0] === 'string' && typeof list[1] === 'string' ? list[1].split(list[0]) : new Unknown('Fn::Split needs [delimiter, string]');
      case 'FindInMap': {
        const maps = isObj(this.ctx.template.Mappings) ? this.ctx.template.Mappings : {};
        const m = maps[String(list[0])];
        const top = isObj(m) ? m[String(list[1])] : undefined;
        return isObj(top) && String(list[2]) in top ? this.resolve(top[String(list[2])], depth + 1) : new Unknown(`Fn::FindInMap ${list.join('.')} is not in Mappings`);
      }
      case 'Base64':
        return typeof arg === 'string' ? Buffer.from(arg).toString('base64') : new Unknown('Fn::Base64 needs a string');
      case 'ToJsonString':
        return JSON.stringify(arg);
      case 'Length':
        return Array.isArray(arg) ? arg.length : new Unknown('Fn::Length needs a list');
      case 'Equals':
        return list.length === 2 && JSON.stringify(list[0]) === JSON.stringify(list[1]);
      case 'Not':
        return typeof list[0] === 'boolean' ? !list[0] : new Unknown('Fn::Not needs a condition');
      case 'And':
        return list.every((x) => x === true);
      case 'Or':
        return list.some((x) => x === true);
      default:
        return new Unknown(`Fn::${name} is not evaluated by ecr-doctor`);
    }
  }

  private sub(raw: Json, depth: number): Json {
    const [text, varsRaw] = Array.isArray(raw) ? [raw[0], raw[1]] : [raw, {}];
    if (typeof text !== 'string') return new Unknown('Fn::Sub needs a string');
    const vars = isObj(varsRaw) ? varsRaw : {};
    let unknown: Unknown | undefined;
    const out = text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      let v: Json;
      if (inner in vars) v = this.resolve(vars[inner], depth + 1);
      else if (inner.includes('.') && !inner.startsWith('AWS::')) v = this.attribute(inner.slice(0, inner.indexOf('.')), inner.slice(inner.indexOf('.') + 1), depth);
      else v = this.ref(inner, depth);
      if (v instanceof Unknown) unknown ??= v;
      return typeof v === 'string' || typeof v === 'number' ? String(v) : whole;
    });
    return unknown ?? this.resolve(out, depth + 1);
  }
}
