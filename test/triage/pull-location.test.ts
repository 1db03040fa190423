import { describe, expect, it } from 'vitest';
import { classifyPullMessage, findPullFailure } from '../../src/triage/classify.js';
import type { BuildInfo } from '../../src/model/facts.js';
import { readPullLine } from '../../src/triage/pull-lines.js';

const REG = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

describe('readPullLine', () => {
  it.each([
    ['Step 2/8 : FROM node:18 AS deps', 'dockerfile-from', 'node:18'],
    ['12 | Step 1/5 : FROM --platform=linux/arm64 python:3.12-slim', 'dockerfile-from', 'python:3.12-slim'],
    ['#3 [internal] load metadata for docker.io/library/node:18', 'buildkit-metadata', 'docker.io/library/node:18'],
    [`[Container] 2024/05/01 10:00:01.000 Running command docker pull ${REG}/base:1`, 'docker-pull', `${REG}/base:1`],
    [`Error while executing command: docker pull ${REG}/base:3.19. Reason: exit status 1`, 'docker-pull', `${REG}/base:3.19`],
    ['docker run --rm -e CI=true -v $(pwd):/src --name t -p 80:80 postgres:16 psql', 'docker-run', 'postgres:16'],
    ['18.04: Pulling from library/ubuntu', 'docker-pull', 'library/ubuntu:18.04'],
  ])('%s', (line, how, image) => {
    expect(readPullLine(line, 7)).toEqual({ line: 7, how, image });
  });

  it('names no image for a shell variable or a line that pulls nothing', () => {
    expect(readPullLine('docker pull $REPOSITORY_URI:latest || true', 0)).toBeUndefined();
    expect(readPullLine('docker login --username AWS --password-stdin x', 0)).toBeUndefined();
    expect(readPullLine('Step 3/8 : RUN npm ci', 0)).toBeUndefined();
  });
});

describe('classify: where the pull happened', () => {
  it('names the image of the pull nearest before the error, not an earlier one', () => {
    const log = [
      '[Container] 2024/05/01 10:00:00.000 Entering phase PRE_BUILD',
      'Step 1/6 : FROM node:18 AS build',
      ' ---> 4c2e5e5a0b1f',
      `Step 4/6 : FROM ${REG}/runtime:2`,
      `Head "https://${REG}/v2/runtime/manifests/2": no basic auth credentials`,
      'Step 5/6 : FROM nginx:1.27',
    ].join('\n');
    const c = classifyPullMessage(log);
    expect(c.cause).toBe('registry-login-missing');
    expect(c.details.image).toBe(`${REG}/runtime:2`);
    expect(c.details.inBuild).toBe(true);
    expect(c.details.pullLine).toBe(`Step 4/6 : FROM ${REG}/runtime:2`);
    expect(c.summary).toContain(`Docker had no credentials for ${REG} when it pulled ${REG}/runtime:2`);
    expect(c.nextStep).toContain(`aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin ${REG}`);
    expect(c.nextStep).toContain('ecr-doctor doctor --project <name>');
  });

  it('takes the BuildKit metadata line as the pull', () => {
    const c = classifyPullMessage('#2 [internal] load metadata for docker.io/library/python:3.12\n#2 ERROR: failed to copy: httpReadSeeker: failed open: unexpected status code: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit.');
    expect(c.cause).toBe('docker-hub-rate-limit');
    expect(c.details.image).toBe('docker.io/library/python:3.12');
    expect(c.summary).toContain('inside the build');
    expect(c.nextStep).toContain('public.ecr.aws/docker/library/python:3.12');
    expect(c.nextStep).toContain('pull-through cache');
    expect(c.nextStep).toContain('docker-hub-rate-limit');
  });

  it('tells a rate limit on the build image (PROVISIONING) from one in the build', () => {
    const c = classifyPullMessage("BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE: Unable to pull customer's container image. CannotPullContainerError: toomanyrequests: You have reached your pull rate limit.");
    expect(c.cause).toBe('docker-hub-rate-limit');
    expect(c.details.inBuild).toBeUndefined();
    expect(c.nextStep).toContain('registryCredential + SERVICE_ROLE');
    expect(c.nextStep).toContain('public.ecr.aws/docker/library/<name>');
    expect(c.nextStep).toContain('ecr-doctor doctor --project <name> names the anonymous Docker Hub pulls, the build image');
  });

  it('turns an ECR denial after a docker pull into an in-build pull naming registry-login and build-role-can-pull', () => {
    const c = classifyPullMessage(
      `[Container] 2024/05/01 10:00:01 Running command docker pull ${REG}/base:1\nError response from daemon: pull access denied for ${REG}/base, repository does not exist or may require 'docker login': denied: User: arn:aws:sts::123456789012:assumed-role/build-role/AWSCodeBuild-1 is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:eu-west-1:123456789012:repository/base because no identity-based policy allows the ecr:BatchGetImage action`,
    );
    expect(c.cause).toBe('in-build-pull');
    expect(c.details.roleName).toBe('build-role');
    expect(c.details.image).toBe(`${REG}/base`);
    expect(c.summary).toContain('the build image itself was pulled');
    expect(c.nextStep).toContain('registry-login, build-role-can-pull');
  });

  it('keeps a missing tag a missing tag inside the build, with the image from the FROM line', () => {
    const c = classifyPullMessage('Step 1/3 : FROM alpine:3.99\nmanifest unknown: manifest unknown');
    expect(c.cause).toBe('image-not-found');
    expect(c.details.image).toBe('alpine:3.99');
  });

  it('does not read the buildspec into a PROVISIONING failure', () => {
    const c = classifyPullMessage(`Unable to pull customer's container image. CannotPullContainerError: pull access denied for ${REG}/build, repository does not exist or may require 'docker login'`);
    expect(c.cause).toBe('repository-missing-or-denied');
    expect(c.details.inBuild).toBeUndefined();
  });
});

