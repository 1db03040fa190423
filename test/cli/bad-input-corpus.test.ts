// The bad-input corpus (issue 12, items 4, 5, 10): hostile values in every option, hostile
// snapshot and buildspec files. For each case: the exit code, at most two lines of stderr, no
// line longer than 240 characters, no raw control character, and no credential value (the
// environment holds a fake session token, and some values quote it). Argv cases call main()
// in-process (the same code the bin runs, minus the process); a representative few are spawned
// through the built bin below, and the AWS fault cases live in bounded-time.test.ts.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/program.js';
import { clearSecrets } from '../../src/model/safe-text.js';
import { makeTempDir, REPO_ROOT, runCli, type TempDir } from './spawn.js';

const TOKEN = 'FAKESESSIONTOKEN/corpus+0123456789abcdefghij==';
const SECRET = 'corpusSecretAccessKey0123456789abcdefghij';
const ENV = {
  AWS_ACCESS_KEY_ID: 'ASIACORPUSFAKEKEY012',
  AWS_SECRET_ACCESS_KEY: SECRET,
  AWS_SESSION_TOKEN: TOKEN,
  AWS_REGION: 'us-east-1',
  // Should a case get past validation by mistake, it fails fast (exit 3) instead of calling AWS.
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_CONFIG_FILE: '/nonexistent/ecr-doctor/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/ecr-doctor/credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
  NO_COLOR: '1',
};

/** Values nothing should accept, each hostile in its own way. */
const HOSTILE: Record<string, string> = {
  'long (100 KB)': 'A'.repeat(100_000),
  'ANSI escapes': 'x\u001b[31mred\u001b[0m\u001b]0;title\u0007',
  newline: 'line1\nerror: forged second line',
  NUL: 'nul\u0000byte',
  tab: 'tab\there',
  'carriage return': 'cr\rerror: overwritten',
  'bidi override': 'abc\u202eevil',
  'C1 CSI': 'csi\u009b31m',
  'long with newlines': `${'A'.repeat(300)}\n${'B'.repeat(300)}\n`,
  'quotes the session token': `tok-${TOKEN}`,
  'quotes the secret key': `key ${SECRET}`,
  'only spaces': '   ',
};

const VALUE_OPTIONS: Record<string, string[]> = {
  doctor: ['--project', '--image', '--build', '--region', '--endpoint-url', '--timeout', '--format', '--fail-on', '--output'],
  fix: ['--project', '--image', '--build', '--region', '--endpoint-url', '--timeout', '--format', '--scope'],
  snapshot: ['--project', '--image', '--build', '--region', '--endpoint-url', '--timeout'],
};

/** A valid target, so that the option under test is what fails (and --output has a report to write). */
function argvFor(command: string, option: string, raw: string): string[] {
  // --output values go under the test's own folder: a valid but odd name must not land in the repository.
  const value = option === '--output' && raw.trim() !== '' ? join(tmp.path, raw) : raw;
  const target = option === '--project' || option === '--image' || option === '--build' ? [] : ['--project', 'corpus-project'];
  const output = option === '--output' ? ['--snapshot', join(REPO_ROOT, 'fixtures/snapshots/seed-codebuild-mode.json')] : [];
  return [command, ...(output.length ? output : target), option, value];
}

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function runInProcess(args: string[]): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await main(['node', 'ecr-doctor', ...args], { ...process.env, ...ENV });
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

function expectSafe(run: Captured, code: number): void {
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  expect(run.code, run.stderr.slice(0, 500)).toBe(code);
  expect(lines.length, run.stderr.slice(0, 500)).toBeGreaterThanOrEqual(1);
  expect(lines.length, run.stderr.slice(0, 500)).toBeLessThanOrEqual(2);
  expect(lines[0]).toMatch(/^error: /);
  for (const l of lines) expect(l.length, l.slice(0, 300)).toBeLessThanOrEqual(240);
  for (const text of [run.stderr, run.stdout]) {
    expect(RAW_CONTROL.test(text), JSON.stringify(text.slice(0, 300))).toBe(false);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SECRET);
  }
}

