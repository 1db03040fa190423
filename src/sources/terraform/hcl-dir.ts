import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../model/errors.js';
import { PLACEHOLDER_ACCOUNT } from '../iac/assemble-facts.js';
import type { IacModel } from '../iac/model.js';
import type { HclNode } from './hcl-expression.js';
import { HclUnknown } from './hcl-expression.js';
import { type Block, DirEvaluator, expressionText } from './hcl-evaluator.js';
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

type Hcl2Json = typeof import('@cdktf/hcl2json');

/**
 * In the bundle (dist/), the parser's WASM is dist/hcl2json/main.wasm.gz (scripts/build.mjs
 * copies it there and points the package's loader at this global); from src/ the package reads
 * its own copy. The package reads the file when it is imported, so this runs first.
 */
async function loadParser(): Promise<Hcl2Json> {
  const here = dirname(fileURLToPath(import.meta.url));
  const dist = basename(here) === 'chunks' ? dirname(here) : here;
  const wasm = join(dist, 'hcl2json', 'main.wasm.gz');
  if (existsSync(wasm)) (globalThis as { __ecrDoctorHclWasm?: string }).__ecrDoctorHclWasm = wasm;
  const mod = (await import('@cdktf/hcl2json')) as Hcl2Json & { default?: Hcl2Json };
  // Bundled, the CommonJS package's exports are on `default` (esbuild sees no static named exports).
  return typeof mod.parse === 'function' ? mod : (mod.default ?? mod);
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
export { expressionText };

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
