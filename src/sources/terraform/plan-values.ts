/**
 * Reading Terraform's JSON output format (`terraform show -json`, format_version 1.x; the
 * "JSON Output Format" page of the Terraform internals docs): resource instances from
 * planned_values (or values, for state), what is unknown until apply from
 * resource_changes[].change.after_unknown, and the unevaluated expressions (constant_value,
 * references) of the configuration, by module.
 */
type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface PlanInstance {
  /** Full address: module.app["x"].aws_ecr_repository.build[0]. */
  address: string;
  /** The module instance prefix ("" for the root, else "module.app[\"x\"]."). */
  modulePrefix: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  index?: string | number;
  values: Record<string, Json>;
  /** Mirrors values: true where the value is known only after apply. */
  unknown: Json;
  config?: ConfigResource;
}

export interface ConfigResource {
  address: string;
  expressions: Record<string, Json>;
  /** The module call path without instance keys, e.g. ["app"]. */
  modulePath: string[];
}

export interface PlanIndex {
  instances: PlanInstance[];
  byAddress: Map<string, PlanInstance>;
  providerExpressions: Record<string, Json>;
  moduleSources: Map<string, string>;
}

function walkModule(module: Json, out: Map<string, Omit<PlanInstance, 'unknown'>>): void {
  if (!isObj(module)) return;
  for (const r of Array.isArray(module.resources) ? module.resources : []) {
    if (!isObj(r) || typeof r.address !== 'string' || typeof r.type !== 'string' || typeof r.name !== 'string') continue;
    const mode = r.mode === 'data' ? 'data' : 'managed';
    const local = `${mode === 'data' ? 'data.' : ''}${r.type}.${r.name}`;
    const at = r.address.lastIndexOf(local);
    out.set(r.address, {
      address: r.address,
      modulePrefix: at > 0 ? r.address.slice(0, at) : '',
      mode,
      type: r.type,
      name: r.name,
      ...(typeof r.index === 'string' || typeof r.index === 'number' ? { index: r.index } : {}),
      values: isObj(r.values) ? r.values : {},
    });
  }
  for (const child of Array.isArray(module.child_modules) ? module.child_modules : []) walkModule(child, out);
}

function walkConfig(module: Json, path: string[], out: Map<string, ConfigResource>, sources: Map<string, string>): void {
  if (!isObj(module)) return;
  for (const r of Array.isArray(module.resources) ? module.resources : []) {
    if (!isObj(r) || typeof r.address !== 'string') continue;
    out.set([...path.map((p) => `module.${p}.`), r.address].join(''), { address: r.address, expressions: isObj(r.expressions) ? r.expressions : {}, modulePath: path });
  }
  if (!isObj(module.module_calls)) return;
  for (const [name, call] of Object.entries(module.module_calls)) {
    if (!isObj(call)) continue;
    if (typeof call.source === 'string') sources.set([...path, name].join('.'), call.source);
    walkConfig(call.module, [...path, name], out, sources);
  }
}

