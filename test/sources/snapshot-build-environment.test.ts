// Snapshots carry the facts of issue 10 (image platforms, fleets, registryCredential secrets), and
// a wrong shape there is named by its JSON path like any other (validate-facts.ts).
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/model/errors.js';
import { parseSnapshot } from '../../src/sources/snapshot.js';

const load = (name: string) => readFile(new URL(`../../fixtures/snapshots/${name}.json`, import.meta.url), 'utf8');

function errorOf(doc: unknown): string {
  try {
    parseSnapshot(JSON.stringify(doc), 'snap.json');
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('snapshots with build-environment facts', () => {
  it('reads the platforms of an image and the registryCredential secret back', async () => {
    const platform = parseSnapshot(await load('platform-arm-amd64-only'), 'p.json');
    const image = Object.values(platform.repositories)[0]?.images['v1'];
    expect(image?.state === 'present' && image.value.platforms).toEqual({ state: 'present', value: [{ os: 'linux', architecture: 'amd64' }] });
    const secret = parseSnapshot(await load('registry-credential-readable'), 's.json');
    expect(Object.keys(secret.secrets ?? {})).toEqual(['us-east-1|dockerhub-login']);
  });
  it('names the path of a wrong platform, secret or fleet', async () => {
    const platform = JSON.parse(await load('platform-arm-amd64-only'));
    const repo = Object.keys(platform.repositories)[0]!;
    platform.repositories[repo].images.v1.value.platforms.value[0].architecture = 64;
    expect(errorOf(platform)).toContain(`$.repositories[${JSON.stringify(repo)}].images["v1"].value.platforms.value[0].architecture must be a string`);
    const secret = JSON.parse(await load('registry-credential-readable'));
    secret.secrets['us-east-1|dockerhub-login'].secret.state = 'maybe';
    expect(errorOf(secret)).toContain('$.secrets["us-east-1|dockerhub-login"].secret.state must be one of present, absent, unreadable');
    const fleet = { ...JSON.parse(await load('platform-arm-multi-arch')), fleets: { f: { arn: 'f', fleet: { state: 'present', value: { arn: 'f', diskGb: 'big' } } } } };
    expect(errorOf(fleet)).toContain('$.fleets["f"].fleet.value.diskGb must be a number');
  });
});
