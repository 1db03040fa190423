// Bundles the CLI into dist/ with esbuild: one self-contained build, so `npx ecr-doctor` installs
// nothing else. Code splitting keeps the AWS SDK, yaml and chalk in chunks that load only on the
// paths that use them (DESIGN.md §5: --help and snapshot runs never load the SDK).
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { readBundledPackages, renderNotices } from './third-party-notices.mjs';

const HCL_WASM_READ = '(0, path_1.join)(__dirname, "..", "main.wasm.gz")';
const hclWasmFromDist = {
  name: 'hcl2json-wasm-from-dist',
  setup(b) {
    b.onLoad({ filter: /@cdktf[\\/]hcl2json[\\/]lib[\\/]bridge\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      // A new version that loads its WASM another way must fail the build, not the user's run.
      if (!text.includes(HCL_WASM_READ)) throw new Error(`@cdktf/hcl2json: ${args.path} no longer reads ${HCL_WASM_READ}; update scripts/build.mjs`);
      return { contents: text.replace(HCL_WASM_READ, `(globalThis.__ecrDoctorHclWasm ?? ${HCL_WASM_READ})`), loader: 'js' };
    });
  },
};

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
  // The HCL parser (--terraform DIR only) reads its WASM from its package folder
  // (lib/bridge.js: join(__dirname, "..", "main.wasm.gz")): bundled, it reads the copy in
  // dist/hcl2json/ instead, whose path hcl-dir.ts sets before importing it.
  plugins: [hclWasmFromDist],
  // Its Go glue falls back to require("performance") only where globalThis.performance is missing (never on Node 20).
  external: ['performance'],
  define: { __ECR_DOCTOR_VERSION__: JSON.stringify(pkg.version), __ECR_DOCTOR_HOMEPAGE__: JSON.stringify(pkg.homepage) },
  // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
  banner: { js: "import { createRequire as __ecrDoctorRequire } from 'node:module'; const require = __ecrDoctorRequire(import.meta.url);" },
});

// The parser's WASM (HashiCorp's HCL, MPL-2.0, compiled with Go) next to the bundle.
await mkdir(new URL('../dist/hcl2json', import.meta.url), { recursive: true });
await copyFile(new URL('../node_modules/@cdktf/hcl2json/main.wasm.gz', import.meta.url), new URL('../dist/hcl2json/main.wasm.gz', import.meta.url));

// dist/ is in package.json's `files`, so the notices ship with the bundle they describe.
const root = fileURLToPath(new URL('..', import.meta.url));
// @cdktf/hcl2json ships no licence file: its package.json says MPL-2.0, whose text is kept in scripts/licences/.
const licenceTexts = { 'MPL-2.0': (await readFile(new URL('./licences/MPL-2.0.txt', import.meta.url), 'utf8')).trim() };
const bundled = readBundledPackages(result.metafile, root).map((p) => (p.texts.length === 0 && licenceTexts[p.license] ? { ...p, texts: [licenceTexts[p.license]] } : p));
await writeFile(new URL('../dist/THIRD-PARTY-NOTICES.txt', import.meta.url), renderNotices(bundled, `${pkg.name} ${pkg.version}`));
