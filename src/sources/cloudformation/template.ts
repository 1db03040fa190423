import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../model/errors.js';
import type { FactLocation } from '../../model/facts.js';
import type { IacModel } from '../iac/model.js';
import { TemplateResolver, Unknown } from './intrinsics.js';
import { modelFromTemplate } from './resources.js';
import { parseTemplate, resourceLines } from './yaml-tags.js';

export interface CloudFormationOptions {
  parameters: string[];
  region?: string;
}

function parseParameters(list: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid --parameter "${item}": expected Key=Value`, 'e.g. --parameter AWS::AccountId=111122223333 --parameter ImageTag=1.2');
    out.set(item.slice(0, eq), item.slice(eq + 1));
  }
  return out;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${what} ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/** The stacks of a cdk.out folder: its manifest.json names each stack's template (cloud assembly schema). */
async function templatesOf(path: string): Promise<{ file: string; stack?: string }[]> {
  let isDir = false;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new UsageError(`cannot read CloudFormation template ${path}: no such file`);
  }
  if (!isDir) return [{ file: path }];
  const manifestText = await readText(join(path, 'manifest.json'), 'cloud assembly manifest').catch(() => {
    throw new UsageError(`${path} is a folder without manifest.json`, 'pass a template file, or a cdk.out folder written by cdk synth');
  });
  let manifest: { artifacts?: Record<string, { type?: string; properties?: { templateFile?: string } }> };
  try {
    manifest = JSON.parse(manifestText) as typeof manifest;
  } catch {
    throw new UsageError(`${join(path, 'manifest.json')} is not JSON`);
  }
  const stacks = Object.entries(manifest.artifacts ?? {}).filter(([, a]) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile);
  if (stacks.length === 0) throw new UsageError(`${path}/manifest.json names no CloudFormation stack`);
  return stacks.map(([name, a]) => ({ file: join(path, a.properties!.templateFile!), stack: name }));
}

export async function readCloudFormation(path: string, options: CloudFormationOptions): Promise<IacModel> {
  const parameters = parseParameters(options.parameters);
  const account = parameters.get('AWS::AccountId');
  if (account !== undefined && !/^\d{12}$/.test(account)) throw new UsageError(`invalid --parameter AWS::AccountId=${account}: expected 12 digits`);
  const region = parameters.get('AWS::Region') ?? options.region;
  const model: IacModel = { source: 'cloudformation', ...(account ? { account } : {}), ...(region ? { region } : {}), projects: [], repositories: [], roles: [], policies: [], notes: [] };
  for (const { file, stack } of await templatesOf(path)) {
    const text = await readText(file, 'CloudFormation template');
    let parsed;
    try {
      parsed = parseTemplate(text);
    } catch (e) {
      throw new UsageError(`CloudFormation template ${file} cannot be parsed: ${(e as Error).message}`);
    }
    const template = parsed.value;
    if (typeof template !== 'object' || template === null || typeof (template as { Resources?: unknown }).Resources !== 'object') {
      throw new UsageError(`${file} is not a CloudFormation template: it has no Resources`);
    }
    const lines = resourceLines(parsed);
    const resources = (template as { Resources: Record<string, { Type?: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }> }).Resources;
    const names = new Map<string, unknown>();
    const resolver: TemplateResolver = new TemplateResolver({
      template: template as Record<string, unknown>,
      parameters,
      ...(account ? { account } : {}),
      region: region ?? 'us-east-1',
      nameOf: (id) => nameOf(id, resources, names, resolver, model),
    });
    const locate = (id: string): FactLocation => {
      const cdkPath = resources[id]?.Metadata?.['aws:cdk:path'];
      const line = lines.get(id);
      return { source: 'cloudformation', address: typeof cdkPath === 'string' ? cdkPath : stack ? `${stack}/${id}` : id, file, ...(line ? { line } : {}) };
    };
    modelFromTemplate(resources, resolver, model, { keyPrefix: stack ? `${stack}/` : '', locate });
  }
  return model;
}

const NAME_PROPERTY: Record<string, string> = {
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::CodeBuild::Project': 'Name',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
};

/**
 * The physical name of a resource: its name property, or (when CloudFormation generates one at
 * deploy) a stand-in made from the logical id, the same everywhere the template refers to it.
 */
function nameOf(id: string, resources: Record<string, { Type?: string; Properties?: Record<string, unknown> }>, cache: Map<string, unknown>, resolver: TemplateResolver, model: IacModel): unknown {
  if (cache.has(id)) return cache.get(id);
  cache.set(id, new Unknown(`the name of ${id} refers to itself`));
  const r = resources[id];
  const prop = r?.Type ? NAME_PROPERTY[r.Type] : undefined;
  let name: unknown = prop && r?.Properties?.[prop] !== undefined ? resolver.resolve(r.Properties[prop]) : undefined;
  if (name === undefined) {
    // ECR names are lower case; CloudFormation's generated names are <stack>-<logical id>-<random>.
    name = r?.Type === 'AWS::ECR::Repository' ? id.toLowerCase().replace(/[^a-z0-9._/-]/g, '') : id;
    model.notes.push(`${id}: CloudFormation generates its name at deploy; called "${String(name)}" here`);
  }
  cache.set(id, name);
  return name;
}
