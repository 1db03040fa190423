import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { partitionOfRegion } from '../../image/parse-image-ref.js';
import { UsageError } from '../../model/errors.js';
import { PLACEHOLDER_ACCOUNT } from '../iac/assemble-facts.js';
import type { IacModel } from '../iac/model.js';
import { renderPolicyDocument, type PolicyDocumentStatement } from '../iac/policy-document.js';
import type { HclNode } from './hcl-expression.js';
import { evaluateNode, firstHclUnknown, HclUnknown } from './hcl-expression.js';
import { modelFromPlan } from './plan.js';
import { findTfLines } from './tf-lines.js';

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof HclUnknown);

export interface TerraformDirOptions {
  /** -var NAME=VALUE */
  vars: string[];
  /** -var-file FILE (.tfvars) */
  varFiles: string[];
}

interface Block {
  file: string;
  body: Record<string, Json>;
}

type Hcl2Json = typeof import('@cdktf/hcl2json');

async function loadParser(): Promise<Hcl2Json> {
  return import('@cdktf/hcl2json');
}

async function parseFile(hcl: Hcl2Json, file: string): Promise<Record<string, Json>> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
  try {
    return (await hcl.parse(file, text)) as Record<string, Json>;
  } catch (e) {
    throw new UsageError(`${file} is not valid HCL: ${String((e as Error).message).split('\n')[0]}`);
  }
}

/**
 * `--terraform DIR` without a plan: the folder's .tf files read with HashiCorp's HCL parser
 * (@cdktf/hcl2json), what is static evaluated (literals, variables with defaults, -var and
 * .tfvars, locals, references between the module's resources, jsonencode, and
 * aws_iam_policy_document computed from its statement blocks), the rest unknown. The result is
 * shaped as a plan and read by the plan reader, so both paths judge the same way.
 */