const saved: Record<string, string | undefined> = {};
let tmp: TempDir;
beforeAll(async () => {
  for (const [k, v] of Object.entries(ENV)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  tmp = await makeTempDir('ecr-doctor-corpus-');
});
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  clearSecrets();
  await tmp?.remove();
});

describe('hostile option values: exit 2, one short printable error', () => {
  const cases = Object.entries(VALUE_OPTIONS)
    .flatMap(([command, options]) => options.flatMap((option) => Object.entries(HOSTILE).map(([kind, value]) => ({ command, option, kind, value }))))
    // "key <secret>" is a legal file name: written, its name scrubbed (see the summary test below).
    .filter((c) => !(c.option === '--output' && c.kind === 'quotes the secret key'));
  it('has at least 150 cases', () => expect(cases.length).toBeGreaterThanOrEqual(150));
  it.each(cases)('$command $option: $kind', async ({ command, option, value }) => {
    expectSafe(await runInProcess(argvFor(command, option, value)), 2);
  });
});

describe('hostile option names and positionals', () => {
  it.each(Object.entries(HOSTILE))('an unknown option spelled with %s', async (_kind, value) => {
    expectSafe(await runInProcess(['doctor', `--${value}`]), 2);
  });
  it.each(Object.entries(HOSTILE))('an unknown command spelled with %s', async (_kind, value) => {
    expectSafe(await runInProcess([value]), 2);
  });
});

describe('a report file named after a secret', () => {
  it('is written, and the summary line does not show the secret', async () => {
    const run = await runInProcess(['doctor', '--snapshot', join(REPO_ROOT, 'fixtures/snapshots/seed-codebuild-mode.json'), '--output', join(tmp.path, `key ${SECRET}`)]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/report written to .*<redacted>/);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });
});

describe('empty paths are usage errors', () => {
  it.each([
    ['doctor', '--output'],
    ['doctor', '--snapshot'],
    ['doctor', '--buildspec'],
    ['snapshot', '--output'],
    ['snapshot', '--buildspec'],
  ])('%s %s ""', async (command, option) => {
    const run = await runInProcess([command, '--project', 'corpus-project', option, '']);
    expectSafe(run, 2);
    expect(run.stderr).toMatch(new RegExp(`^error: ${option} needs a path`));
  });
});

describe('paths the system refuses are said in words', () => {
  it.each([
    ['a parent is a file', (d: string) => join(d, 'file', 'out.json'), /a parent of the path is a file/],
    ['the folder is missing', (d: string) => join(d, 'no', 'such', 'out.json'), /its folder does not exist/],
    ['the path is a folder', (d: string) => d, /it is a folder/],
  ])('--output where %s', async (_what, pathOf, pattern) => {
    await writeFile(join(tmp.path, 'file'), 'x');
    const run = await runInProcess(['doctor', '--snapshot', join(REPO_ROOT, 'fixtures/snapshots/seed-codebuild-mode.json'), '--output', pathOf(tmp.path)]);
    expectSafe(run, 2);
    expect(run.stderr).toMatch(pattern);
    expect(run.stderr).not.toMatch(/\bE[A-Z]{3,}\b/);
  });

  it.each([
    ['a parent is a file', (d: string) => join(d, 'file', 'snap.json'), /a parent of the path is a file/],
    ['it does not exist', (d: string) => join(d, 'nope.json'), /no such file/],
    ['it is a folder', (d: string) => d, /it is a folder/],
  ])('--snapshot where %s', async (_what, pathOf, pattern) => {
    await writeFile(join(tmp.path, 'file'), 'x');
    const run = await runInProcess(['doctor', '--snapshot', pathOf(tmp.path)]);
    expectSafe(run, 2);
    expect(run.stderr).toMatch(pattern);
    expect(run.stderr).not.toMatch(/\bE[A-Z]{3,}\b/);
  });
});

