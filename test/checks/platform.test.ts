import { describe, expect, it } from 'vitest';
import { platform } from '../../src/checks/platform.js';
import type { Fact } from '../../src/model/fact.js';
import type { ImagePlatform, ProjectInfo } from '../../src/model/facts.js';
import { facts, project, repository } from './facts-builder.js';
import { runCheck } from './run-check.js';

const FLEET = 'arn:aws:codebuild:us-east-1:111122223333:fleet/arm-fleet:1a2b';
const amd64: ImagePlatform = { os: 'linux', architecture: 'amd64' };
const arm64: ImagePlatform = { os: 'linux', architecture: 'arm64', variant: 'v8' };

function run(p: Partial<ProjectInfo>, platforms?: Fact<ImagePlatform[]>, extra: Parameters<typeof facts>[0] = {}) {
  const image = { digest: `sha256:${'1'.repeat(64)}`, tags: ['v1'], ...(platforms ? { platforms } : {}), manifestMediaType: 'application/vnd.oci.image.index.v1+json' };
  return runCheck(platform, facts({ project: project(p), repositories: [repository({ images: { v1: { state: 'present', value: image } } })], ...extra }));
}

describe('platform', () => {
  it('fails an amd64-only index on ARM_CONTAINER, naming arm64 and the buildx way out', () => {
    const [r] = run({ environmentType: 'ARM_CONTAINER' }, { state: 'present', value: [amd64] });
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('linux/arm64');
    expect(r?.fix?.description).toContain('docker buildx build --platform linux/amd64,linux/arm64');
  });
  it('passes an amd64+arm64 index on ARM_CONTAINER and on LINUX_CONTAINER', () => {
    expect(run({ environmentType: 'ARM_CONTAINER' }, { state: 'present', value: [amd64, arm64] })[0]?.status).toBe('pass');
    expect(run({ environmentType: 'LINUX_CONTAINER' }, { state: 'present', value: [amd64, arm64] })[0]?.status).toBe('pass');
  });
  it('ignores attestation entries (unknown/unknown) of buildx indexes', () => {
    const [r] = run({ environmentType: 'ARM_CONTAINER' }, { state: 'present', value: [amd64, { os: 'unknown', architecture: 'unknown' }] });
    expect(r?.status).toBe('fail');
    expect(r?.message).not.toContain('unknown');
  });
  it('fails a Windows Server 2019 image on WINDOWS_SERVER_2022_CONTAINER', () => {
    const [r] = run({ environmentType: 'WINDOWS_SERVER_2022_CONTAINER' }, { state: 'present', value: [{ os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.5820' }] });
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('Windows Server 2022');
  });
  it('fails a multi-architecture index on Lambda compute (the guide: no multi-architecture images)', () => {
    const [r] = run({ environmentType: 'ARM_LAMBDA_CONTAINER', computeType: 'BUILD_LAMBDA_2GB' }, { state: 'present', value: [amd64, arm64] });
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('multi-architecture');
  });
  it("uses the fleet's environment type, not the project's", () => {
    const fleets = { [FLEET]: { arn: FLEET, fleet: { state: 'present' as const, value: { arn: FLEET, environmentType: 'ARM_CONTAINER', computeType: 'BUILD_GENERAL1_SMALL' } } } };
    const [r] = run({ environmentType: 'LINUX_CONTAINER', fleetArn: FLEET }, { state: 'present', value: [amd64] }, { extra: { fleets } });
    expect(r?.status).toBe('fail');
    expect(r?.evidence?.environmentFrom).toContain('fleet');
  });
  it('is an error naming codebuild:BatchGetFleets when the fleet could not be read', () => {
    const fleets = { [FLEET]: { arn: FLEET, fleet: { state: 'unreadable' as const, reason: 'AccessDenied on codebuild:BatchGetFleets', permission: 'codebuild:BatchGetFleets' } } };
    const [r] = run({ environmentType: 'LINUX_CONTAINER', fleetArn: FLEET }, { state: 'present', value: [amd64] }, { extra: { fleets } });
    expect(r?.status).toBe('error');
    expect(r?.message).toContain('codebuild:BatchGetFleets');
  });
  it('could not check: a config blob it may not download is a skip naming ecr:GetDownloadUrlForLayer, never a pass', () => {
    const [r] = run({ environmentType: 'ARM_CONTAINER' }, { state: 'unreadable', reason: 'AccessDenied on ecr:GetDownloadUrlForLayer', permission: 'ecr:GetDownloadUrlForLayer' });
    expect(r?.status).toBe('skip');
    expect(r?.severity).toBe('info');
    expect(r?.message).toContain('ecr:GetDownloadUrlForLayer');
  });
  it('could not check: a denied manifest read is an error naming ecr:BatchGetImage', () => {
    const [r] = run({ environmentType: 'ARM_CONTAINER' }, { state: 'unreadable', reason: 'AccessDenied on ecr:BatchGetImage', permission: 'ecr:BatchGetImage' });
    expect(r?.status).toBe('error');
    expect(r?.message).toContain('ecr:BatchGetImage');
  });
  it('judges curated images by their documented family', () => {
    expect(run({ image: 'aws/codebuild/amazonlinux2-aarch64-standard:3.0', environmentType: 'LINUX_CONTAINER' })[0]?.status).toBe('fail');
    expect(run({ image: 'aws/codebuild/amazonlinux2-aarch64-standard:3.0', environmentType: 'ARM_CONTAINER' })[0]?.status).toBe('pass');
    expect(run({ image: 'aws/codebuild/standard:7.0', environmentType: 'LINUX_LAMBDA_CONTAINER' })[0]?.status).toBe('fail');
    expect(run({ image: 'aws/codebuild/amazonlinux-x86_64-lambda-standard:python3.12', environmentType: 'LINUX_LAMBDA_CONTAINER' })[0]?.status).toBe('pass');
    expect(run({ image: 'aws/codebuild/windows-base:2019-3.0', environmentType: 'WINDOWS_SERVER_2022_CONTAINER' })[0]?.status).toBe('fail');
    expect(run({ image: 'aws/codebuild/some-new-image:1.0', environmentType: 'LINUX_CONTAINER' })[0]?.status).toBe('skip');
  });
  it('not applicable: no environment type, a bare --image, or platforms never read (an older snapshot)', () => {
    expect(run({}, { state: 'present', value: [amd64] })).toEqual([]);
    expect(run({ environmentType: 'LINUX_CONTAINER' })).toEqual([]);
    expect(runCheck(platform, facts({ project: null, extra: { images: ['node:20'] } }))).toEqual([]);
  });
  it('skips an image outside ECR, saying what it must offer', () => {
    const [r] = run({ image: 'node:20', environmentType: 'ARM_CONTAINER' });
    expect(r?.status).toBe('skip');
    expect(r?.message).toContain('linux/arm64');
  });
});
