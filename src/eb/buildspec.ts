import { isMap, isScalar, type Node, type YAMLMap } from 'yaml';
import { UsageError } from '../model/errors.js';
import { EB_SETTINGS_HEADER } from './settings-header.js';
import { locate, parseYamlFile, toPlainData, type YamlFile } from './yaml-file.js';

export { EB_SETTINGS_HEADER };

/**
 * The only ComputeType values in the Elastic Beanstalk API model the EB CLI ships
 * (ebcli/lib/botocoredata/elasticbeanstalk/2010-12-01/service-2.json, shape `ComputeType`).
 */
export const EB_COMPUTE_TYPES = ['BUILD_GENERAL1_SMALL', 'BUILD_GENERAL1_MEDIUM', 'BUILD_GENERAL1_LARGE'] as const;

/** BuildConfiguration.TimeoutInMinutes: "from 5 to 480 (8 hours) ... The default is 60" (EB API reference). */
export const EB_TIMEOUT_RANGE = { min: 5, max: 480 } as const;

export interface EbBuildSettings {
  codeBuildServiceRole?: string;
  image?: string;
  computeType?: string;
  timeout?: number;
}

export interface ParsedBuildspec {
  /** False when the file has no `eb_codebuild_settings` key: eb deploy then skips CodeBuild. */
  hasSettings: boolean;
  settings?: EbBuildSettings;
  /** One sentence each, prefixed with `file:line:col`. */
  problems: string[];
}

type SettingKey = 'CodeBuildServiceRole' | 'Image' | 'ComputeType' | 'Timeout';
const SETTING_KEYS: readonly SettingKey[] = ['CodeBuildServiceRole', 'Image', 'ComputeType', 'Timeout'];

/**
 * Reads buildspec.yml the way `fileoperations.get_build_configuration` does: the four keys
 * under `eb_codebuild_settings`, looked up case-sensitively with `.get()`, so anything else is
 * silently ignored by the EB CLI; we list those as problems instead. No defaults are filled
 * in: the EB CLI sends whatever is absent as None (see describe-eb-problems.ts).
 */
export function parseBuildspec(text: string, file: string): ParsedBuildspec {
  const yaml = parseYamlFile(text, file);
  const root = yaml.doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    throw new UsageError(`${file}: the file is empty; a buildspec is a YAML mapping`);
  }
  if (!isMap(root)) {
    throw new UsageError(`${locate(yaml, root.range?.[0])}: a buildspec must be a YAML mapping, found ${describeNode(root)}`);
  }
  const problems: string[] = [];
  const data = toPlainData(yaml) as Record<string, unknown>;
  if (!('version' in data)) {
    problems.push(`${file}: no 'version' key; CodeBuild rejects a buildspec without one (use 0.2)`);
  }
  // PyYAML keeps the last of duplicate keys, and so does toPlainData.
  const headerPair = root.items.filter((pair) => scalarKey(pair.key) === EB_SETTINGS_HEADER).at(-1);
  if (headerPair === undefined) return { hasSettings: false, problems };

  const node = headerPair.value as Node | null;
  if (node === null || (isScalar(node) && node.value === null)) {
    // An empty header is read as "all four settings absent" (BuildConfiguration()).
    return { hasSettings: true, settings: {}, problems };
  }
  if (!isMap(node)) {
    problems.push(`${locate(yaml, node.range?.[0])}: ${EB_SETTINGS_HEADER} must be a mapping, found ${describeNode(node)}`);
    return { hasSettings: true, settings: {}, problems };
  }
  const plain = data[EB_SETTINGS_HEADER] as Record<string, unknown>;
  return { hasSettings: true, settings: readSettings(yaml, node, plain, problems), problems };
}

