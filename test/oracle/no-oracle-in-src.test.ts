/** The oracle is AGPL-3.0: a devDependency for tests, never imported from src/, never shipped. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ORACLE = '@cloud-copilot/iam-simulate';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : /\.(c|m)?(t|j)sx?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Any mention of the package or its scope, in an import, a require, a dynamic import or a string. */
export function findOracleImports(files: readonly string[], read: (f: string) => string): string[] {
  return files.filter((f) => /@cloud-copilot\//.test(read(f)));
}

describe('the oracle stays out of the product', () => {
  it('is not imported by any file under src/', () => {
    const files = listFiles(join(ROOT, 'src'));
    expect(files.length).toBeGreaterThan(5);
    expect(findOracleImports(files, (f) => readFileSync(f, 'utf8'))).toEqual([]);
  });

  it('the scan would catch each way of importing it', () => {
    const samples: Record<string, string> = {
      'a.ts': `import { runSimulation } from '${ORACLE}';`,
      'b.ts': `const m = await import("${ORACLE}");`,
      'c.js': `const m = require('${ORACLE}/dist/cjs/index.js');`,
      'd.ts': `export * from '@cloud-copilot/iam-policy';`,
      'e.ts': `import { parsePolicy } from './parse.js';`,
    };
    expect(findOracleImports(Object.keys(samples), (f) => samples[f] ?? '')).toEqual(['a.ts', 'b.ts', 'c.js', 'd.ts']);
  });

  it('is an exactly pinned devDependency, not a dependency', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    expect(pkg.dependencies?.[ORACLE]).toBeUndefined();
    expect(pkg.devDependencies?.[ORACLE]).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
