import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { partitionOfRegion } from '../../image/parse-image-ref.js';
import { PLACEHOLDER_ACCOUNT } from '../iac/assemble-facts.js';
import { renderPolicyDocument, type PolicyDocumentStatement } from '../iac/policy-document.js';
import type { HclNode } from './hcl-expression.js';
import { evaluateNode, firstHclUnknown, HclUnknown } from './hcl-expression.js';

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof HclUnknown);

export interface Block {
  file: string;
  body: Record<string, Json>;
}

/**
 * What a folder's values are, from its parsed .tf files: variables, locals, resource bodies and
 * the attributes AWS's naming makes computable, each evaluated once; cycles and everything
 * Terraform computes at plan time are unknown.
 */
export class DirEvaluator {
  readonly notes: string[] = [];
  private readonly cache = new Map<string, Json>();
  private readonly active = new Set<string>();
  constructor(
    private readonly resources: Map<string, Block>,
    private readonly variables: Map<string, Json>,
    private readonly locals: Map<string, Block>,
    private readonly asts: Map<string, HclNode | HclUnknown>,
    readonly region: () => string,
  ) {}

  value(v: Json, file: string): Json {
    if (typeof v === 'string' && v.includes('${')) {
      const ast = this.asts.get(`${file}\u0000${v}`);
      if (!ast || ast instanceof HclUnknown) return ast ?? new HclUnknown('not parsed');
      const dir = dirname(file);
      // path.module/path.root/path.cwd: the folder read (Terraform runs in the root module's folder).
      const resolve = (accessor: string) => (/^path\.(module|root|cwd)$/.test(accessor) ? dir : this.reference(accessor));
      return evaluateNode(ast, Buffer.from(expressionText(v), 'utf8'), resolve, (path) => readConfigFile(resolvePath(dir, path)));
    }
    if (Array.isArray(v)) return v.map((x) => this.value(x, file));
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.value(x, file)]));
    return v;
  }

  resourceValues(address: string): Json {
    return this.memo(`values:${address}`, () => {
      const block = this.resources.get(address)!;
      const values = this.value(block.body, block.file);
      if (address.startsWith('data.aws_iam_policy_document.') && isObj(values)) return { ...values, json: this.policyJson(values) };
      // Terraform itself reads the caller identity at plan time; from source it is the deploy account.
      if (address.startsWith('data.aws_caller_identity.')) return { account_id: PLACEHOLDER_ACCOUNT };
      return values;
    });
  }

  private memo(key: string, make: () => Json): Json {
    if (this.cache.has(key)) return this.cache.get(key);
    if (this.active.has(key)) return new HclUnknown(`${key} refers to itself`);
    this.active.add(key);
    const v = make();
    this.active.delete(key);
    this.cache.set(key, v);
    return v;
  }

  private reference(accessor: string): Json {
    const parts = accessor.match(/[^.[\]]+|\[[^\]]*\]/g) ?? [];
    const [head, second] = parts;
    let base: Json;
    let rest: string[];
    if (head === 'var' && second) {
      const v = this.variables.get(second) as { file: string; value: Json } | undefined;
      base = v === undefined ? new HclUnknown(`var.${second} has no value (pass --var ${second}=...)`) : this.memo(`var:${second}`, () => this.value(v.value, v.file));
      rest = parts.slice(2);
    } else if (head === 'local' && second) {
      const l = this.locals.get(second);
      base = l === undefined ? new HclUnknown(`local.${second} is not defined`) : this.memo(`local:${second}`, () => this.value(l.body.value, l.file));
      rest = parts.slice(2);
    } else if (head === 'data' && parts.length >= 3) {
      return this.attribute(`data.${second}.${parts[2]}`, parts.slice(3));
    } else if (head && second && this.resources.has(`${head}.${second}`)) {
      return this.attribute(`${head}.${second}`, parts.slice(2));
    } else {
      return new HclUnknown(`${accessor} is known only at plan time`);
    }
    return traverse(base, rest);
  }

  private attribute(address: string, rest: string[]): Json {
    if (!this.resources.has(address)) return new HclUnknown(`${address} is not defined in this folder`);
    const values = this.resourceValues(address);
    const [attr, ...more] = rest;
    if (!attr) return values;
    if (isObj(values) && attr in values) return traverse(values[attr], more);
    const computed = computedAttribute(address, attr, values, this.region());
    return computed instanceof HclUnknown ? computed : traverse(computed, more);
  }

  private policyJson(values: Record<string, Json>): Json {
    for (const key of ['source_policy_documents', 'override_policy_documents', 'source_json', 'override_json']) {
      if (key in values) return new HclUnknown(`the document merges other documents (${key}), which ecr-doctor does not compute`);
    }
    const u = firstHclUnknown(values.statement);
    if (u) return u;
    const statements = (Array.isArray(values.statement) ? values.statement : []).filter(isObj).map((s) => s as unknown as PolicyDocumentStatement);
    return renderPolicyDocument(statements, typeof values.version === 'string' ? values.version : '2012-10-17');
  }
}

