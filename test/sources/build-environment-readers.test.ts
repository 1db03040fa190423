// The live readers of issue 10 through the real SDK clients, against a replay server that answers
// as the AWS API references document (moto 5.2 answers GetDownloadUrlForLayer and BatchGetFleets
// with HTML 500s and never denies): ECR BatchGetImage / GetDownloadUrlForLayer ("downloadUrl: the
// pre-signed Amazon S3 download URL for the requested layer"), CodeBuild BatchGetFleets
// (fleets, fleetsNotFound), Secrets Manager DescribeSecret / GetResourcePolicy, KMS DescribeKey /
// GetKeyPolicy, and AccessDeniedException as the JSON protocols send it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readFleets } from '../../src/sources/live/codebuild.js';
import { ACCEPTED_MEDIA_TYPES, readImagePlatforms } from '../../src/sources/live/manifests.js';
import { readSecret } from '../../src/sources/live/secrets.js';
import { replayError, startReplayServer, type ReplayServer } from '../support/replay-server.js';

const ACCT = '111122223333';
const config = (endpoint: string) => ({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
const CONFIG_DIGEST = `sha256:${'c'.repeat(64)}`;
const denied = (action: string) => replayError('AccessDeniedException', `User: arn:aws:sts::${ACCT}:assumed-role/dev/me is not authorized to perform: ${action}`);

let blobServer: ReturnType<typeof createServer>;
let blobUrl = '';

beforeAll(async () => {
  // Stands in for S3 behind the pre-signed URL: the image config blob (OCI image spec, "Image Configuration").
  blobServer = createServer((_req, res) => {
    const body = JSON.stringify({ architecture: 'arm64', os: 'linux', variant: 'v8', config: {}, rootfs: { type: 'layers', diff_ids: [] } });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => blobServer.listen(0, '127.0.0.1', resolve));
  blobUrl = `http://127.0.0.1:${(blobServer.address() as AddressInfo).port}/blob?X-Amz-Signature=abc`;
});

afterAll(async () => {
  blobServer.closeAllConnections();
  await new Promise<void>((resolve) => blobServer.close(() => resolve()));
});

const singleManifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1469, digest: CONFIG_DIGEST },
  layers: [],
});

