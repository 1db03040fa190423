/**
 * The parts of a buildspec that decide its pulls: `env` and the commands of each phase, in the order
 * CodeBuild runs them (install, pre_build, build, post_build; each phase's `finally` after its
 * commands). Buildspec reference: CodeBuild user guide, "Build specification reference".
 */
import { isMap, isScalar, type Node } from 'yaml';
import { UsageError } from '../model/errors.js';
import type { BuildPhaseName } from '../model/facts.js';
import { parseYamlFile, toPlainData } from '../eb/yaml-file.js';

export const PHASES: readonly BuildPhaseName[] = ['install', 'pre_build', 'build', 'post_build'];

export interface PhaseCommand {
  phase: BuildPhaseName;
  index: number;
  finally?: boolean;
  text: string;
}

export interface BuildspecVariable {
  name: string;
  type: 'PLAINTEXT' | 'PARAMETER_STORE' | 'SECRETS_MANAGER';
  value?: string;
}

export interface BuildspecPhases {
  commands: PhaseCommand[];
  variables: BuildspecVariable[];
  problems: string[];
}

/** A buildspec given inline may also be a file name (CodeBuild: `buildspec` is either). */
export function looksLikeInlineBuildspec(text: string): boolean {
  return /\n/.test(text.trim()) || /^\s*version\s*:/m.test(text);
}

function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function readBuildspecPhases(text: string, file: string): BuildspecPhases {
  const yaml = parseYamlFile(text, file);
  const root = yaml.doc.contents as Node | null;
  if (!root || !isMap(root)) {
    if (root && isScalar(root) && root.value === null) throw new UsageError(`${file}: the buildspec is empty`);
    throw new UsageError(`${file}: a buildspec must be a YAML mapping with version and phases`);
  }
  const data = toPlainData(yaml) as Record<string, unknown>;
  const problems: string[] = [];
  const variables: BuildspecVariable[] = [];
  const env = data['env'];
  if (env && typeof env === 'object') {
    const e = env as Record<string, unknown>;
    const add = (section: string, type: BuildspecVariable['type']) => {
      const vars = e[section];
      if (vars && typeof vars === 'object' && !Array.isArray(vars)) {
        for (const [name, value] of Object.entries(vars as Record<string, unknown>)) {
          const v = asText(value);
          variables.push({ name, type, ...(type === 'PLAINTEXT' && v !== undefined ? { value: v } : {}) });
        }
      }
    };
    add('variables', 'PLAINTEXT');
    add('parameter-store', 'PARAMETER_STORE');
    add('secrets-manager', 'SECRETS_MANAGER');
  }
  const commands: PhaseCommand[] = [];
  const phases = data['phases'];
  if (phases !== undefined && (typeof phases !== 'object' || phases === null || Array.isArray(phases))) problems.push(`${file}: phases must be a mapping`);
  const phaseMap = (phases ?? {}) as Record<string, unknown>;
  for (const phase of PHASES) {
    const body = phaseMap[phase];
    if (body === undefined || body === null) continue;
    if (typeof body !== 'object' || Array.isArray(body)) {
      problems.push(`${file}: phases.${phase} must be a mapping with commands`);
      continue;
    }
    const b = body as Record<string, unknown>;
    let index = 0;
    for (const [key, isFinally] of [['commands', false], ['finally', true]] as const) {
      const list = b[key];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) {
        problems.push(`${file}: phases.${phase}.${key} must be a list of commands`);
        continue;
      }
      for (const item of list) {
        const t = asText(item);
        if (t === undefined) problems.push(`${file}: phases.${phase}.${key} holds something that is not a command (${JSON.stringify(item)?.slice(0, 60)})`);
        else commands.push({ phase, index: index++, ...(isFinally ? { finally: true } : {}), text: t });
      }
    }
  }
  return { commands, variables, problems };
}
