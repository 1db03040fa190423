import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEbConfig } from '../../src/eb/eb-config.js';
import { UsageError } from '../../src/model/errors.js';
import { fixture } from './helpers.js';

const read = (name: string, file: string) => readFile(join(fixture(name), '.elasticbeanstalk', file), 'utf8');

describe('parseEbConfig', () => {
  it('good: global settings plus the main branch environment', async () => {
    expect(parseEbConfig(await read('good', 'config.yml'), undefined, 'main')).toEqual({
      applicationName: 'my-web-app',
      region: 'us-east-1',
      profile: 'eb-cli',
      environment: 'my-web-app-prod',
    });
  });

  it('global-only: config.global.yml alone is enough', async () => {
    expect(parseEbConfig(undefined, await read('global-only', 'config.global.yml'), 'main')).toEqual({
      applicationName: 'my-web-app',
      region: 'eu-west-1',
      profile: 'shared-profile',
    });
  });

  it('branch-override: the branch entry overrides region and profile, not the application', async () => {
    const text = await read('branch-override', 'config.yml');
    expect(parseEbConfig(text, undefined, 'feature/login')).toEqual({
      applicationName: 'my-web-app',
      region: 'us-west-2',
      profile: 'staging',
      environment: 'my-web-app-staging',
    });
    expect(parseEbConfig(text, undefined, 'main')).toEqual({
      applicationName: 'my-web-app',
      region: 'us-east-1',
      profile: 'eb-cli',
      environment: 'my-web-app-prod',
    });
    expect(parseEbConfig(text, undefined, 'default').environment).toBe('my-web-app-detached');
    expect(parseEbConfig(text, undefined, 'unknown-branch')).not.toHaveProperty('environment');
    expect(parseEbConfig(text)).not.toHaveProperty('environment');
  });

  it('local beats global key by key', () => {
    const local = 'global:\n  default_region: us-east-1\n';
    const global = 'global:\n  application_name: from-global\n  default_region: eu-west-1\n  profile: p\n';
    expect(parseEbConfig(local, global)).toEqual({ applicationName: 'from-global', region: 'us-east-1', profile: 'p' });
  });

  it('a local key set to null hides the global value, as in the EB CLI', () => {
    expect(parseEbConfig('global:\n  profile: null\n', 'global:\n  profile: p\n')).toEqual({});
  });

  it('a local branch entry hides the global one as a whole', () => {
    const local = 'branch-defaults:\n  main:\n    environment: local-env\n';
    const global = 'branch-defaults:\n  main:\n    environment: g-env\n    profile: g-profile\nglobal:\n  profile: base\n';
    expect(parseEbConfig(local, global, 'main')).toEqual({ environment: 'local-env', profile: 'base' });
  });

  it('application_name is never taken from a branch entry', () => {
    expect(parseEbConfig('branch-defaults:\n  main:\n    application_name: x\n', undefined, 'main')).toEqual({});
  });

  it('numeric names become text; empty files and missing sections are no settings', () => {
    expect(parseEbConfig('global:\n  application_name: 2024\n')).toEqual({ applicationName: '2024' });
    expect(parseEbConfig('', '# nothing\n', 'main')).toEqual({});
    expect(parseEbConfig('global:\n', undefined, 'main')).toEqual({});
    expect(parseEbConfig(undefined, undefined, 'main')).toEqual({});
  });

  it('malformed YAML is a UsageError naming the file, line and column', () => {
    const run = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      throw new Error('expected a UsageError');
    };
    expect(run(() => parseEbConfig('global:\n  a: 1\n b: 2\n'))).toBe(
      '.elasticbeanstalk/config.yml:3:1: All mapping items must start at the same column',
    );
    expect(run(() => parseEbConfig(undefined, 'global: [x\n', undefined, { global: 'p/config.global.yml' }))).toMatch(
      /^p\/config\.global\.yml:2:1: /,
    );
    expect(run(() => parseEbConfig('- a\n'))).toBe('.elasticbeanstalk/config.yml:1:1: an EB CLI config file must be a YAML mapping');
  });
});
