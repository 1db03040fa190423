// `npm pack`/`npm publish` hooks. The repository's package.json keeps `prepare` so that `npm ci`
// builds dist/ for a developer (README, first command); the published manifest must not carry it,
// or npm 11 warns about install scripts on every install (issue 14). npm reads package.json
// again after `prepack`, so prepack builds, then writes the manifest without `prepare` (the
// original is kept aside); `postpack` puts the original back. The pattern is pinst's
// (https://github.com/typicode/pinst), which does the same for `postinstall`.
//
//   node scripts/pack-manifest.mjs prepack | postpack
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const manifest = fileURLToPath(new URL('../package.json', import.meta.url));
const kept = fileURLToPath(new URL('../.package.json.prepack', import.meta.url));
const DEV_ONLY_SCRIPTS = ['prepare'];

const step = process.argv[2];
if (step === 'prepack') {
  // Build first: a failed build leaves package.json untouched.
  const built = spawnSync(process.execPath, [fileURLToPath(new URL('./build.mjs', import.meta.url))], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
  const text = readFileSync(manifest, 'utf8');
  if (!existsSync(kept)) writeFileSync(kept, text);
  const pkg = JSON.parse(text);
  for (const name of DEV_ONLY_SCRIPTS) delete pkg.scripts?.[name];
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (step === 'postpack') {
  if (existsSync(kept)) renameSync(kept, manifest);
} else {
  console.error('usage: node scripts/pack-manifest.mjs prepack|postpack');
  process.exit(2);
}
