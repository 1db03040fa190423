import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBuildspec } from '../../src/eb/buildspec.js';
import { UsageError } from '../../src/model/errors.js';
import { fixture } from './helpers.js';

async function parseFixture(name: string) {
  const text = await readFile(join(fixture(name), 'buildspec.yml'), 'utf8');
  return parseBuildspec(text, `${name}/buildspec.yml`);
}

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('parseBuildspec on the fixtures', () => {
  it('good: reads all four settings, no problems', async () => {
    expect(await parseFixture('good')).toEqual({
      hasSettings: true,
      settings: {
        codeBuildServiceRole: 'my-codebuild-role',
        computeType: 'BUILD_GENERAL1_SMALL',
        image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-web-app-build:latest',
        timeout: 60,
      },
      problems: [],
    });
  });

  it('no-header: hasSettings false and no settings', async () => {
    expect(await parseFixture('no-header')).toEqual({ hasSettings: false, problems: [] });
  });

  it('malformed-yaml: UsageError with file:line:col of the bad indentation', async () => {
    const text = await readFile(join(fixture('malformed-yaml'), 'buildspec.yml'), 'utf8');
    const error = usageError(() => parseBuildspec(text, 'malformed-yaml/buildspec.yml'));
    // Line 8 is the under-indented key; PyYAML points at the same line (column 2, where the key starts).
    expect(error.message).toBe('malformed-yaml/buildspec.yml:8:1: All mapping items must start at the same column');
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toMatch(/at line \d+, column \d+/);
    expect(error.exitCode).toBe(2);
  });

  it('curated-image, cross-account-image: the image string is kept verbatim', async () => {
    expect((await parseFixture('curated-image')).settings?.image).toBe('aws/codebuild/standard:7.0');
    expect((await parseFixture('cross-account-image')).settings?.image).toBe(
      '210987654321.dkr.ecr.us-east-1.amazonaws.com/shared/build-images:node20',
    );
  });

  it('missing-role: header present, role absent', async () => {
    const parsed = await parseFixture('missing-role');
    expect(parsed.hasSettings).toBe(true);
    expect(parsed.settings).not.toHaveProperty('codeBuildServiceRole');
    expect(parsed.settings?.image).toContain('my-web-app-build');
  });
});

