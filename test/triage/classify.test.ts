import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { BuildInfo } from '../../src/model/facts.js';
import { PULL_CAUSES, classifyPullMessage, describeCause, findPullFailure } from '../../src/triage/classify.js';

const ACCT = '123456789012';
const REG = `${ACCT}.dkr.ecr.us-east-1.amazonaws.com`;
const ROLE_DENIAL = `User: arn:aws:sts::${ACCT}:assumed-role/codebuild-app-role/AWSCodeBuild-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:${ACCT}:repository/team/build-images`;

describe('classifyPullMessage', () => {
  it('reads role, session, action and repository out of an assumed-role denial', () => {
    const c = classifyPullMessage(
      `CannotPullContainerError: pull access denied for ${REG}/team/build-images, repository does not exist or may require 'docker login': denied: ${ROLE_DENIAL} because no identity-based policy allows the ecr:BatchGetImage action`,
    );
    expect(c.cause).toBe('role-missing-permission');
    expect(c.isEcrGrantProblem).toBe(true);
    expect(c.details).toEqual({
      action: 'ecr:BatchGetImage',
      roleName: 'codebuild-app-role',
      sessionName: 'AWSCodeBuild-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
      image: `${REG}/team/build-images`,
      repository: 'team/build-images',
      explicitDeny: false,
    });
    expect(c.evidence).toBe(`${ROLE_DENIAL} because no identity-based policy allows the ecr:BatchGetImage action`);
    expect(c.summary).toContain('codebuild-app-role');
    expect(c.summary).toContain('no identity-based policy allows it');
  });

  it('tells an explicit deny from a missing allow, and names the policy type', () => {
    const c = classifyPullMessage(`${ROLE_DENIAL} with an explicit deny in a resource-based policy`);
    expect(c.cause).toBe('role-explicit-deny');
    expect(c.details.explicitDeny).toBe(true);
    expect(c.summary).toContain('resource-based policy');
    expect(c.nextStep).toContain('ecr-doctor doctor --project <name>');
  });

  it('says a cross-account "no resource-based policy" denial points at the owner repository policy', () => {
    const c = classifyPullMessage(`${ROLE_DENIAL} because no resource-based policy allows the ecr:BatchGetImage action`);
    expect(c.cause).toBe('role-missing-permission');
    expect(c.summary).toContain('repository policy (owner account)');
  });

  it('puts a GetAuthorizationToken denial in the build before the assumed-role rule', () => {
    const c = classifyPullMessage(
      `An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: arn:aws:sts::${ACCT}:assumed-role/r/AWSCodeBuild-1 is not authorized to perform: ecr:GetAuthorizationToken on resource: *`,
    );
    expect(c.cause).toBe('in-build-pull');
    expect(c.isEcrGrantProblem).toBe(false);
  });

  it('treats a GetAuthorizationToken denial inside a pull failure as the role lacking it', () => {
    const c = classifyPullMessage(
      `Unable to pull customer's container image. CannotPullContainerError: AccessDeniedException: User: arn:aws:sts::${ACCT}:assumed-role/r/AWSCodeBuild-1 is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action`,
    );
    expect(c.cause).toBe('role-missing-permission');
    expect(c.details.action).toBe('ecr:GetAuthorizationToken');
  });

  it('prefers the rate limit over "error pulling image configuration"', () => {
    expect(classifyPullMessage('error pulling image configuration: toomanyrequests: Too Many Requests.').cause).toBe('docker-hub-rate-limit');
  });

  it('recognises a layer download denial as its own cause, whoever was denied', () => {
    const c = classifyPullMessage(
      `error pulling image configuration: denied: User: arn:aws:sts::${ACCT}:assumed-role/r/AWSCodeBuild-1 is not authorized to perform: ecr:GetDownloadUrlForLayer on resource: arn:aws:ecr:us-east-1:${ACCT}:repository/app with an explicit deny in an identity-based policy`,
    );
    expect(c.cause).toBe('layer-download-denied');
    expect(c.details.explicitDeny).toBe(true);
    expect(c.details.repository).toBe('app');
  });

  it('recognises the CodeBuild service principal being refused, including a Deny', () => {
    const plain = classifyPullMessage('denied: User: CodeBuild is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:123456789012:repository/x');
    expect(plain.cause).toBe('codebuild-not-trusted');
    expect(plain.nextStep).toBe('ecr-doctor fix --project <name> --dry-run   (shows the repository-policy statement it would add; run without --dry-run to apply); for eb deploy: ecr-doctor fix --buildspec buildspec.yml --dry-run   (in the EB project folder: grants every temporary project eb deploy creates for the application)');
    const deny = classifyPullMessage('User: CodeBuild is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:123456789012:repository/x with an explicit deny in a resource-based policy');
    expect(deny.cause).toBe('codebuild-not-trusted');
    expect(deny.details.explicitDeny).toBe(true);
    expect(deny.summary).toMatch(/^A Deny statement refuses codebuild\.amazonaws\.com/);
  });

  it('recognises Secrets Manager failures as registry-credential problems', () => {
    const c = classifyPullMessage(
      `AccessDeniedException: User: arn:aws:sts::${ACCT}:assumed-role/r/AWSCodeBuild-1 is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:${ACCT}:secret:dockerhub-AbCdEf`,
    );
    expect(c.cause).toBe('registry-credential-invalid');
    expect(c.evidence).toBe(`not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:${ACCT}:secret:dockerhub-AbCdEf`);
  });

  it('parses the image out of a registry URL', () => {
    const c = classifyPullMessage('Error response from daemon: Head "https://registry-1.docker.io/v2/hashicorp/terraform/manifests/1.2.3": unauthorized: incorrect username or password');
    expect(c.details.image).toBe('hashicorp/terraform:1.2.3');
    expect(c.details.repository).toBe('hashicorp/terraform');
  });

  it('parses a digest out of a registry URL', () => {
    const digest = `sha256:${'8d0bff43'.repeat(8)}`;
    const c = classifyPullMessage(`unexpected status code https://registry-1.docker.io/v2/jaegertracing/all-in-one/manifests/${digest}: 429 Too Many Requests`);
    expect(c.cause).toBe('docker-hub-rate-limit');
    expect(c.details.image).toBe(`jaegertracing/all-in-one@${digest}`);
  });

  it('does not claim which policy lacks the Allow when older IAM wording does not say', () => {
    const c = classifyPullMessage(ROLE_DENIAL);
    expect(c.cause).toBe('role-missing-permission');
    expect(c.details.explicitDeny).toBeUndefined();
    expect(c.summary).toContain('the message does not say which policy lacks the Allow');
  });

  it('gives unknown, quoting the umbrella, when only the umbrella is there', () => {
    for (const text of ['BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE', "Unable to pull customer's container image", 'CLIENT_ERROR: Unable to pull customer\'s container image']) {
      const c = classifyPullMessage(text);
      expect(c.cause).toBe('unknown');
      expect(c.evidence).toBeDefined();
      expect(text).toContain(c.evidence);
      expect(c.summary).toContain("the reason is in the rest of the message");
      expect(c.nextStep).toContain('ecr-doctor doctor --build <build-id>');
    }
  });

  it('never classifies on a status code alone', () => {
    for (const code of ['CLIENT_ERROR', 'ACCESS_DENIED', 'COMMAND_EXECUTION_ERROR', 'BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE']) {
      expect(classifyPullMessage(code).cause).toBe('unknown');
    }
  });

  it('gives unknown without evidence for text it does not know', () => {
    const c = classifyPullMessage('YAML_FILE_ERROR: This build image requires selecting at least one runtime version');
    expect(c).toMatchObject({ cause: 'unknown', isEcrGrantProblem: false });
    expect(c.evidence).toBeUndefined();
    expect(c.summary).toBe('ecr-doctor does not recognise this message.');
  });

  it('never throws, and any evidence is a verbatim part of the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const c = classifyPullMessage(text);
        if (c.evidence !== undefined) expect(text).toContain(c.evidence);
        expect(PULL_CAUSES).toContain(c.cause);
      }),
    );
  });
});

