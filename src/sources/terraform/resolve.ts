import { partitionOfRegion } from '../../image/parse-image-ref.js';
import type { IacValue } from '../iac/model.js';
import { known, unknown } from '../iac/model.js';
import { PLACEHOLDER_ACCOUNT } from '../iac/assemble-facts.js';
import type { PolicyDocumentStatement } from '../iac/policy-document.js';
import { renderPolicyDocument } from '../iac/policy-document.js';
import type { Path, PlanIndex, PlanInstance } from './plan-values.js';
import { at, findReferred, isObj, isUnknownAt, parseReference, referencesAt } from './plan-values.js';

/**
 * Values of a plan, with what is unknown until apply resolved through the configuration's
 * references where the referred attribute can be computed from what the plan knows (a new
 * repository's repository_url is <account>.dkr.ecr.<region>.amazonaws.com/<name>), otherwise
 * reported as unknown. The plan's references do not say what text surrounds a reference, so a
 * resolved value is the referred attribute itself; the notes say where that was done.
 */
export class PlanResolver {
  readonly notes: string[] = [];
  constructor(
    readonly index: PlanIndex,
    readonly account: string | undefined,
    readonly region: string,
  ) {}

  private get acct(): string {
    return this.account ?? PLACEHOLDER_ACCOUNT;
  }

  private get partition(): string {
    return partitionOfRegion(this.region);
  }

  /** An attribute of an instance, computed where AWS's naming rules make it knowable before apply. */
  attribute(inst: PlanInstance, attr: string, depth = 0): IacValue<string> {
    const direct = this.stringAt(inst, [attr], depth);
    if (direct.known) return direct;
    const name = this.stringAt(inst, ['name'], depth);
    const p = this.partition;
    const withName = (make: (n: string) => string): IacValue<string> => (name.known ? known(make(name.value)) : unknown(`${inst.address}.name is unknown until apply`));
    switch (`${inst.mode === 'data' ? 'data.' : ''}${inst.type}.${attr}`) {
      case 'aws_ecr_repository.arn':
        return withName((n) => `arn:${p}:ecr:${this.region}:${this.acct}:repository/${n}`);
      case 'aws_ecr_repository.repository_url':
        return withName((n) => `${this.acct}.dkr.ecr.${this.region}.amazonaws.com/${n}`);
      case 'aws_ecr_repository.id':
        return name;
      case 'aws_ecr_repository.registry_id':
        return known(this.acct);
      case 'aws_iam_role.arn':
        return withName((n) => `arn:${p}:iam::${this.acct}:role${this.pathOf(inst)}${n}`);
      case 'aws_iam_role.id':
        return name;
      case 'aws_iam_policy.arn':
      case 'aws_iam_policy.id':
        return withName((n) => `arn:${p}:iam::${this.acct}:policy${this.pathOf(inst)}${n}`);
      case 'aws_codebuild_project.arn':
      case 'aws_codebuild_project.id':
        return withName((n) => `arn:${p}:codebuild:${this.region}:${this.acct}:project/${n}`);
      case 'data.aws_iam_policy_document.json':
        return this.policyDocument(inst, depth);
      case 'data.aws_caller_identity.account_id':
        return this.account ? known(this.account) : unknown('the account id is unknown');
      default:
        return unknown(`${inst.address}.${attr} is unknown until apply`);
    }
  }

  private pathOf(inst: PlanInstance): string {
    const path = at(inst.values, ['path']);
    return typeof path === 'string' ? path : '/';
  }

  /** The instance an unknown value at a path refers to, with the attribute named. */
  referred(inst: PlanInstance, path: Path): { target: PlanInstance; attribute: string } | undefined {
    for (const ref of referencesAt(inst, path)) {
      const parsed = parseReference(ref, inst.modulePrefix);
      if (!parsed?.attribute) continue;
      const target = findReferred(this.index, parsed, inst);
      if (target) return { target, attribute: parsed.attribute };
    }
    return undefined;
  }

  stringAt(inst: PlanInstance, path: Path, depth = 0): IacValue<string> {
    const v = at(inst.values, path);
    if (!isUnknownAt(inst.unknown, path)) {
      return typeof v === 'string' ? known(v) : unknown(`${inst.address}.${path.join('.')} is not set`);
    }
    if (depth > 8) return unknown(`${inst.address}.${path.join('.')} refers to itself`);
    const ref = this.referred(inst, path);
    if (!ref) return unknown(`${inst.address}.${path.join('.')} is unknown until apply`);
    const resolved = this.attribute(ref.target, ref.attribute, depth + 1);
    if (resolved.known) this.notes.push(`${inst.address}.${path.join('.')}: unknown until apply, resolved through its reference to ${ref.target.address}.${ref.attribute}`);
    return resolved;
  }