describe('parseBuildspec edge cases', () => {
  const head = 'version: 0.2\n';

  it('an empty header means every setting absent', () => {
    expect(parseBuildspec(`${head}eb_codebuild_settings:\n`, 'b.yml')).toEqual({ hasSettings: true, settings: {}, problems: [] });
  });

  it('a header that is not a mapping is a problem with its position', () => {
    const parsed = parseBuildspec(`${head}eb_codebuild_settings: my-role\n`, 'b.yml');
    expect(parsed.hasSettings).toBe(true);
    expect(parsed.settings).toEqual({});
    expect(parsed.problems).toEqual([expect.stringMatching(/^b\.yml:2:24: eb_codebuild_settings must be a mapping/)]);
  });

  it('unknown keys are problems, with a hint for near misses', () => {
    const text = `${head}eb_codebuild_settings:\n  codebuildservicerole: r\n  TimeoutInMinutes: 30\n  ArtifactName: a\n  Colour: blue\n  Image: img\n`;
    const parsed = parseBuildspec(text, 'b.yml');
    expect(parsed.settings).toEqual({ image: 'img' });
    expect(parsed.problems).toHaveLength(4);
    expect(parsed.problems[0]).toMatch(/^b\.yml:3:3: unknown key 'codebuildservicerole'.*reads 'CodeBuildServiceRole'/);
    expect(parsed.problems[1]).toMatch(/^b\.yml:4:3: .*'TimeoutInMinutes'.*reads 'Timeout'/);
    expect(parsed.problems[2]).toMatch(/^b\.yml:5:3: 'ArtifactName'.*does not read it/);
    expect(parsed.problems[3]).toMatch(/^b\.yml:6:3: unknown key 'Colour'/);
  });

  it('wrong types and out-of-range values are problems; bad types are dropped', () => {
    const text = `${head}eb_codebuild_settings:\n  CodeBuildServiceRole: 42\n  Image: "  "\n  ComputeType: BUILD_GENERAL1_2XLARGE\n  Timeout: "30"\n`;
    const parsed = parseBuildspec(text, 'b.yml');
    expect(parsed.settings).toEqual({ computeType: 'BUILD_GENERAL1_2XLARGE' });
    expect(parsed.problems).toEqual([
      expect.stringMatching(/^b\.yml:3:25: CodeBuildServiceRole must be a non-empty string, found 42/),
      expect.stringMatching(/^b\.yml:4:10: Image must be a non-empty string/),
      expect.stringMatching(/^b\.yml:5:16: ComputeType 'BUILD_GENERAL1_2XLARGE' is not one/),
      expect.stringMatching(/^b\.yml:6:12: Timeout must be a whole number.*"30"/),
    ]);
  });

  it('keeps an out-of-range timeout but flags it', () => {
    const parsed = parseBuildspec(`${head}eb_codebuild_settings:\n  Timeout: 600\n`, 'b.yml');
    expect(parsed.settings).toEqual({ timeout: 600 });
    expect(parsed.problems).toEqual([expect.stringContaining('outside 5-480')]);
  });

  it('reads YAML 1.1 like PyYAML: 010 is octal 8', () => {
    expect(parseBuildspec(`${head}eb_codebuild_settings:\n  Timeout: 010\n`, 'b.yml').settings?.timeout).toBe(8);
  });

  it('duplicate keys: the last wins, as in PyYAML, and it is flagged', () => {
    const parsed = parseBuildspec(`${head}eb_codebuild_settings:\n  Image: a\n  Image: b\n`, 'b.yml');
    expect(parsed.settings).toEqual({ image: 'b' });
    expect(parsed.problems).toEqual([expect.stringMatching(/^b\.yml:4:3: Image appears twice/)]);
  });

  it('an ARN that is not a role ARN is flagged; a role ARN with a path is not', () => {
    const bad = parseBuildspec(`${head}eb_codebuild_settings:\n  CodeBuildServiceRole: arn:aws:iam::123:role/x\n`, 'b.yml');
    expect(bad.problems).toEqual([expect.stringContaining("Role 'arn:aws:iam::123:role/x' does not exist")]);
    const good = parseBuildspec(
      `${head}eb_codebuild_settings:\n  CodeBuildServiceRole: arn:aws:iam::123456789012:role/service-role/cb\n`,
      'b.yml',
    );
    expect(good.problems).toEqual([]);
    expect(good.settings?.codeBuildServiceRole).toBe('arn:aws:iam::123456789012:role/service-role/cb');
  });

  it('flags a missing version key', () => {
    expect(parseBuildspec('eb_codebuild_settings:\n  Image: x\n', 'b.yml').problems).toEqual([
      expect.stringContaining("no 'version' key"),
    ]);
  });

  it('a buildspec that is not a mapping, or empty, is a UsageError', () => {
    expect(usageError(() => parseBuildspec('- a\n- b\n', 'b.yml')).message).toBe('b.yml:1:1: a buildspec must be a YAML mapping, found a list');
    expect(usageError(() => parseBuildspec('just text\n', 'b.yml')).message).toMatch(/^b\.yml:1:1: .*found a scalar/);
    expect(usageError(() => parseBuildspec('', 'b.yml')).message).toBe('b.yml: the file is empty; a buildspec is a YAML mapping');
    expect(usageError(() => parseBuildspec('# only a comment\n', 'b.yml')).message).toContain('empty');
  });

  it('syntax errors carry file:line:col', () => {
    expect(usageError(() => parseBuildspec('version: 0.2\nphases: [a, b\n', 'x/buildspec.yml')).message).toMatch(
      /^x\/buildspec\.yml:3:1: /,
    );
    expect(usageError(() => parseBuildspec('a: 1\n---\nb: 2\n', 'b.yml')).message).toMatch(/^b\.yml:2:1: .*multiple documents/);
    expect(usageError(() => parseBuildspec('a: "unterminated\n', 'b.yml')).message).toBe('b.yml:2:1: Missing closing "quote');
  });

  it('never throws anything but UsageError, whatever the text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          const parsed = parseBuildspec(text, 'p.yml');
          expect(Array.isArray(parsed.problems)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          expect((error as Error).message.startsWith('p.yml')).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
