import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/model/errors.js';
import { parseSnapshot } from '../../src/sources/snapshot.js';

const seed = JSON.parse(await readFile(new URL('../../fixtures/snapshots/seed-codebuild-mode.json', import.meta.url), 'utf8'));

function withLifecycle(lifecycle: unknown, imageList: unknown): string {
  const doc = structuredClone(seed);
  const [arn] = Object.keys(doc.repositories);
  doc.repositories[arn!] = { ...doc.repositories[arn!], lifecycle, imageList };
  return JSON.stringify(doc);
}

describe('snapshot lifecycle facts', () => {
  it('reads a lifecycle policy and an image list', () => {
    const facts = parseSnapshot(withLifecycle({ state: 'present', value: { text: '{"rules":[]}' } }, { state: 'present', value: { images: [{ digest: 'sha256:1', tags: ['v1'], pushedAt: '2026-01-01T00:00:00.000Z' }], complete: true } }), 's.json');
    const repo = Object.values(facts.repositories)[0];
    expect(repo?.lifecycle).toEqual({ state: 'present', value: { text: '{"rules":[]}' } });
    expect(repo?.imageList?.state).toBe('present');
  });
  it('names the JSON path of a malformed image list', () => {
    const bad = withLifecycle({ state: 'absent' }, { state: 'present', value: { images: [{ digest: 1, tags: [] }], complete: true } });
    expect(() => parseSnapshot(bad, 's.json')).toThrow(UsageError);
    expect(() => parseSnapshot(bad, 's.json')).toThrow(/imageList\.value\.images\[0\]\.digest must be a string/);
  });
});
