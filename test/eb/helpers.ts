import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const EB_FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/eb');

export function fixture(name: string): string {
  return join(EB_FIXTURES, name);
}

/** A scratch folder; files maps relative paths to contents. Returns its path and a cleanup. */
export async function makeTree(files: Record<string, string> = {}): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-eb-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Copies a fixture into a scratch folder (to add a .git, which cannot be committed inside the repo). */
export async function copyFixture(name: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const tree = await makeTree();
  await cp(fixture(name), tree.dir, { recursive: true });
  return tree;
}
