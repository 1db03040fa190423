import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findProjectRoot } from '../../src/eb/find-project-root.js';
import { fixture, makeTree } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('findProjectRoot', () => {
  it('finds the fixture folder from itself and from a subfolder', async () => {
    expect(await findProjectRoot(fixture('good'))).toBe(fixture('good'));
    expect(await findProjectRoot(join(fixture('good'), '.elasticbeanstalk'))).toBe(fixture('good'));
  });

  it('walks up from a deep folder to the nearest .elasticbeanstalk directory', async () => {
    const tree = await makeTree({ 'app/.elasticbeanstalk/config.yml': 'global: {}\n', 'app/src/lib/x.ts': '' });
    cleanups.push(tree.cleanup);
    expect(await findProjectRoot(join(tree.dir, 'app/src/lib'))).toBe(join(tree.dir, 'app'));
  });

  it('prefers the nearest of nested projects', async () => {
    const tree = await makeTree({ '.elasticbeanstalk/config.yml': '', 'inner/.elasticbeanstalk/config.yml': '' });
    cleanups.push(tree.cleanup);
    expect(await findProjectRoot(join(tree.dir, 'inner'))).toBe(join(tree.dir, 'inner'));
  });

  it('ignores a .elasticbeanstalk that is a file, and returns undefined at the filesystem root', async () => {
    const tree = await makeTree({ 'p/.elasticbeanstalk': 'not a folder', 'p/q/r': '' });
    cleanups.push(tree.cleanup);
    // The scratch folder lives under the OS temp dir, which has no .elasticbeanstalk above it.
    expect(await findProjectRoot(join(tree.dir, 'p/q'))).toBeUndefined();
  });
});
