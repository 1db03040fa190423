import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/model/errors.js';
import { parseSnapshot } from '../../src/sources/snapshot.js';

const seed = await readFile(new URL('../../fixtures/snapshots/seed-codebuild-mode.json', import.meta.url), 'utf8');

function errorOf(text: string): string {
  try {
    parseSnapshot(text, 'snap.json');
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parseSnapshot', () => {
  it('reads the bundled seed snapshot', () => {
    expect(parseSnapshot(seed, 'seed.json').projects[0]?.requested).toBe('seed-app-build');
  });
  it('names where a truncated file stops', () => {
    expect(errorOf(seed.slice(0, 200))).toMatch(/^snapshot snap.json is not valid JSON/);
  });
  it('says an empty file is empty', () => {
    expect(errorOf('')).toContain('the file is empty');
  });
  it('names the JSON path of a wrong shape', () => {
    const doc = JSON.parse(seed);
    doc.projects[0].project.state = 'maybe';
    expect(errorOf(JSON.stringify(doc))).toBe('snapshot snap.json is not an ecr-doctor snapshot: $.projects[0].project.state must be one of present, absent, unreadable');
  });
  it('rejects another schema version', () => {
    expect(errorOf(JSON.stringify({ ...JSON.parse(seed), schemaVersion: 2 }))).toContain('$.schemaVersion must be 1');
  });
  it('never throws anything but a UsageError on arbitrary JSON or text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
        try {
          parseSnapshot(text, 'x.json');
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
          expect((e as Error).message).not.toContain('\n');
        }
      }),
      { numRuns: 500 },
    );
  });
});