export async function readTerraformDir(dir: string, options: TerraformDirOptions): Promise<IacModel> {
  const names = await readdir(dir).catch(() => {
    throw new UsageError(`cannot read Terraform folder ${dir}`, 'pass the folder that holds the .tf files');
  });
  const tfFiles = names.filter((n) => n.endsWith('.tf')).sort().map((n) => join(dir, n));
  if (tfFiles.length === 0) throw new UsageError(`${dir} holds no .tf files`);
  const hcl = await loadParser();
  const notes: string[] = [];
  const resources = new Map<string, Block>();
  const variables = new Map<string, Json>();
  const locals = new Map<string, Block>();
  let region: Json;
  for (const file of tfFiles) {
    const doc = await parseFile(hcl, file);
    for (const mode of ['resource', 'data'] as const) {
      const byType = isObj(doc[mode]) ? doc[mode] : {};
      for (const [type, byName] of Object.entries(byType)) {
        for (const [name, bodies] of Object.entries(isObj(byName) ? byName : {})) {
          const body = Array.isArray(bodies) && isObj(bodies[0]) ? bodies[0] : {};
          resources.set(`${mode === 'data' ? 'data.' : ''}${type}.${name}`, { file, body });
        }
      }
    }
    for (const [name, blocks] of Object.entries(isObj(doc.variable) ? doc.variable : {})) {
      const body = Array.isArray(blocks) && isObj(blocks[0]) ? blocks[0] : {};
      if ('default' in body) variables.set(name, { file, value: body.default });
    }
    for (const block of Array.isArray(doc.locals) ? doc.locals : []) {
      for (const [name, value] of Object.entries(isObj(block) ? block : {})) locals.set(name, { file, body: { value } });
    }
    const providers = isObj(doc.provider) ? doc.provider : {};
    const aws = Array.isArray(providers.aws) && isObj(providers.aws[0]) ? providers.aws[0] : undefined;
    if (aws && 'region' in aws) region = { file, value: aws.region };
    for (const name of Object.keys(isObj(doc.module) ? doc.module : {})) notes.push(`module.${name}: modules are not read from source; use --terraform-plan to include them`);
  }
  // Terraform's own order: terraform.tfvars, *.auto.tfvars, then -var-file and -var in order given.
  const autoFiles = names.filter((n) => n === 'terraform.tfvars' || n.endsWith('.auto.tfvars')).sort((a, b) => (a === 'terraform.tfvars' ? -1 : b === 'terraform.tfvars' ? 1 : a.localeCompare(b)));
  for (const file of [...autoFiles.map((n) => join(dir, n)), ...options.varFiles]) {
    for (const [name, value] of Object.entries(await parseFile(hcl, file))) variables.set(name, { file, value });
  }
  for (const item of options.vars) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid --var "${item}": expected NAME=VALUE`);
    variables.set(item.slice(0, eq), { file: '', value: item.slice(eq + 1) });
  }

  // Parse every interpolated string once (the parser is asynchronous), then evaluate synchronously.
  const asts = new Map<string, HclNode | HclUnknown>();
  const collect = async (v: Json, file: string): Promise<void> => {
    if (typeof v === 'string' && v.includes('${') && !asts.has(`${file}\u0000${v}`)) {
      const key = `${file}\u0000${v}`;
      try {
        asts.set(key, ((await hcl.getExpressionAst(file, expressionText(v))) as HclNode | null) ?? new HclUnknown('an empty expression'));
      } catch (e) {
        asts.set(key, new HclUnknown(`cannot parse ${v.slice(0, 40)}: ${String((e as Error).message).split('\n')[0]}`));
      }
    } else if (Array.isArray(v)) for (const x of v) await collect(x, file);
    else if (isObj(v)) for (const x of Object.values(v)) await collect(x, file);
  };
  for (const b of [...resources.values(), ...locals.values()]) await collect(b.body, b.file);
  for (const v of variables.values()) await collect((v as { value: Json }).value, (v as { file: string }).file);
  if (region) await collect((region as { value: Json }).value, (region as { file: string }).file);

  let regionValue: Json;
  const evaluator: DirEvaluator = new DirEvaluator(resources, variables, locals, asts, () => (typeof regionValue === 'string' ? regionValue : 'us-east-1'));
  regionValue = region ? evaluator.value((region as { value: Json }).value, (region as { file: string }).file) : undefined;

  const planned: Record<string, Json>[] = [];
  const changes: Record<string, Json>[] = [];
  for (const [address, block] of resources) {
    if ('count' in block.body || 'for_each' in block.body) {
      notes.push(`${address}: count and for_each are not expanded from source; use --terraform-plan to diagnose its instances`);
      continue;
    }
    const [mode, type, name] = address.startsWith('data.') ? ['data', ...address.slice(5).split('.')] : ['managed', ...address.split('.')];
    const values = evaluator.resourceValues(address);
    const { known, unknownMarks } = splitUnknown(values, address, notes);
    planned.push({ address, mode, type, name, values: known });
    changes.push({ address, mode, type, name, change: { actions: ['create'], before: null, after: known, after_unknown: unknownMarks } });
  }
  const plan = {
    format_version: '1.2',
    planned_values: { root_module: { resources: planned } },
    resource_changes: changes,
    configuration: { provider_config: { aws: { name: 'aws', expressions: typeof regionValue === 'string' ? { region: { constant_value: regionValue } } : {} } }, root_module: { resources: [] } },
  };
  const model = modelFromPlan(plan, await findTfLines(dir, new Map()), 'terraform');
  if (model.account === PLACEHOLDER_ACCOUNT) delete model.account;
  model.notes.unshift(...notes, ...evaluator.notes);
  return model;
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

/** Values known from source, and after_unknown marks (true) where a value is not. */
function splitUnknown(v: Json, path: string, notes: string[]): { known: Json; unknownMarks: Json } {
  if (v instanceof HclUnknown) {
    notes.push(`${path}: ${v.reason}`);
    return { known: undefined, unknownMarks: true };
  }
  if (Array.isArray(v)) {
    const parts = v.map((x, i) => splitUnknown(x, `${path}[${i}]`, notes));
    return { known: parts.map((p) => p.known ?? null), unknownMarks: parts.map((p) => p.unknownMarks) };
  }
  if (isObj(v)) {
    const known: Record<string, Json> = {};
    const marks: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = splitUnknown(x, `${path}.${k}`, notes);
      if (p.known !== undefined) known[k] = p.known;
      if (p.unknownMarks !== false && !(isObj(p.unknownMarks) && Object.keys(p.unknownMarks).length === 0)) marks[k] = p.unknownMarks;
    }
    return { known, unknownMarks: marks };
  }
  return { known: v, unknownMarks: false };
}

class DirEvaluator {
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
      return evaluateNode(ast, Buffer.from(expressionText(v), 'utf8'), (accessor) => this.reference(accessor));
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