/** module.app["x"].aws_y.z[0] → module.app.aws_y.z (the configuration address). */
export function configAddressOf(address: string): string {
  return address.replace(/\[(?:"(?:[^"\\]|\\.)*"|\d+)\]/g, '');
}

export function indexPlan(plan: Record<string, Json>): PlanIndex {
  const found = new Map<string, Omit<PlanInstance, 'unknown'>>();
  // Data sources read during plan are in prior_state; planned_values wins where both have one.
  if (isObj(plan.prior_state) && isObj(plan.prior_state.values)) walkModule(plan.prior_state.values.root_module, found);
  const values = isObj(plan.planned_values) ? plan.planned_values : isObj(plan.values) ? plan.values : {};
  walkModule(values.root_module, found);
  const unknownByAddress = new Map<string, Json>();
  const deleted = new Set<string>();
  for (const rc of Array.isArray(plan.resource_changes) ? plan.resource_changes : []) {
    if (!isObj(rc) || typeof rc.address !== 'string' || !isObj(rc.change)) continue;
    const actions = Array.isArray(rc.change.actions) ? rc.change.actions : [];
    if (actions.length === 1 && actions[0] === 'delete') deleted.add(rc.address);
    unknownByAddress.set(rc.address, rc.change.after_unknown);
    // A data source deferred to apply is only in resource_changes, with its known parts in `after`.
    if (!found.has(rc.address) && isObj(rc.change.after) && typeof rc.type === 'string' && typeof rc.name === 'string') {
      const mode = rc.mode === 'data' ? 'data' : 'managed';
      found.set(rc.address, {
        address: rc.address,
        modulePrefix: typeof rc.module_address === 'string' ? `${rc.module_address}.` : '',
        mode,
        type: rc.type,
        name: rc.name,
        ...(typeof rc.index === 'string' || typeof rc.index === 'number' ? { index: rc.index } : {}),
        values: rc.change.after,
      });
    }
  }
  const configs = new Map<string, ConfigResource>();
  const moduleSources = new Map<string, string>();
  const configuration = isObj(plan.configuration) ? plan.configuration : {};
  walkConfig(configuration.root_module, [], configs, moduleSources);
  const instances: PlanInstance[] = [];
  for (const inst of found.values()) {
    if (deleted.has(inst.address)) continue;
    const config = configs.get(configAddressOf(inst.address));
    instances.push({ ...inst, unknown: unknownByAddress.get(inst.address) ?? {}, ...(config ? { config } : {}) });
  }
  const providers = isObj(configuration.provider_config) ? configuration.provider_config : {};
  const aws = isObj(providers.aws) ? providers.aws : {};
  return { instances, byAddress: new Map(instances.map((i) => [i.address, i])), providerExpressions: isObj(aws.expressions) ? aws.expressions : {}, moduleSources };
}

export type Path = (string | number)[];

export function at(value: Json, path: Path): Json {
  let v = value;
  for (const key of path) {
    if (typeof key === 'number') v = Array.isArray(v) ? v[key] : undefined;
    else v = isObj(v) ? v[key] : undefined;
  }
  return v;
}

/** True when after_unknown marks the path, or anything under it, as known only after apply. */
export function isUnknownAt(unknown: Json, path: Path): boolean {
  let v = unknown;
  for (const key of path) {
    if (v === true) return true;
    if (typeof key === 'number') v = Array.isArray(v) ? v[key] : undefined;
    else v = isObj(v) ? v[key] : undefined;
  }
  return containsTrue(v);
}

function containsTrue(v: Json): boolean {
  if (v === true) return true;
  if (Array.isArray(v)) return v.some(containsTrue);
  if (isObj(v)) return Object.values(v).some(containsTrue);
  return false;
}

/** The configuration's references for the expression at a path (block lists are arrays of objects). */
export function referencesAt(inst: PlanInstance, path: Path): string[] {
  const expression = at(inst.config?.expressions, path);
  return isObj(expression) && Array.isArray(expression.references) ? expression.references.filter((r): r is string => typeof r === 'string') : [];
}

export interface ParsedReference {
  /** Instance address of what is referred to, inside the referring module. */
  address: string;
  attribute?: string;
}

/** "aws_ecr_repository.build[0].repository_url" → address + attribute; var., local., each., count. are not resources. */
export function parseReference(ref: string, modulePrefix: string): ParsedReference | undefined {
  const m = /^((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*)((?:\[(?:"[^"]*"|\d+)\])?)(?:\.([A-Za-z_][A-Za-z0-9_]*))?/.exec(ref);
  if (!m || /^(var|local|each|count|path|terraform|module|self)\./.test(ref)) return undefined;
  return { address: `${modulePrefix}${m[1]}${m[2] ?? ''}`, ...(m[3] ? { attribute: m[3] } : {}) };
}

/** The instance a reference names: exact, else the single instance, else the one with the referrer's own key. */
export function findReferred(index: PlanIndex, ref: ParsedReference, from: PlanInstance): PlanInstance | undefined {
  const exact = index.byAddress.get(ref.address);
  if (exact) return exact;
  const candidates = index.instances.filter((i) => i.address.startsWith(`${ref.address}[`));
  if (candidates.length === 1) return candidates[0];
  return candidates.find((c) => c.index !== undefined && c.index === from.index);
}

export { isObj };