  /** A list of strings; unknown elements are resolved through the references, one per element. */
  stringsAt(inst: PlanInstance, path: Path, depth = 0): IacValue<string[]> {
    const v = at(inst.values, path);
    if (!isUnknownAt(inst.unknown, path)) {
      if (v === undefined || v === null) return known([]);
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? known(v as string[]) : unknown(`${inst.address}.${path.join('.')} is not a list of strings`);
    }
    const refs = referencesAt(inst, path)
      .map((r) => parseReference(r, inst.modulePrefix))
      .filter((r): r is NonNullable<typeof r> => !!r?.attribute);
    const knownPart = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    const unknownCount = countUnknown(at(inst.unknown, path));
    if (refs.length === 0 || refs.length < unknownCount) return unknown(`${inst.address}.${path.join('.')} is unknown until apply`);
    const out = [...knownPart];
    for (const r of refs) {
      const target = findReferred(this.index, r, inst);
      const value = target ? this.attribute(target, r.attribute!, depth + 1) : unknown<string>(`${r.address} is not in the plan`);
      if (!value.known) return value;
      out.push(value.value);
    }
    this.notes.push(`${inst.address}.${path.join('.')}: unknown until apply, resolved through its references`);
    return known(out);
  }

  private policyDocument(inst: PlanInstance, depth: number): IacValue<string> {
    const json = at(inst.values, ['json']);
    if (typeof json === 'string' && !isUnknownAt(inst.unknown, ['json'])) return known(json);
    for (const key of ['source_policy_documents', 'override_policy_documents', 'source_json', 'override_json']) {
      const v = at(inst.values, [key]);
      if ((Array.isArray(v) && v.length > 0) || typeof v === 'string' || isUnknownAt(inst.unknown, [key])) return unknown(`${inst.address} merges other documents (${key}), which ecr-doctor does not compute`);
    }
    const blocks = at(inst.values, ['statement']);
    const statements: PolicyDocumentStatement[] = [];
    for (let i = 0; i < (Array.isArray(blocks) ? blocks.length : 0); i++) {
      const s: PolicyDocumentStatement = {};
      for (const key of ['sid', 'effect'] as const) {
        const v = this.stringAt(inst, ['statement', i, key], depth);
        if (v.known && v.value) s[key] = v.value;
      }
      for (const key of ['actions', 'not_actions', 'resources', 'not_resources'] as const) {
        const v = this.stringsAt(inst, ['statement', i, key], depth);
        if (!v.known) return v;
        if (v.value.length) s[key] = v.value;
      }
      for (const key of ['principals', 'not_principals'] as const) {
        const list = at(inst.values, ['statement', i, key]);
        const out: { type: string; identifiers: string[] }[] = [];
        for (let j = 0; j < (Array.isArray(list) ? list.length : 0); j++) {
          const type = this.stringAt(inst, ['statement', i, key, j, 'type'], depth);
          const ids = this.stringsAt(inst, ['statement', i, key, j, 'identifiers'], depth);
          if (!type.known) return type;
          if (!ids.known) return ids;
          out.push({ type: type.value, identifiers: ids.value });
        }
        if (out.length) s[key] = out;
      }
      const conditions = at(inst.values, ['statement', i, 'condition']);
      const out: { test: string; variable: string; values: string[] }[] = [];
      for (let k = 0; k < (Array.isArray(conditions) ? conditions.length : 0); k++) {
        const test = this.stringAt(inst, ['statement', i, 'condition', k, 'test'], depth);
        const variable = this.stringAt(inst, ['statement', i, 'condition', k, 'variable'], depth);
        const values = this.stringsAt(inst, ['statement', i, 'condition', k, 'values'], depth);
        if (!test.known) return test;
        if (!variable.known) return variable;
        if (!values.known) return values;
        out.push({ test: test.value, variable: variable.value, values: values.value });
      }
      if (out.length) s.condition = out;
      statements.push(s);
    }
    const version = at(inst.values, ['version']);
    return known(renderPolicyDocument(statements, typeof version === 'string' && version ? version : '2012-10-17'));
  }
}

function countUnknown(v: unknown): number {
  if (v === true) return 1;
  if (Array.isArray(v)) return v.filter((x) => x === true).length;
  return isObj(v) ? 1 : 0;
}