async function withReplay<T>(routes: Record<string, unknown>, fn: (server: ReplayServer) => Promise<T>): Promise<T> {
  const server = await startReplayServer(routes);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

describe('readImagePlatforms', () => {
  const batchGetImage = { images: [{ imageId: { imageTag: 'v1' }, imageManifest: singleManifest, imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json' }], failures: [] };

  it('reads a single-platform image from its config blob, asking for every manifest media type', async () => {
    await withReplay({
      'AmazonEC2ContainerRegistry_V20150921.BatchGetImage': batchGetImage,
      'AmazonEC2ContainerRegistry_V20150921.GetDownloadUrlForLayer': (body: { layerDigest: string }) => ({ downloadUrl: blobUrl, layerDigest: body.layerDigest }),
    }, async (server) => {
      const fact = await readImagePlatforms(new ECRClient(config(server.endpoint)), { registryId: ACCT, name: 'app' }, 'v1');
      expect(fact).toEqual({ state: 'present', value: [{ os: 'linux', architecture: 'arm64', variant: 'v8' }] });
      const asked = server.requests.find((r) => r.target.endsWith('BatchGetImage'))?.body as { acceptedMediaTypes: string[] };
      expect(asked.acceptedMediaTypes).toEqual(ACCEPTED_MEDIA_TYPES);
      expect(server.requests.find((r) => r.target.endsWith('GetDownloadUrlForLayer'))?.body).toMatchObject({ layerDigest: CONFIG_DIGEST });
    });
  });

  it('a denied config download is "could not check", naming ecr:GetDownloadUrlForLayer', async () => {
    await withReplay({
      'AmazonEC2ContainerRegistry_V20150921.BatchGetImage': batchGetImage,
      'AmazonEC2ContainerRegistry_V20150921.GetDownloadUrlForLayer': denied('ecr:GetDownloadUrlForLayer'),
    }, async (server) => {
      const fact = await readImagePlatforms(new ECRClient(config(server.endpoint)), { registryId: ACCT, name: 'app' }, 'v1');
      expect(fact).toMatchObject({ state: 'unreadable', permission: 'ecr:GetDownloadUrlForLayer' });
    });
  });

  it('a denied manifest read names ecr:BatchGetImage', async () => {
    await withReplay({ 'AmazonEC2ContainerRegistry_V20150921.BatchGetImage': denied('ecr:BatchGetImage') }, async (server) => {
      const fact = await readImagePlatforms(new ECRClient(config(server.endpoint)), { registryId: ACCT, name: 'app' }, 'v1');
      expect(fact).toMatchObject({ state: 'unreadable', reason: 'AccessDenied on ecr:BatchGetImage', permission: 'ecr:BatchGetImage' });
    });
  });
});

describe('readFleets', () => {
  const FLEET = `arn:aws:codebuild:us-east-1:${ACCT}:fleet/arm:1a2b`;
  const GONE = `arn:aws:codebuild:us-east-1:${ACCT}:fleet/gone:9z`;
  it('reads environment type, compute type and disk; a fleet in fleetsNotFound is absent', async () => {
    await withReplay({
      'CodeBuild_20161006.BatchGetFleets': { fleets: [{ arn: FLEET, name: 'arm', environmentType: 'ARM_CONTAINER', computeType: 'ATTRIBUTE_BASED_COMPUTE', computeConfiguration: { vCpu: 4, memory: 8, disk: 64, machineType: 'GENERAL' } }], fleetsNotFound: [GONE] },
    }, async (server) => {
      const facts = await readFleets(new CodeBuildClient(config(server.endpoint)), [FLEET, GONE]);
      expect(facts).toEqual([
        { arn: FLEET, fleet: { state: 'present', value: { arn: FLEET, name: 'arm', environmentType: 'ARM_CONTAINER', computeType: 'ATTRIBUTE_BASED_COMPUTE', diskGb: 64 } } },
        { arn: GONE, fleet: { state: 'absent' } },
      ]);
    });
  });
  it('a denied BatchGetFleets names codebuild:BatchGetFleets', async () => {
    await withReplay({ 'CodeBuild_20161006.BatchGetFleets': denied('codebuild:BatchGetFleets') }, async (server) => {
      const [f] = await readFleets(new CodeBuildClient(config(server.endpoint)), [FLEET]);
      expect(f?.fleet).toMatchObject({ state: 'unreadable', permission: 'codebuild:BatchGetFleets' });
    });
  });
});

describe('readSecret', () => {
  const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${ACCT}:secret:dockerhub-AbCdEf`;
  const KEY_ARN = `arn:aws:kms:us-east-1:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const KEY_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'kms:*', Resource: '*' }] });

  it('resolves a key alias with DescribeKey, then reads the customer key policy; never GetSecretValue', async () => {
    await withReplay({
      'secretsmanager.DescribeSecret': { ARN: SECRET_ARN, Name: 'dockerhub', KmsKeyId: 'alias/builds' },
      'secretsmanager.GetResourcePolicy': { ARN: SECRET_ARN, Name: 'dockerhub' },
      'TrentService.DescribeKey': { KeyMetadata: { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', Arn: KEY_ARN, KeyManager: 'CUSTOMER' } },
      'TrentService.GetKeyPolicy': (body: { KeyId: string }) => (body.KeyId === KEY_ARN ? { Policy: KEY_POLICY, PolicyName: 'default' } : replayError('NotFoundException', 'wrong key id')),
    }, async (server) => {
      const kms = new KMSClient(config(server.endpoint));
      const facts = await readSecret(new SecretsManagerClient(config(server.endpoint)), async () => kms, { credential: 'dockerhub', region: 'us-east-1' });
      expect(facts).toEqual({
        credential: 'dockerhub',
        region: 'us-east-1',
        secret: { state: 'present', value: { arn: SECRET_ARN, name: 'dockerhub', kmsKeyId: 'alias/builds' } },
        resourcePolicy: { state: 'absent' },
        kmsKey: { state: 'present', value: { arn: KEY_ARN, keyManager: 'CUSTOMER' } },
        keyPolicy: { state: 'present', value: { text: KEY_POLICY } },
      });
      expect(server.requests.map((r) => r.target)).not.toContain('secretsmanager.GetSecretValue');
    });
  });

  it('denied reads are unreadable facts naming secretsmanager:DescribeSecret and kms:GetKeyPolicy', async () => {
    await withReplay({
      'secretsmanager.DescribeSecret': denied('secretsmanager:DescribeSecret'),
      'secretsmanager.GetResourcePolicy': denied('secretsmanager:GetResourcePolicy'),
    }, async (server) => {
      const facts = await readSecret(new SecretsManagerClient(config(server.endpoint)), async () => new KMSClient(config(server.endpoint)), { credential: 'dockerhub', region: 'us-east-1' });
      expect(facts.secret).toMatchObject({ state: 'unreadable', permission: 'secretsmanager:DescribeSecret' });
    });
    await withReplay({
      'secretsmanager.DescribeSecret': { ARN: SECRET_ARN, Name: 'dockerhub', KmsKeyId: KEY_ARN },
      'secretsmanager.GetResourcePolicy': { ARN: SECRET_ARN, Name: 'dockerhub' },
      'TrentService.DescribeKey': { KeyMetadata: { Arn: KEY_ARN, KeyManager: 'CUSTOMER' } },
      'TrentService.GetKeyPolicy': denied('kms:GetKeyPolicy'),
    }, async (server) => {
      const facts = await readSecret(new SecretsManagerClient(config(server.endpoint)), async () => new KMSClient(config(server.endpoint)), { credential: 'dockerhub', region: 'us-east-1' });
      expect(facts.keyPolicy).toMatchObject({ state: 'unreadable', permission: 'kms:GetKeyPolicy' });
    });
  });

  it('a missing secret (ResourceNotFoundException) is absent', async () => {
    await withReplay({
      'secretsmanager.DescribeSecret': replayError('ResourceNotFoundException', "Secrets Manager can't find the specified secret."),
      'secretsmanager.GetResourcePolicy': replayError('ResourceNotFoundException', "Secrets Manager can't find the specified secret."),
    }, async (server) => {
      const facts = await readSecret(new SecretsManagerClient(config(server.endpoint)), async () => new KMSClient(config(server.endpoint)), { credential: 'nope', region: 'us-east-1' });
      expect(facts.secret).toEqual({ state: 'absent' });
    });
  });
});
