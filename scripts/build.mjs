// Bundles the CLI into dist/ with esbuild: one self-contained build, so `npx ecr-doctor` installs
// nothing else. Code splitting keeps the AWS SDK, yaml and chalk in chunks that load only on the
// paths that use them (DESIGN.md §5: --help and snapshot runs never load the SDK).
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  // Prefer the ESM builds of dependencies: their named exports survive dynamic import in a bundle.
  mainFields: ['module', 'main'],
  legalComments: 'linked',
  logLevel: 'warning',
  define: { __ECR_DOCTOR_VERSION__: JSON.stringify(pkg.version) },
  // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
  banner: { js: "import { createRequire as __ecrDoctorRequire } from 'node:module'; const require = __ecrDoctorRequire(import.meta.url);" },
});