function readSettings(yaml: YamlFile, map: YAMLMap, plain: Record<string, unknown>, problems: string[]): EbBuildSettings {
  const seen = new Set<string>();
  const values = new Map<SettingKey, { value: unknown; at: string }>();
  for (const pair of map.items) {
    const keyNode = pair.key as Node | null;
    const key = scalarKey(keyNode);
    const at = locate(yaml, keyNode?.range?.[0]);
    if (key === undefined) {
      problems.push(`${at}: ${EB_SETTINGS_HEADER} has a key that is not a plain string; the EB CLI ignores it`);
      continue;
    }
    if (seen.has(key)) problems.push(`${at}: ${key} appears twice; the EB CLI (PyYAML) uses the last one`);
    seen.add(key);
    if (isSettingKey(key)) {
      const valueNode = pair.value as Node | null;
      values.set(key, { value: plain[key] ?? null, at: locate(yaml, valueNode?.range?.[0] ?? keyNode?.range?.[0]) });
    } else {
      problems.push(`${at}: ${describeUnknownKey(key)}`);
    }
  }

  const settings: EbBuildSettings = {};
  const role = readString(values.get('CodeBuildServiceRole'), 'CodeBuildServiceRole', problems);
  if (role !== undefined) {
    settings.codeBuildServiceRole = role;
    if (role.startsWith('arn:') && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(role)) {
      problems.push(
        `${values.get('CodeBuildServiceRole')?.at ?? yaml.file}: CodeBuildServiceRole '${role}' is not an IAM role ARN; ` +
          `the EB CLI compares it with each role's Arn and RoleName and stops with "Role '${role}' does not exist."`,
      );
    }
  }
  const image = readString(values.get('Image'), 'Image', problems);
  if (image !== undefined) settings.image = image;
  const computeType = readString(values.get('ComputeType'), 'ComputeType', problems);
  if (computeType !== undefined) {
    settings.computeType = computeType;
    if (!(EB_COMPUTE_TYPES as readonly string[]).includes(computeType)) {
      problems.push(
        `${values.get('ComputeType')?.at ?? yaml.file}: ComputeType '${computeType}' is not one the Elastic Beanstalk API accepts (${EB_COMPUTE_TYPES.join(', ')})`,
      );
    }
  }
  const timeout = readTimeout(values.get('Timeout'), problems);
  if (timeout !== undefined) settings.timeout = timeout;
  return settings;
}

function readString(entry: { value: unknown; at: string } | undefined, key: SettingKey, problems: string[]): string | undefined {
  if (entry === undefined || entry.value === null) return undefined;
  if (typeof entry.value === 'string' && entry.value.trim() !== '') return entry.value;
  // botocore's parameter validation rejects a non-string, and the API's pattern `.*\S.*` a blank one.
  problems.push(`${entry.at}: ${key} must be a non-empty string, found ${JSON.stringify(entry.value)}`);
  return undefined;
}

function readTimeout(entry: { value: unknown; at: string } | undefined, problems: string[]): number | undefined {
  if (entry === undefined || entry.value === null) return undefined;
  const { value, at } = entry;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    // The EB CLI passes the value through unchanged; botocore then refuses anything but an int:
    // "Invalid type for parameter BuildConfiguration.TimeoutInMinutes".
    problems.push(`${at}: Timeout must be a whole number of minutes (unquoted), found ${JSON.stringify(value)}`);
    return undefined;
  }
  if (value < EB_TIMEOUT_RANGE.min || value > EB_TIMEOUT_RANGE.max) {
    problems.push(`${at}: Timeout ${value} is outside ${EB_TIMEOUT_RANGE.min}-${EB_TIMEOUT_RANGE.max} minutes, which the Elastic Beanstalk API allows`);
  }
  return value;
}

function describeUnknownKey(key: string): string {
  const sameLetters = SETTING_KEYS.find((known) => known.toLowerCase() === key.toLowerCase());
  if (sameLetters !== undefined) {
    return `unknown key '${key}' in ${EB_SETTINGS_HEADER}; the EB CLI reads '${sameLetters}' (case-sensitive) and ignores this one`;
  }
  if (key === 'TimeoutInMinutes') {
    return `unknown key '${key}' in ${EB_SETTINGS_HEADER}; the EB CLI reads 'Timeout' and ignores this one`;
  }
  if (key === 'ArtifactName') {
    return `'${key}' exists in the Elastic Beanstalk API but the EB CLI does not read it from ${EB_SETTINGS_HEADER}; it is ignored`;
  }
  return `unknown key '${key}' in ${EB_SETTINGS_HEADER}; the EB CLI ignores it (it reads ${SETTING_KEYS.join(', ')})`;
}

function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as readonly string[]).includes(key);
}

function scalarKey(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  return typeof node.value === 'string' ? node.value : undefined;
}

function describeNode(node: Node): string {
  if (isScalar(node)) return `a scalar (${JSON.stringify(node.value)})`;
  return isMap(node) ? 'a mapping' : 'a list';
}
