import { describe, expect, it } from 'vitest';
import { chooseAws, explainCredentialsFailure } from '../../src/cli/aws-choice.js';
import type { Target } from '../../src/model/target.js';

const target: Target = { projects: ['web-build'], allProjects: false, builds: [], lastFailed: false, images: [], foundBy: '--project' };
const ebTarget: Target = { ...target, eb: { projectRoot: '/src/app', buildspecPath: '/src/app/buildspec.yml', profile: 'eb-cli', region: 'eu-west-1', hasSettings: true } };
const common = { color: false };
const missing = { problem: 'missing' as const, detail: 'Could not load credentials from any providers', hint: 'configure credentials (aws configure, AWS_PROFILE, or --profile) and try again' };
const files = { AWS_CONFIG_FILE: '/home/me/.aws/config', AWS_SHARED_CREDENTIALS_FILE: '/home/me/.aws/credentials' };

describe('chooseAws', () => {
  it('says where region, endpoint and credentials come from; flags win', () => {
    expect(chooseAws({ ...common, region: 'us-west-2', profile: 'ops', endpointUrl: 'http://127.0.0.1:5000' }, ebTarget, {})).toMatchObject({
      options: { region: 'us-west-2', profile: 'ops', endpointUrl: 'http://127.0.0.1:5000' },
      regionFrom: '--region',
      endpointFrom: '--endpoint-url http://127.0.0.1:5000',
      profileFrom: 'flag',
      credentialsFrom: 'profile "ops" (from --profile)',
    });
    expect(chooseAws(common, ebTarget, {})).toMatchObject({ options: { region: 'eu-west-1', profile: 'eb-cli' }, regionFrom: '/src/app/.elasticbeanstalk/config.yml', credentialsFrom: 'profile "eb-cli" (from /src/app/.elasticbeanstalk/config.yml)' });
    expect(chooseAws(common, ebTarget, { AWS_EB_PROFILE: 'eb-cli' })).toMatchObject({ profileFrom: 'AWS_EB_PROFILE' });
    expect(chooseAws(common, { ...target, region: 'ap-south-1' }, {})).toMatchObject({ options: { region: 'ap-south-1' }, regionFrom: 'the target ARN' });
    expect(chooseAws(common, target, { AWS_PROFILE: 'dev', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://x:1' })).toMatchObject({
      options: {},
      regionFrom: 'AWS_REGION',
      endpointFrom: 'AWS_ENDPOINT_URL http://x:1',
      profile: 'dev',
      credentialsFrom: 'profile "dev" (from AWS_PROFILE)',
    });
    expect(chooseAws(common, target, {}).credentialsFrom).toMatch(/^the SDK's default chain/);
  });

  it('never carries a secret, even when the environment holds one', () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG', AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEJr' };
    const text = JSON.stringify(chooseAws(common, target, env));
    for (const secret of Object.values(env)) expect(text).not.toContain(secret);
  });
});

describe('explainCredentialsFailure', () => {
  it('with --profile X: names the profile and the files, and does not suggest --profile again', () => {
    const e = explainCredentialsFailure(missing, 'no usable AWS credentials: Could not load credentials from any providers', chooseAws({ ...common, profile: 'X' }, target, files), files);
    expect(e.message).toBe('no usable AWS credentials: profile "X" was not found or has no credentials in /home/me/.aws/config / /home/me/.aws/credentials');
    expect(e.exitCode).toBe(3);
    expect(e.hint).not.toMatch(/--profile(?! X)/);
    expect(e.hint).toMatch(/aws configure --profile X/);
  });

  it('a profile from AWS_PROFILE or a committed eb config says where it came from', () => {
    const fromEnv = explainCredentialsFailure(missing, 'm', chooseAws(common, target, { AWS_PROFILE: 'dev' }), {});
    expect(fromEnv.message).toBe('no usable AWS credentials: profile "dev" (from AWS_PROFILE) was not found or has no credentials in ~/.aws/config / ~/.aws/credentials');
    expect(fromEnv.hint).toMatch(/unset AWS_PROFILE/);
    const fromEb = explainCredentialsFailure(missing, 'm', chooseAws(common, ebTarget, {}), {});
    expect(fromEb.message).toContain('profile "eb-cli" (from /src/app/.elasticbeanstalk/config.yml) was not found');
    expect(fromEb.hint).toMatch(/pass --profile to use another/);
  });

  it('rejected credentials of a profile name it; without a profile the message and hint are unchanged', () => {
    const rejected = { problem: 'rejected' as const, detail: 'ExpiredToken: The security token included in the request is expired' };
    expect(explainCredentialsFailure(rejected, 'm', chooseAws({ ...common, profile: 'sso-dev' }, target, {}), {}).message).toBe(
      'AWS rejected the credentials of profile "sso-dev": ExpiredToken: The security token included in the request is expired',
    );
    const plain = explainCredentialsFailure(missing, 'no usable AWS credentials: Could not load credentials from any providers', chooseAws(common, target, {}), {});
    expect(plain).toMatchObject({ message: 'no usable AWS credentials: Could not load credentials from any providers', hint: missing.hint });
  });
});
