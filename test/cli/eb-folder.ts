import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './spawn.js';

/** The accounts the fixtures under fixtures/eb/ were written with. */
export const FIXTURE_ACCOUNT = '123456789012';
export const FIXTURE_REGISTRY_ACCOUNT = '210987654321';

export interface EbFolderRewrite {
  /** Replaces 123456789012 (the application's account). */
  account: string;
  /** Replaces 210987654321 (the registry account of cross-account-image). */
  registryAccount?: string;
  applicationName?: string;
  image?: string;
  role?: string;
  region?: string;
}

function rewrite(text: string, r: EbFolderRewrite): string {
  let out = text.replaceAll(FIXTURE_ACCOUNT, r.account);
  if (r.registryAccount) out = out.replaceAll(FIXTURE_REGISTRY_ACCOUNT, r.registryAccount);
  if (r.image) out = out.replace(/^(\s*Image:\s*).*$/m, `$1${r.image}`);
  if (r.role) out = out.replace(/^(\s*CodeBuildServiceRole:\s*).*$/m, `$1${r.role}`);
  if (r.applicationName) out = out.replace(/^(\s*application_name:\s*).*$/m, `$1${r.applicationName}`);
  if (r.region) out = out.replace(/^(\s*default_region:\s*).*$/gm, `$1${r.region}`);
  return out;
}

/**
 * Copies fixtures/eb/<name> (buildspec.yml and .elasticbeanstalk/) to `dest` and rewrites its
 * account ids, image, role, application and region for the test account. The copy has no .git,
 * so the EB config's branch-defaults fall back to the global section.
 */
export async function copyEbFixture(name: string, dest: string, r: EbFolderRewrite): Promise<string> {
  await cp(join(REPO_ROOT, 'fixtures', 'eb', name), dest, { recursive: true });
  for (const file of ['buildspec.yml', '.elasticbeanstalk/config.yml', '.elasticbeanstalk/config.global.yml']) {
    const path = join(dest, file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      continue;
    }
    await writeFile(path, rewrite(text, r));
  }
  return dest;
}
