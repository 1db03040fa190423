import { describe, expect, it } from 'vitest';
import { runChecks } from '../../src/checks/index.js';
import { PlanError, planFix } from '../../src/fix/plan.js';
import type { RolePolicyChange } from '../../src/fix/plan.js';
import type { Facts, SecretFacts } from '../../src/model/facts.js';
import { ACCOUNT, facts, project, role, ROLE_ARN } from '../checks/facts-builder.js';

const NAME = 'dockerhub-login';
const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${NAME}-AbCdEf`;
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const defaultKeyPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] });
const p = project({ image: 'docker.io/acme/builder:1', imagePullCredentialsType: 'SERVICE_ROLE', registryCredential: { credential: NAME, credentialProvider: 'SECRETS_MANAGER' } });

function world(secret: Partial<SecretFacts> = {}, inline: Record<string, object> = {}): Facts {
  const s: SecretFacts = { credential: NAME, region: 'us-east-1', secret: { state: 'present', value: { arn: SECRET_ARN, name: NAME } }, resourcePolicy: { state: 'absent' }, ...secret };
  return facts({ project: p, repositories: [], roles: [role({ inline })], extra: { secrets: { [`us-east-1|${NAME}`]: s } } });
}

/** The facts as they would read after the role change was applied. */
function applied(f: Facts, c: RolePolicyChange): Facts {
  const next = structuredClone(f);
  const r = next.roles[c.roleArn]!;
  if (r.inlinePolicies.state === 'present') r.inlinePolicies.value = [...r.inlinePolicies.value.filter((x) => x.name !== c.policyName), { name: c.policyName, document: c.after }];
  return next;
}

const withKey = { secret: { state: 'present' as const, value: { arn: SECRET_ARN, name: NAME, kmsKeyId: KEY_ARN } }, kmsKey: { state: 'present' as const, value: { arn: KEY_ARN, keyManager: 'CUSTOMER' } }, keyPolicy: { state: 'present' as const, value: { text: defaultKeyPolicy } } };

describe('planFix: registryCredential secrets', () => {
  it("plans secretsmanager:GetSecretValue on that secret in ecr-doctor's inline role policy, and no pull statements", () => {
    const { changes } = planFix(world());
    expect(changes).toHaveLength(1);
    const c = changes[0] as RolePolicyChange;
    expect(c).toMatchObject({ kind: 'role-policy', roleArn: ROLE_ARN, policyName: 'ecr-doctor-image-pull', secretArns: [SECRET_ARN] });
    expect(JSON.parse(c.after).Statement).toEqual([{ Sid: 'EcrDoctorRegistryCredentialRead', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SECRET_ARN }]);
  });

  it('adds kms:Decrypt on the customer managed key, only through Secrets Manager of the region', () => {
    const c = planFix(world(withKey)).changes[0] as RolePolicyChange;
    expect(JSON.parse(c.after).Statement).toContainEqual({
      Sid: 'EcrDoctorRegistryCredentialDecrypt',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: KEY_ARN,
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
    });
  });

  it('makes doctor pass once applied, and a second plan is empty (idempotent)', () => {
    const before = world(withKey);
    const after = applied(before, planFix(before).changes[0] as RolePolicyChange);
    expect(runChecks(after).filter((r) => r.check === 'registry-credential').map((r) => r.status)).toEqual(['pass']);
    expect(planFix(after).changes).toEqual([]);
  });

  it('keeps the pull statements already in its inline policy when it adds the secret', () => {
    const pull = { Version: '2012-10-17', Statement: [
      { Sid: 'EcrDoctorAuthToken', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Sid: 'EcrDoctorRolePull', Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/app` },
    ] };
    const c = planFix(world({}, { 'ecr-doctor-image-pull': pull })).changes[0] as RolePolicyChange;
    expect(JSON.parse(c.after).Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['EcrDoctorAuthToken', 'EcrDoctorRolePull', 'EcrDoctorRegistryCredentialRead']);
  });

  it('refuses to replace a statement of the same Sid that ecr-doctor did not write', () => {
    const foreign = { Version: '2012-10-17', Statement: [{ Sid: 'EcrDoctorRegistryCredentialRead', Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: '*' }] };
    expect(() => planFix(world({}, { 'ecr-doctor-image-pull': foreign }))).toThrow(PlanError);
  });

  it('writes nothing for a missing secret, and says so', () => {
    const plan = planFix(world({ secret: { state: 'absent' } }));
    expect(plan.changes).toEqual([]);
    expect(plan.notes.join('\n')).toContain(`registry credential ${NAME} is missing`);
  });
});
