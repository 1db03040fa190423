// Bundles the CLI into dist/ with esbuild: one self-contained build, so `npx ecr-doctor` installs
// nothing else. Code splitting keeps the AWS SDK, yaml and chalk in chunks that load only on the
// paths that use them (DESIGN.md §5: --help and snapshot runs never load the SDK).
import { build } from 'esbuild';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { readBundledPackages, renderNotices } from './third-party-notices.mjs';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
const result = await build({
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
  // Stack traces under --verbose point into src/ (main.ts enables source maps only then); the
  // maps carry no sources, only the mappings, to keep the package small.
  sourcemap: true,
  sourcesContent: false,
  // Which packages went into the bundle, for the notices file.
  metafile: true,
  // The HCL parser (--terraform DIR only) reads its WASM file from its own package folder, so it
  // cannot be bundled: it stays a runtime dependency, imported only on that path.
  external: ['@cdktf/hcl2json'],
  define: { __ECR_DOCTOR_VERSION__: JSON.stringify(pkg.version), __ECR_DOCTOR_HOMEPAGE__: JSON.stringify(pkg.homepage) },
  // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
  banner: { js: "import { createRequire as __ecrDoctorRequire } from 'node:module'; const require = __ecrDoctorRequire(import.meta.url);" },
});

// dist/ is in package.json's `files`, so the notices ship with the bundle they describe.
const root = fileURLToPath(new URL('..', import.meta.url));
await writeFile(new URL('../dist/THIRD-PARTY-NOTICES.txt', import.meta.url), renderNotices(readBundledPackages(result.metafile, root), `${pkg.name} ${pkg.version}`));
