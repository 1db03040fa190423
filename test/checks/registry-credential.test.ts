import { describe, expect, it } from 'vitest';
import { registryCredential } from '../../src/checks/registry-credential.js';
import type { SecretFacts } from '../../src/model/facts.js';
import { ACCOUNT, facts, project, role, ROLE_ARN } from './facts-builder.js';
import { runCheck } from './run-check.js';

const NAME = 'dockerhub-login';
const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${NAME}-AbCdEf`;
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const p = project({ image: 'docker.io/acme/builder:1', imagePullCredentialsType: 'SERVICE_ROLE', registryCredential: { credential: NAME, credentialProvider: 'SECRETS_MANAGER' } });
const readSecret = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SECRET_ARN }] };
const decrypt = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY_ARN, Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } } }] };
const defaultKeyPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] });

function secret(over: Partial<SecretFacts> = {}): SecretFacts {
  return { credential: NAME, region: 'us-east-1', secret: { state: 'present', value: { arn: SECRET_ARN, name: NAME } }, resourcePolicy: { state: 'absent' }, ...over };
}
const run = (s: SecretFacts | undefined, inline: Record<string, object> = {}, proj = p) =>
  runCheck(registryCredential, facts({ project: proj, repositories: [], roles: [role({ inline })], extra: s ? { secrets: { [`us-east-1|${s.credential}`]: s } } : {} }));

describe('registry-credential', () => {
  it('passes when the role may read the secret (AWS managed key)', () => {
    expect(run(secret(), { read: readSecret })[0]?.status).toBe('pass');
  });
  it('fails a missing secret, naming it and the region', () => {
    const [r] = run(secret({ secret: { state: 'absent' } }), { read: readSecret });
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain(NAME);
    expect(r?.message).toContain('us-east-1');
  });
  it('fails a role without secretsmanager:GetSecretValue, naming the action, with the statement fix writes', () => {
    const [r] = run(secret());
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('secretsmanager:GetSecretValue');
    expect(r?.fix).toMatchObject({ target: 'role-policy', resource: ROLE_ARN });
    expect(JSON.stringify(r?.fix?.statement)).toContain(SECRET_ARN);
  });
  it("counts the secret's resource policy: an Allow there for the role is enough, a Deny wins", () => {
    const allow = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ROLE_ARN }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] });
    expect(run(secret({ resourcePolicy: { state: 'present', value: { text: allow } } }))[0]?.status).toBe('pass');
    const deny = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'NoOne', Effect: 'Deny', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*' }] });
    const [r] = run(secret({ resourcePolicy: { state: 'present', value: { text: deny } } }), { read: readSecret });
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('NoOne');
  });
  it('a customer managed key: kms:Decrypt through Secrets Manager is needed, and passes when granted', () => {
    const withKey = secret({ secret: { state: 'present', value: { arn: SECRET_ARN, name: NAME, kmsKeyId: KEY_ARN } }, kmsKey: { state: 'present', value: { arn: KEY_ARN, keyManager: 'CUSTOMER' } }, keyPolicy: { state: 'present', value: { text: defaultKeyPolicy } } });
    const [denied] = run(withKey, { read: readSecret });
    expect(denied?.status).toBe('fail');
    expect(denied?.message).toContain('kms:Decrypt');
    expect(JSON.stringify(denied?.fix?.statement)).toContain('kms:ViaService');
    expect(run(withKey, { read: readSecret, decrypt })[0]?.status).toBe('pass');
  });
  it('a key policy that does not admit the account: an identity grant alone cannot use the key', () => {
    const closed = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/admin` }, Action: 'kms:*', Resource: '*' }] });
    const withKey = secret({ secret: { state: 'present', value: { arn: SECRET_ARN, name: NAME, kmsKeyId: KEY_ARN } }, kmsKey: { state: 'present', value: { arn: KEY_ARN, keyManager: 'CUSTOMER' } }, keyPolicy: { state: 'present', value: { text: closed } } });
    const [r] = run(withKey, { read: readSecret, decrypt });
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('key policy');
  });
  it('could not check: a denied DescribeSecret or GetKeyPolicy is an error naming the permission', () => {
    const [a] = run(secret({ secret: { state: 'unreadable', reason: 'AccessDenied on secretsmanager:DescribeSecret', permission: 'secretsmanager:DescribeSecret' } }));
    expect(a?.status).toBe('error');
    expect(a?.message).toContain('secretsmanager:DescribeSecret');
    const withKey = secret({ secret: { state: 'present', value: { arn: SECRET_ARN, name: NAME, kmsKeyId: KEY_ARN } }, kmsKey: { state: 'present', value: { arn: KEY_ARN, keyManager: 'CUSTOMER' } }, keyPolicy: { state: 'unreadable', reason: 'AccessDenied on kms:GetKeyPolicy', permission: 'kms:GetKeyPolicy' } });
    const [b] = run(withKey, { read: readSecret });
    expect(b?.status).toBe('error');
    expect(b?.message).toContain('kms:GetKeyPolicy');
    expect(run(undefined)[0]?.status).toBe('error');
  });
  it('not applicable: no registryCredential, an ECR image (pull-mode speaks), or CODEBUILD mode', () => {
    expect(run(secret(), {}, project({ image: 'docker.io/acme/builder:1', imagePullCredentialsType: 'SERVICE_ROLE' }))).toEqual([]);
    expect(run(secret(), {}, project({ imagePullCredentialsType: 'SERVICE_ROLE', registryCredential: { credential: NAME, credentialProvider: 'SECRETS_MANAGER' } }))).toEqual([]);
    expect(run(secret(), {}, project({ image: 'docker.io/acme/builder:1', registryCredential: { credential: NAME, credentialProvider: 'SECRETS_MANAGER' } }))).toEqual([]);
  });
});

describe('registry-credential on a failed build', () => {
  it('judges the credential the build ran with (BatchGetBuilds environment.registryCredential)', () => {
    const f = facts({ project: null, repositories: [], roles: [role()], extra: {
      builds: [{ requested: 'b', build: { state: 'present', value: { id: 'web-build:1', projectName: 'web-build', arn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:build/web-build:1`, environment: { image: 'acme/builder:1', imagePullCredentialsType: 'SERVICE_ROLE', serviceRole: ROLE_ARN, registryCredential: { credential: NAME, credentialProvider: 'SECRETS_MANAGER' } }, phases: [] } } }],
      secrets: { [`us-east-1|${NAME}`]: secret({ secret: { state: 'absent' } }) },
    } });
    const [r] = runCheck(registryCredential, f);
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain(NAME);
  });
});
