import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../../src/image/parse-image-ref.js';
import { UsageError } from '../../src/model/errors.js';

describe('parseImageRef', () => {
  it.each([
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.0', { kind: 'ecr', account: '123456789012', region: 'us-east-1', partition: 'aws', repository: 'app', tag: '1.0', reference: '1.0', repositoryArn: 'arn:aws:ecr:us-east-1:123456789012:repository/app' }],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app', { kind: 'ecr', repository: 'team/app', tag: 'latest', reference: 'latest' }],
    ['123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:x', { kind: 'ecr', partition: 'aws-us-gov', repositoryArn: 'arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/app' }],
    ['123456789012.dkr-ecr.eu-west-1.on.aws/app:x', { kind: 'ecr', region: 'eu-west-1', partition: 'aws' }],
    ['123456789012.dkr-ecr-fips.us-east-2.on.aws/app:x', { kind: 'ecr', region: 'us-east-2' }],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:x', { kind: 'ecr', partition: 'aws-cn', repositoryArn: 'arn:aws-cn:ecr:cn-north-1:123456789012:repository/app' }],
    [`123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:${'a'.repeat(64)}`, { kind: 'ecr', digest: `sha256:${'a'.repeat(64)}`, reference: `sha256:${'a'.repeat(64)}` }],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/docker-hub/library/node:20', { kind: 'ecr', looksLikePullThroughPrefix: 'docker-hub', repository: 'docker-hub/library/node' }],
    ['aws/codebuild/standard:7.0', { kind: 'curated', name: 'aws/codebuild/standard', tag: '7.0' }],
    ['aws/codebuild/amazonlinux2-x86_64-standard:5.0', { kind: 'curated' }],
    ['public.ecr.aws/docker/library/node:20', { kind: 'ecr-public', alias: 'docker', repository: 'library/node', reference: '20' }],
    ['node:20', { kind: 'docker-hub', repository: 'library/node', reference: '20' }],
    ['bitnami/kubectl', { kind: 'docker-hub', repository: 'bitnami/kubectl', reference: 'latest' }],
    ['ghcr.io/org/tool:1', { kind: 'other-registry', host: 'ghcr.io', repository: 'org/tool' }],
    ['localhost:5000/tool:1', { kind: 'other-registry', host: 'localhost:5000' }],
  ])('%s', (input, expected) => {
    expect(parseImageRef(input)).toMatchObject(expected);
  });

  it.each([
    ['', 'empty'],
    ['Foo/Bar:baz', 'lowercase'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/app:bad tag', 'white space'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:abc', 'digest'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/', 'missing'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/app:', 'not a valid tag'],
    ['12345.dkr.ecr.us-east-1.amazonaws.com/app:1', 'not an ECR registry host'],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com/app:1', 'does not belong'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/a:1', '2 to 256'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/app--/x:1', 'segment'],
    ['public.ecr.aws/onlyalias', 'ECR Public'],
  ])('rejects %j with a one-line usage error (%s)', (input, words) => {
    let error: unknown;
    try {
      parseImageRef(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(words);
    expect((error as Error).message).not.toContain('\n');
  });
});