describe('describeCause', () => {
  it('describes every cause, and only the four grant causes count as grant problems', () => {
    const grant = PULL_CAUSES.filter((cause) => describeCause(cause).isEcrGrantProblem);
    expect(grant.sort()).toEqual(['codebuild-not-trusted', 'layer-download-denied', 'role-explicit-deny', 'role-missing-permission']);
    expect(PULL_CAUSES).toHaveLength(19);
    for (const cause of PULL_CAUSES) {
      expect(describeCause(cause).title.length).toBeGreaterThan(5);
      expect(describeCause(cause).meaning.length).toBeGreaterThan(20);
    }
  });
});

function buildWith(phases: BuildInfo['phases'], overrides: Partial<BuildInfo> = {}): BuildInfo {
  return { id: 'app:1111', projectName: 'app', buildStatus: 'FAILED', environment: {}, phases, ...overrides };
}
const ok = (phaseType: string) => ({ phaseType, phaseStatus: 'SUCCEEDED', contexts: [{ statusCode: '', message: '' }] });

describe('findPullFailure', () => {
  it('classifies the PROVISIONING context and points the next step at the build', () => {
    const f = findPullFailure(
      buildWith([
        ok('SUBMITTED'),
        { phaseType: 'PROVISIONING', phaseStatus: 'FAILED', contexts: [{ statusCode: 'BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE', message: "Unable to pull customer's container image. CannotPullContainerError: denied: User: CodeBuild" }] },
      ]),
    );
    expect(f).toMatchObject({ phase: 'PROVISIONING', statusCode: 'BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE', message: "Unable to pull customer's container image. CannotPullContainerError: denied: User: CodeBuild" });
    expect(f?.classification.cause).toBe('codebuild-not-trusted');
    expect(f?.classification.nextStep).toContain('ecr-doctor fix --build app:1111 --dry-run');
  });

  it('reads older records that put CLIENT_ERROR in phaseStatus', () => {
    const f = findPullFailure(
      buildWith([{ phaseType: 'PROVISIONING', phaseStatus: 'CLIENT_ERROR', contexts: [{ statusCode: 'CLIENT_ERROR', message: "Unable to pull customer's container image. ErrorCode: 500, Reason: invalid reference format." }] }]),
    );
    expect(f?.classification.cause).toBe('invalid-image-reference');
  });

  it('joins the status code to the message, so ACCESS_DENIED + CloudWatch Logs is recognised', () => {
    const f = findPullFailure(
      buildWith([{ phaseType: 'PROVISIONING', phaseStatus: 'FAILED', contexts: [{ statusCode: 'ACCESS_DENIED', message: 'Service role arn:aws:iam::123456789012:role/r does not allow AWS CodeBuild to create Amazon CloudWatch Logs log streams for build arn:aws:codebuild:us-east-1:123456789012:build/app:1111.' }] }]),
    );
    expect(f?.classification.cause).toBe('logs-access-denied');
    expect(f?.message.startsWith('Service role')).toBe(true);
  });

  it('reports a failed PROVISIONING phase with only the umbrella as unknown', () => {
    const f = findPullFailure(buildWith([{ phaseType: 'PROVISIONING', phaseStatus: 'FAILED', contexts: [{ statusCode: 'BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE', message: '' }] }]));
    expect(f).toMatchObject({ phase: 'PROVISIONING', message: '' });
    expect(f?.classification.cause).toBe('unknown');
    expect(f?.classification.nextStep).toContain('--build app:1111');
  });

  it('turns an ECR denial seen in a later phase into an in-build pull', () => {
    const f = findPullFailure(
      buildWith([
        ok('PROVISIONING'),
        ok('INSTALL'),
        { phaseType: 'PRE_BUILD', phaseStatus: 'FAILED', contexts: [{ statusCode: 'COMMAND_EXECUTION_ERROR', message: `pull access denied for ${REG}/base, repository does not exist or may require 'docker login': denied: ${ROLE_DENIAL}` }] },
      ]),
    );
    expect(f?.phase).toBe('PRE_BUILD');
    expect(f?.classification.cause).toBe('in-build-pull');
    expect(f?.classification.details.roleName).toBe('codebuild-app-role');
    expect(f?.classification.summary).toContain('the build image itself was pulled');
  });

  it('recognises a failed docker pull command in a later phase', () => {
    const f = findPullFailure(
      buildWith([ok('PROVISIONING'), { phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [{ statusCode: 'COMMAND_EXECUTION_ERROR', message: `Error while executing command: docker pull ${REG}/base:1. Reason: exit status 1` }] }]),
    );
    expect(f?.classification.cause).toBe('in-build-pull');
    expect(f?.statusCode).toBe('COMMAND_EXECUTION_ERROR');
  });

  it('returns undefined when the build did not fail on an image', () => {
    expect(findPullFailure(buildWith([ok('PROVISIONING'), ok('BUILD')], { buildStatus: 'SUCCEEDED' }))).toBeUndefined();
    expect(
      findPullFailure(buildWith([ok('PROVISIONING'), { phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [{ statusCode: 'COMMAND_EXECUTION_ERROR', message: 'Error while executing command: npm test. Reason: exit status 1' }] }])),
    ).toBeUndefined();
    // A later phase that failed with a disk-full message is not about a pulled image.
    expect(
      findPullFailure(buildWith([ok('PROVISIONING'), { phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [{ statusCode: 'COMMAND_EXECUTION_ERROR', message: 'write /tmp/x: no space left on device' }] }])),
    ).toBeUndefined();
  });

  it('looks at PROVISIONING before earlier-listed phases', () => {
    const f = findPullFailure(
      buildWith([
        { phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [{ statusCode: 'COMMAND_EXECUTION_ERROR', message: 'toomanyrequests: You have reached your pull rate limit.' }] },
        { phaseType: 'PROVISIONING', phaseStatus: 'FAILED', contexts: [{ statusCode: 'BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE', message: `manifest for ${REG}/x:1 not found: manifest unknown: Requested image not found` }] },
      ]),
    );
    expect(f?.phase).toBe('PROVISIONING');
    expect(f?.classification.cause).toBe('image-not-found');
  });
});
