// The published package, as `npm pack` makes it: packed from a copy of the sources (its prepack
// rebuilds dist/, which must not race the other tests that spawn the repository's own dist/).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
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
