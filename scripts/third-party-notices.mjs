// The licence notices of the packages esbuild bundled into dist/ (issue 14: the tarball ships
// commander, chalk, yaml and the AWS SDK inside its chunks, so it must carry their notices).
// esbuild's metafile names every input file; a file under node_modules/<name>/ belongs to that
// package, whose package.json gives the licence and whose LICENSE file gives the text.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const LICENSE_FILE = /^(licen[cs]e|copying|notice)(\.(md|txt|markdown))?$/i;

/** `node_modules/@scope/name/...` or `node_modules/name/...`: the innermost package directory. */
export function packageDirOf(input) {
  const parts = input.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const scoped = parts[at + 1]?.startsWith('@');
  const end = at + (scoped ? 3 : 2);
  return parts.length > end ? parts.slice(0, end).join('/') : undefined;
}

function licenceOf(manifest) {
  if (typeof manifest.license === 'string') return manifest.license;
  if (manifest.license && typeof manifest.license.type === 'string') return manifest.license.type;
  if (Array.isArray(manifest.licenses)) return manifest.licenses.map((l) => l.type ?? l).join(' OR ');
  return 'UNKNOWN';
}

/** The bundled packages, each once: name, version, licence, and the texts of its licence files. */
export function readBundledPackages(metafile, root) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const dir = packageDirOf(input);
    if (dir) dirs.add(dir);
  }
  const packages = [];
  for (const dir of dirs) {
    // A nested folder with its own package.json (e.g. dist-es/package.json with "type") is not the package.
    const manifestPath = join(root, dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (!manifest.name) continue;
    const texts = readdirSync(join(root, dir))
      .filter((f) => LICENSE_FILE.test(f))
      .sort()
      .map((f) => readFileSync(join(root, dir, f), 'utf8').trim());
    packages.push({ name: manifest.name, version: manifest.version ?? '', license: licenceOf(manifest), texts });
  }
  return packages.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/**
 * One text file: the packages and their licences, then each distinct licence text once with the
 * packages it covers (the AWS SDK's hundred Apache-2.0 packages share one copy).
 */
export function renderNotices(packages, product) {
  const byText = new Map();
  for (const p of packages) {
    const key = p.texts.length ? p.texts.join('\n\n') : `(no licence file in the package; its package.json says ${p.license})`;
    byText.set(key, [...(byText.get(key) ?? []), p]);
  }
  const out = [
    `Third-party notices for ${product}`,
    '',
    `${product} bundles the following packages into dist/. Each is used under the licence named; the licence texts follow.`,
    '',
    ...packages.map((p) => `- ${p.name}@${p.version} (${p.license})`),
  ];
  for (const [text, group] of byText) {
    out.push('', '-'.repeat(78), '', group.map((p) => `${p.name}@${p.version}`).join(', '), '', text);
  }
  return `${out.join('\n')}\n`;
}