describe('classify: in-build causes', () => {
  it.each([
    ['Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?', 'docker-daemon-unavailable', 'docker-daemon'],
    ['no basic auth credentials', 'registry-login-missing', 'registry-login'],
    ['Running command $(aws ecr get-login --no-include-email)\naws: error: argument operation: Invalid choice, valid choices are:', 'ecr-get-login-removed', 'registry-login'],
    ['no matching manifest for linux/arm64/v8 in the manifest list entries', 'platform-mismatch', 'platform'],
    ['image operating system "windows" cannot be used on this platform', 'platform-mismatch', 'platform'],
    ['exec /usr/local/bin/docker-entrypoint.sh: exec format error', 'platform-mismatch', 'platform'],
    ['Invalid input: cannot use a CodeBuild curated image with imagePullCredentialsType SERVICE_ROLE', 'pull-mode-rejected', 'pull-mode'],
    ['InvalidInputException: cannot use a cross-account ECR image with imagePullCredentialsType CODEBUILD', 'pull-mode-rejected', 'pull-mode'],
    ['The image aws/codebuild/standard:7.0 is not supported for projects with environment type ARM_CONTAINER', 'pull-mode-rejected', 'pull-mode'],
  ] as const)('%s', (text, cause, check) => {
    const c = classifyPullMessage(text);
    expect(c.cause).toBe(cause);
    expect(c.isEcrGrantProblem).toBe(false);
    expect(text).toContain(c.evidence);
    expect(c.nextStep).toContain(`ecr-doctor doctor --project <name>`);
    expect(c.nextStep).toContain(`(check ${check})`);
  });

  it("says which of CodeBuild's rejections it was", () => {
    expect(classifyPullMessage('Invalid input: cannot use a CodeBuild curated image with imagePullCredentialsType SERVICE_ROLE').summary).toContain('must be pulled with imagePullCredentialsType CODEBUILD');
    expect(classifyPullMessage('cannot use a cross-account ECR image with imagePullCredentialsType CODEBUILD').summary).toContain('must be pulled with imagePullCredentialsType SERVICE_ROLE');
    expect(classifyPullMessage('The image aws/codebuild/standard:7.0 is not supported for projects with environment type ARM_CONTAINER').summary).toContain('does not run on environment type ARM_CONTAINER');
  });

  it('needs get-login before an "Invalid choice": other CLI typos are not this cause', () => {
    expect(classifyPullMessage('aws: error: argument command: Invalid choice, valid choices are:').cause).toBe('unknown');
    expect(classifyPullMessage('aws ecr get-login-password --region x\naws: error: argument operation: Invalid choice').cause).toBe('unknown');
  });

  it('sends TLS errors on ECR hosts to the AWS Health Dashboard and proxies, never to doctor', () => {
    const c = classifyPullMessage(`Error response from daemon: Get "https://${REG}/v2/": x509: certificate signed by unknown authority`);
    expect(c.cause).toBe('registry-tls-error');
    expect(c.evidence).toBe('x509: certificate signed by unknown authority');
    expect(c.summary).toContain('ECR host');
    expect(c.nextStep).toContain('AWS Health Dashboard');
    expect(c.nextStep).toContain('proxy');
    expect(c.nextStep).toContain('ecr-doctor doctor cannot see this');
    const other = classifyPullMessage('Get "https://registry.example.com/v2/": x509: certificate has expired or is not yet valid');
    expect(other.cause).toBe('registry-tls-error');
    expect(other.nextStep).not.toContain('AWS Health Dashboard');
  });

  it('reports the in-build causes found in a later build phase', () => {
    const build: BuildInfo = {
      id: 'app:2222',
      projectName: 'app',
      buildStatus: 'FAILED',
      environment: {},
      phases: [
        { phaseType: 'PROVISIONING', phaseStatus: 'SUCCEEDED', contexts: [] },
        { phaseType: 'PRE_BUILD', phaseStatus: 'FAILED', contexts: [{ statusCode: 'COMMAND_EXECUTION_ERROR', message: 'Error while executing command: docker pull x. Reason: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' }] },
      ],
    };
    const f = findPullFailure(build);
    expect(f?.classification.cause).toBe('docker-daemon-unavailable');
    expect(f?.classification.nextStep).toContain('ecr-doctor doctor --build app:2222');
  });
});
