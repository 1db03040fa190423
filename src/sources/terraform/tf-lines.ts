import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Configuration address (module.app.aws_x.y, data.aws_x.y) → where its block starts. */
export type SourceLines = Map<string, { file: string; line: number }>;

// A block header: resource "TYPE" "NAME" {  /  data "TYPE" "NAME" {  (HCL native syntax).
const BLOCK = /^\s*(resource|data)\s+"([A-Za-z0-9_-]+)"\s+"([A-Za-z0-9_-]+)"/;

/**
 * The line of each resource block in a folder's .tf files and in its local modules, for
 * file:line on results from a plan (the plan JSON carries addresses, not positions). Only block
 * headers are matched; values come from the plan, never from this scan.
 */
export async function findTfLines(dir: string, moduleSources: ReadonlyMap<string, string>): Promise<SourceLines> {
  const out: SourceLines = new Map();
  await scan(dir, '', out);
  for (const [path, source] of moduleSources) {
    if (!source.startsWith('./') && !source.startsWith('../')) continue; // registry and git modules are not on disk here
    // Nested module calls are relative to their parent module's folder.
    const parts = path.split('.');
    let folder = dir;
    for (let i = 1; i <= parts.length; i++) {
      const src = moduleSources.get(parts.slice(0, i).join('.'));
      if (!src) break;
      folder = join(folder, src);
    }
    await scan(folder, parts.map((p) => `module.${p}.`).join(''), out);
  }
  return out;
}

async function scan(dir: string, prefix: string, out: SourceLines): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.tf')).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const file = join(dir, name);
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((text, i) => {
      const m = BLOCK.exec(text);
      if (m) out.set(`${prefix}${m[1] === 'data' ? 'data.' : ''}${m[2]}.${m[3]}`, { file, line: i + 1 });
    });
  }
}