describe('hostile buildspec files: an input error, as eb deploy (PyYAML) refuses them', () => {
  const BUILDSPECS: Record<string, string | Buffer> = {
    'a NUL byte': 'version: 0.2\nphases:\n  build:\n    commands: ["echo \u0000"]\n',
    'an ESC byte': 'version: 0.2\neb_codebuild_settings:\n  CodeBuildServiceRole: \u001b[31mrole\n',
    'a bell': 'version: 0.2\n\u0007\n',
    'DEL': 'version: 0.2 \u007f\n',
    'a C1 control': 'version: 0.2 \u0085ok\u0086\n',
    'binary noise': Buffer.from(Array.from({ length: 20_000 }, (_v, i) => (i * 7919 + 13) % 256)),
    'a 20 KB line of junk': `version: [${'x'.repeat(20_000)}\n`,
    'an unterminated quote with an ANSI escape': 'version: "0.2\u001b[2J\n',
  };
  it.each(Object.entries(BUILDSPECS))('a buildspec with %s', async (kind, content) => {
    const file = join(tmp.path, `buildspec-${kind.replace(/\W/g, '-')}.yml`);
    await writeFile(file, content);
    expectSafe(await runInProcess(['doctor', '--buildspec', file]), 2);
  });
});

describe('hostile snapshot files', () => {
  const seed = join(REPO_ROOT, 'fixtures/snapshots/seed-codebuild-mode.json');
  async function snapshotWith(edit: (d: Record<string, any>) => void, name: string): Promise<string> {
    const { readFile } = await import('node:fs/promises');
    const doc = JSON.parse(await readFile(seed, 'utf8')) as Record<string, any>;
    edit(doc);
    const file = join(tmp.path, name);
    await writeFile(file, JSON.stringify(doc));
    return file;
  }

  it.each([
    ['a NUL', 'seed\u0000app'],
    ['an ANSI escape', 'seed\u001b[31mapp'],
    ['a newline', 'seed\nFAIL forged'],
    ['the session token', TOKEN],
  ])('a project name with %s is printed escaped in every format', async (_kind, name) => {
    const file = await snapshotWith((d) => {
      d.projects[0].requested = name;
      d.projects[0].project.value.name = name;
    }, `snap-${Math.random().toString(36).slice(2)}.json`);
    for (const format of ['text', 'json', 'junit', 'sarif']) {
      const run = await runInProcess(['doctor', '--snapshot', file, '--format', format]);
      expect([0, 1], run.stderr).toContain(run.code);
      for (const text of [run.stdout, run.stderr]) {
        expect(RAW_CONTROL.test(text), JSON.stringify(text.slice(0, 300))).toBe(false);
        expect(text).not.toContain(TOKEN);
      }
    }
  });

  it.each([
    ['not JSON, with control characters', '\u001b[2J{not json\u0000'],
    ['JSON of the wrong shape', '{"schemaVersion": "\u001b[31m"}'],
    ['empty', ''],
    ['a 100 KB string', JSON.stringify('A'.repeat(100_000))],
  ])('a snapshot that is %s: exit 2', async (kind, content) => {
    const file = join(tmp.path, `bad-${kind.replace(/\W/g, '-')}.json`);
    await writeFile(file, content);
    expectSafe(await runInProcess(['doctor', '--snapshot', file]), 2);
  });
});

describe('the built bin, for a representative few (the process, not just main())', () => {
  it.each([
    ['an ANSI project name', ['doctor', '--project', 'x\u001b[31mred']],
    ['a 100 KB project name', ['doctor', '--project', 'A'.repeat(100_000)]],
    ['a newline in an image', ['doctor', '--image', 'a\nb']],
    ['a 100 KB profile name', ['doctor', '--project', 'corpus-project', '--profile', 'P'.repeat(100_000)]],
    ['a profile name quoting the token', ['doctor', '--project', 'corpus-project', '--profile', `p${TOKEN}`]],
    ['an empty --output', ['doctor', '--project', 'corpus-project', '--output', '']],
  ])('%s', async (_kind, args) => {
    const run = await runCli(args, { env: ENV, timeoutMs: 15_000 });
    expect(run.code, run.stderr).not.toBe(-1);
    expectSafe(run, run.code === 3 ? 3 : 2);
  });
});
