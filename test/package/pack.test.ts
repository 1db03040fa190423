// The published package, as `npm pack` makes it: packed from a copy of the sources (its prepack
// rebuilds dist/, which must not race the other tests that spawn the repository's own dist/).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../cli/spawn.js';

interface Packed {
  filename: string;
  files: { path: string }[];
}

describe('npm pack', () => {
  const work = mkdtempSync(join(tmpdir(), 'ecr-doctor-pack-'));
  const copy = join(work, 'src-copy');
  let packed: Packed;
  let manifest: { scripts?: Record<string, string>; repository?: unknown; homepage?: string; bugs?: unknown; files?: string[] };

  beforeAll(() => {
    for (const entry of ['package.json', 'LICENSE', 'README.md', 'tsconfig.json', 'bin', 'scripts', 'src']) cpSync(join(REPO_ROOT, entry), join(copy, entry), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const run = spawnSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: copy, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false' } });
    if (run.status !== 0) throw new Error(`npm pack failed (${run.status}): ${run.stderr}`);
    packed = (JSON.parse(run.stdout) as Packed[])[0]!;
    const untar = spawnSync('tar', ['-xzf', join(work, packed.filename), '-C', work, 'package/package.json'], { encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
    manifest = JSON.parse(readFileSync(join(work, 'package', 'package.json'), 'utf8'));
  }, 180_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships the third-party notices of the bundled packages, and the source maps', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toContain('dist/THIRD-PARTY-NOTICES.txt');
    expect(paths).toContain('dist/cli.js.map');
    expect(paths).toContain('LICENSE');
    expect(paths.some((p) => p.startsWith('src/') || p.startsWith('scripts/') || p.startsWith('test/'))).toBe(false);
    const notices = readFileSync(join(copy, 'dist', 'THIRD-PARTY-NOTICES.txt'), 'utf8');
    for (const line of [/^- commander@\S+ \(MIT\)$/m, /^- chalk@\S+ \(MIT\)$/m, /^- yaml@\S+ \(ISC\)$/m, /^- @aws-sdk\/client-ecr@\S+ \(Apache-2\.0\)$/m]) expect(notices).toMatch(line);
    expect(notices).toContain('Apache License');
    expect(notices).toContain('Permission is hereby granted, free of charge');
    // The HCL parser ships no licence file: its MPL-2.0 text is added from scripts/licences/.
    expect(notices).toMatch(/^- @cdktf\/hcl2json@\S+ \(MPL-2\.0\)$/m);
    expect(notices).toContain('Mozilla Public License Version 2.0');
  });

  it('runs doctor --terraform DIR from the unpacked tarball with no node_modules (the HCL parser and its WASM are in dist/)', () => {
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    const untar = spawnSync('tar', ['-xzf', join(work, packed.filename), '-C', unpacked], { encoding: 'utf8' });
    expect(untar.status).toBe(0);
    expect(existsSync(join(unpacked, 'package', 'node_modules'))).toBe(false);
    expect(manifest).not.toHaveProperty('dependencies');
    expect(packed.files.map((f) => f.path)).toContain('dist/hcl2json/main.wasm.gz');
    const cli = join(unpacked, 'package', 'bin', 'ecr-doctor.js');
    const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: unpacked, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const tf = run(['doctor', '--terraform', join(REPO_ROOT, 'fixtures', 'terraform', 'seed-no-policy'), '--quiet']);
    expect(tf.stderr).toBe('');
    expect(tf.status).toBe(1);
    expect(tf.stdout).toContain('FAIL  codebuild-principal-can-pull  codebuild.amazonaws.com may not pull from seed-app');
    expect(tf.stdout).toMatch(/at \S*fixtures\/terraform\/seed-no-policy\/main\.tf:7 \(aws_ecr_repository\.build\)/);
    // The parser reads its WASM when imported: without the file, only the Terraform path may notice.
    rmSync(join(unpacked, 'package', 'dist', 'hcl2json'), { recursive: true });
    expect(run(['--help']).status).toBe(0);
    const snapshot = run(['doctor', '--snapshot', join(REPO_ROOT, 'fixtures', 'snapshots', 'seed-codebuild-mode.json')]);
    expect(snapshot.stderr).toBe('');
    expect(snapshot.status).toBe(1);
    expect(run(['doctor', '--terraform-plan', join(REPO_ROOT, 'fixtures', 'terraform', 'seed-no-policy', 'plan.json')]).status).toBe(1);
  });

  it('keeps prepare out of the published manifest (npm 11 warns about install scripts) and names the project home', () => {
    expect(manifest.scripts).not.toHaveProperty('prepare');
    expect(manifest.homepage).toBe('https://github.com/ecr-doctor/ecr-doctor');
    expect(manifest.repository).toEqual({ type: 'git', url: 'git+https://github.com/ecr-doctor/ecr-doctor.git' });
    expect(manifest.bugs).toEqual({ url: 'https://github.com/ecr-doctor/ecr-doctor/issues' });
  });

  it('puts the developer manifest back after packing: npm ci still builds dist/ through prepare', () => {
    const after = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8'));
    expect(after.scripts.prepare).toBe('node scripts/build.mjs');
    expect(readFileSync(join(copy, 'package.json'), 'utf8')).toBe(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  });
});
