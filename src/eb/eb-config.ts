import { isMap, isScalar } from 'yaml';
import { UsageError } from '../model/errors.js';
import { locate, parseYamlFile, toPlainData } from './yaml-file.js';

export interface EbConfig {
  applicationName?: string;
  region?: string;
  profile?: string;
  environment?: string;
}

export const EB_CONFIG_FILES = {
  local: '.elasticbeanstalk/config.yml',
  global: '.elasticbeanstalk/config.global.yml',
} as const;

/**
 * The branch key the EB CLI uses when git is absent or HEAD is detached
 * (ebcli/objects/sourcecontrol.py: `NoSC.get_current_branch` and the detached-HEAD case of
 * `Git.get_current_branch` both return 'default'), so `branch-defaults.default` applies then.
 */
export const EB_DEFAULT_BRANCH_KEY = 'default';

type Mapping = Record<string, unknown>;

/**
 * Mirrors ebcli/core/fileoperations.py `get_config_setting` and ebcli/operations/commonops.py
 * `get_config_setting_from_branch_or_default`:
 * - a setting is looked up in `.elasticbeanstalk/config.global.yml`, then replaced by the
 *   local `config.yml` whenever the local file has that section *and* key (even when its value
 *   is null): local beats global key by key, not file by file;
 * - `branch-defaults.<branch>` is fetched the same way, as one whole mapping: a local branch
 *   entry hides the global one entirely, its keys are not merged;
 * - `default_region` and `profile` come from the branch entry when it sets them (non-null),
 *   else from `global`; `environment` exists only per branch; `application_name` is read from
 *   `global` only (`get_application_name` → `get_global_value`).
 * Pass `branch` = 'default' when there is no git branch, as the EB CLI does.
 */
export function parseEbConfig(
  localText?: string,
  globalText?: string,
  branch?: string,
  files: { local?: string; global?: string } = {},
): EbConfig {
  const local = readMapping(localText, files.local ?? EB_CONFIG_FILES.local);
  const global = readMapping(globalText, files.global ?? EB_CONFIG_FILES.global);

  const setting = (section: string, key: string): unknown => {
    let value = lookup(global, section, key)?.value;
    const fromLocal = lookup(local, section, key);
    if (fromLocal !== undefined) value = fromLocal.value;
    return value;
  };
  const branchEntry = branch === undefined ? undefined : setting('branch-defaults', branch);
  const fromBranch = (key: string): unknown => (isMapping(branchEntry) ? branchEntry[key] : undefined);
  const fromBranchOrGlobal = (key: string): unknown => fromBranch(key) ?? setting('global', key);

  const config: EbConfig = {};
  const applicationName = asText(setting('global', 'application_name'));
  if (applicationName !== undefined) config.applicationName = applicationName;
  const region = asText(fromBranchOrGlobal('default_region'));
  if (region !== undefined) config.region = region;
  const profile = asText(fromBranchOrGlobal('profile'));
  if (profile !== undefined) config.profile = profile;
  const environment = asText(fromBranch('environment'));
  if (environment !== undefined) config.environment = environment;
  return config;
}

function readMapping(text: string | undefined, file: string): Mapping | undefined {
  if (text === undefined) return undefined;
  const yaml = parseYamlFile(text, file);
  const root = yaml.doc.contents;
  // An empty file is an empty configuration (PyYAML returns None; the EB CLI then skips it).
  if (root === null || (isScalar(root) && root.value === null)) return undefined;
  if (!isMap(root)) {
    throw new UsageError(`${locate(yaml, root.range?.[0])}: an EB CLI config file must be a YAML mapping`);
  }
  return toPlainData(yaml) as Mapping;
}

function lookup(config: Mapping | undefined, section: string, key: string): { value: unknown } | undefined {
  const entries = config?.[section];
  if (!isMapping(entries) || !Object.hasOwn(entries, key)) return undefined;
  return { value: entries[key] };
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Names that YAML reads as numbers (an application called 2024) are still names. */
function asText(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
