import { describe, expect, it } from 'vitest';
import { imageSize } from '../../src/checks/image-size.js';
import type { ProjectInfo } from '../../src/model/facts.js';
import { facts, project, repository } from './facts-builder.js';
import { runCheck } from './run-check.js';

const GB = 1_000_000_000;
const FLEET = 'arn:aws:codebuild:us-east-1:111122223333:fleet/big:1';

function run(p: Partial<ProjectInfo>, sizeInBytes: number | undefined, extra: Parameters<typeof facts>[0] = {}) {
  const image = { digest: `sha256:${'1'.repeat(64)}`, tags: ['v1'], ...(sizeInBytes !== undefined ? { sizeInBytes } : {}) };
  return runCheck(imageSize, facts({ project: project(p), repositories: [repository({ images: { v1: { state: 'present', value: image } } })], ...extra }));
}
const small = { environmentType: 'LINUX_CONTAINER', computeType: 'BUILD_GENERAL1_SMALL' };

describe('image-size', () => {
  it('passes a small image, saying the size is compressed', () => {
    const [r] = run(small, 2 * GB);
    expect(r?.status).toBe('pass');
    expect(r?.message).toContain('compressed');
  });
  it('warns past half the documented disk (64 GB for BUILD_GENERAL1_SMALL), without failing on a guess', () => {
    const [r] = run(small, 40 * GB);
    expect(r?.status).toBe('warn');
    expect(r?.message).toMatch(/40\.0 GB compressed.*64 GB disk/);
  });
  it('fails when the compressed size alone exceeds the disk, saying the disk holds it unpacked', () => {
    const [r] = run(small, 70 * GB);
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('unpacked');
    expect(r?.fix?.description).toContain('larger compute type');
  });
  it("uses a fleet's disk", () => {
    const fleets = { [FLEET]: { arn: FLEET, fleet: { state: 'present' as const, value: { arn: FLEET, environmentType: 'LINUX_CONTAINER', computeType: 'ATTRIBUTE_BASED_COMPUTE', diskGb: 32 } } } };
    expect(run({ ...small, fleetArn: FLEET }, 40 * GB, { extra: { fleets } })[0]?.status).toBe('fail');
  });
  it('could not check: an unreadable fleet is an error naming the permission', () => {
    const fleets = { [FLEET]: { arn: FLEET, fleet: { state: 'unreadable' as const, reason: 'AccessDenied on codebuild:BatchGetFleets', permission: 'codebuild:BatchGetFleets' } } };
    const [r] = run({ ...small, fleetArn: FLEET }, 40 * GB, { extra: { fleets } });
    expect(r?.status).toBe('error');
    expect(r?.message).toContain('codebuild:BatchGetFleets');
  });
  it('skips a compute type without a documented disk', () => {
    expect(run({ environmentType: 'WINDOWS_SERVER_2019_CONTAINER', computeType: 'BUILD_GENERAL1_MEDIUM' }, 10 * GB)[0]?.status).toBe('skip');
  });
  it('not applicable without a size or an environment type', () => {
    expect(run(small, undefined)).toEqual([]);
    expect(run({}, 10 * GB)).toEqual([]);
  });
});