function traverse(v: Json, rest: string[]): Json {
  let out = v;
  for (const step of rest) {
    if (out instanceof HclUnknown) return out;
    const key = step.startsWith('[') ? step.slice(1, -1).replace(/^"|"$/g, '') : step;
    out = Array.isArray(out) ? out[Number(key)] : isObj(out) ? out[key] : undefined;
    if (out === undefined) return new HclUnknown(`${step} is not set`);
  }
  return out;
}

/**
 * Attributes the provider computes, from the names the code gives (AWS's ARN and URI formats),
 * in the stand-in account (the source does not name one) and the provider's region.
 */
function computedAttribute(address: string, attr: string, values: Json, region: string): Json {
  const v = isObj(values) ? values : {};
  const type = address.split('.').slice(0, -1).join('.');
  const name = typeof v.name === 'string' ? v.name : undefined;
  if (!name) return new HclUnknown(`${address}.${attr} needs a static name`);
  const path = typeof v.path === 'string' ? v.path : '/';
  const partition = partitionOfRegion(region);
  const account = PLACEHOLDER_ACCOUNT;
  switch (`${type}.${attr}`) {
    case 'aws_ecr_repository.id':
    case 'aws_iam_role.id':
      return name;
    case 'aws_ecr_repository.arn':
      return `arn:${partition}:ecr:${region}:${account}:repository/${name}`;
    case 'aws_ecr_repository.repository_url':
      return `${account}.dkr.ecr.${region}.amazonaws.com/${name}`;
    case 'aws_ecr_repository.registry_id':
      return account;
    case 'aws_iam_role.arn':
      return `arn:${partition}:iam::${account}:role${path}${name}`;
    case 'aws_iam_policy.arn':
    case 'aws_iam_policy.id':
      return `arn:${partition}:iam::${account}:policy${path}${name}`;
    case 'aws_codebuild_project.arn':
    case 'aws_codebuild_project.id':
      return `arn:${partition}:codebuild:${region}:${account}:project/${name}`;
    default:
      return new HclUnknown(`${address}.${attr} is computed by the provider at apply`);
  }
}

/**
 * What to hand the expression parser: hcl2json writes any non-literal attribute as "${expr}".
 * A string that is one interpolation is the expression itself (it may span lines, which a quoted
 * template cannot); anything else is a template, quoted.
 */
export function expressionText(v: string): string {
  if (!v.startsWith('${')) return JSON.stringify(v);
  let depth = 0;
  let quote = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === '"') quote = false;
      continue;
    }
    if (c === '"') quote = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i === v.length - 1 ? v.slice(2, -1) : JSON.stringify(v);
  }
  return JSON.stringify(v);
}

const MAX_CONFIG_FILE = 1024 * 1024;

/** file(PATH) of Terraform: the text of a file next to the configuration, or unknown when it cannot be read. */
function readConfigFile(path: string): Json {
  try {
    if (statSync(path).size > MAX_CONFIG_FILE) return new HclUnknown(`file(${path}) is larger than 1 MiB`);
    return readFileSync(path, 'utf8');
  } catch {
    return new HclUnknown(`file(${path}) cannot be read here`);
  }
}
