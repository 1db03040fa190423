import { readFileSync } from 'node:fs';
import {
  BatchGetBuildsCommand,
  CodeBuildClient,
  ListBuildsCommand,
  ListBuildsForProjectCommand,
  type Build,
} from '@aws-sdk/client-codebuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildInfo, PullMode } from '../../src/model/facts.js';
import { findPullFailure, type PullCause } from '../../src/triage/classify.js';
import { replayError, startReplayServer, type ReplayServer } from '../support/replay-server.js';

const TARGET = 'CodeBuild_20161006';

function recorded(name: string): { builds: Build[]; buildsNotFound: string[] } & Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../fixtures/recorded/codebuild/${name}.json`, import.meta.url), 'utf8'));
}

const RECORDINGS: { file: string; cause: PullCause; phase: string; pullMode?: PullMode; grant: boolean }[] = [
  { file: 'batch-get-builds-codebuild-not-trusted', cause: 'codebuild-not-trusted', phase: 'PROVISIONING', pullMode: 'CODEBUILD', grant: true },
  { file: 'batch-get-builds-service-role-denied', cause: 'role-missing-permission', phase: 'PROVISIONING', pullMode: 'SERVICE_ROLE', grant: true },
  { file: 'batch-get-builds-eb-deploy', cause: 'codebuild-not-trusted', phase: 'PROVISIONING', grant: true },
  { file: 'batch-get-builds-docker-hub-rate-limit', cause: 'docker-hub-rate-limit', phase: 'PROVISIONING', pullMode: 'CODEBUILD', grant: false },
  { file: 'batch-get-builds-missing-tag', cause: 'image-not-found', phase: 'PROVISIONING', pullMode: 'CODEBUILD', grant: false },
  { file: 'batch-get-builds-in-build-pull', cause: 'in-build-pull', phase: 'BUILD', pullMode: 'CODEBUILD', grant: false },
];

const byId = new Map<string, Build>();
for (const r of RECORDINGS) for (const b of recorded(r.file).builds) byId.set(b.id ?? '', b);

// The same reduction the live source makes: what the build really ran with, overrides included.
function toBuildInfo(build: Build): BuildInfo {
  const info: BuildInfo = {
    id: build.id ?? '',
    projectName: build.projectName ?? '',
    environment: {},
    phases: (build.phases ?? []).map((p) => ({
      phaseType: p.phaseType ?? '',
      ...(p.phaseStatus ? { phaseStatus: p.phaseStatus } : {}),
      contexts: (p.contexts ?? []).map((c) => ({ ...(c.statusCode !== undefined ? { statusCode: c.statusCode } : {}), ...(c.message !== undefined ? { message: c.message } : {}) })),
    })),
  };
  if (build.arn) info.arn = build.arn;
  if (build.buildStatus) info.buildStatus = build.buildStatus;
  if (build.startTime) info.startTime = build.startTime.toISOString();
  if (build.environment?.image) info.environment.image = build.environment.image;
  if (build.environment?.imagePullCredentialsType) info.environment.imagePullCredentialsType = build.environment.imagePullCredentialsType;
  if (build.serviceRole) info.environment.serviceRole = build.serviceRole;
  return info;
}

let server: ReplayServer;
let client: CodeBuildClient;

beforeAll(async () => {
  server = await startReplayServer({
    [`${TARGET}.BatchGetBuilds`]: (body: { ids: string[] }) => {
      const builds = body.ids.map((id) => byId.get(id)).filter((b): b is Build => b !== undefined);
      return { builds, buildsNotFound: body.ids.filter((id) => !byId.has(id)) };
    },
    [`${TARGET}.ListBuilds`]: recorded('list-builds'),
    [`${TARGET}.ListBuildsForProject`]: (body: { projectName: string }) =>
      body.projectName === 'app-build'
        ? recorded('list-builds-for-project')
        : replayError('ResourceNotFoundException', `The provided project name ${body.projectName} does not exist`),
  });
  client = new CodeBuildClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await server?.close();
});

describe('recorded CodeBuild responses through the real SDK client', () => {
  it('lists builds newest first with sortOrder DESCENDING', async () => {
    const out = await client.send(new ListBuildsCommand({ sortOrder: 'DESCENDING' }));
    expect(out.ids).toHaveLength(6);
    expect(out.ids?.[0]).toBe('app-build:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d');
    expect(out.ids?.at(-1)).toMatch(/^Elastic-Beanstalk-my-web-app-app-170706_000919-uUTqM:/);
    expect(out.nextToken).toBeTypeOf('string');
    const request = server.requests.find((r) => r.target === `${TARGET}.ListBuilds`);
    expect(request?.body).toEqual({ sortOrder: 'DESCENDING' });
  });

  it('finds the eb deploy build by its Elastic-Beanstalk-<app>- prefix', async () => {
    const { ids = [] } = await client.send(new ListBuildsCommand({ sortOrder: 'DESCENDING' }));
    const ebIds = ids.filter((id) => id.startsWith('Elastic-Beanstalk-my-web-app-'));
    const { builds = [] } = await client.send(new BatchGetBuildsCommand({ ids: ebIds }));
    expect(builds.map((b) => b.projectName)).toEqual(['Elastic-Beanstalk-my-web-app-app-170706_000919-uUTqM']);
    // A 2017 record: no imagePullCredentialsType at all, which means CODEBUILD (DOMAIN.md §1-2).
    expect(builds[0]?.environment?.imagePullCredentialsType).toBeUndefined();
    expect(builds[0]?.startTime?.toISOString()).toBe('2017-07-06T00:09:32.843Z');
  });

  it('lists a project\'s builds, and surfaces a recorded error as the named SDK exception', async () => {
    const out = await client.send(new ListBuildsForProjectCommand({ projectName: 'app-build', sortOrder: 'DESCENDING' }));
    expect(out.ids).toHaveLength(3);
    expect(out.nextToken).toBeUndefined();
    await expect(client.send(new ListBuildsForProjectCommand({ projectName: 'gone' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'The provided project name gone does not exist',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('answers an operation it has no recording for with a parsed 400', async () => {
    const { BatchGetProjectsCommand } = await import('@aws-sdk/client-codebuild');
    await expect(client.send(new BatchGetProjectsCommand({ names: ['x'] }))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('reports ids it has no build for in buildsNotFound', async () => {
    const out = await client.send(new BatchGetBuildsCommand({ ids: ['nope:00000000-0000-0000-0000-000000000000'] }));
    expect(out.builds).toEqual([]);
    expect(out.buildsNotFound).toEqual(['nope:00000000-0000-0000-0000-000000000000']);
  });

  it.each(RECORDINGS)('$file: parsed by the SDK and classified as $cause', async (r) => {
    const [id] = recorded(r.file).builds.map((b) => b.id ?? '');
    const out = await client.send(new BatchGetBuildsCommand({ ids: [id ?? ''] }));
    const build = out.builds?.[0];
    expect(build?.id).toBe(id);
    // JSON 1.1 timestamps are epoch seconds; the SDK must have turned them into Dates.
    expect(build?.startTime).toBeInstanceOf(Date);
    expect(build?.phases?.every((p) => p.phaseType === 'COMPLETED' || p.endTime instanceof Date)).toBe(true);
    expect(build?.buildStatus).toBe('FAILED');
    expect(build?.environment?.imagePullCredentialsType).toBe(r.pullMode);

    const info = toBuildInfo(build as Build);
    const failure = findPullFailure(info);
    expect(failure?.phase).toBe(r.phase);
    expect(failure?.classification.cause).toBe(r.cause);
    expect(failure?.classification.isEcrGrantProblem).toBe(r.grant);
    expect(failure?.message).not.toBe('');
    expect(failure?.message).toContain(failure?.classification.evidence ?? '<no evidence>');
    // Causes ecr-doctor can check further point at this very build; the others say what to change.
    // eb deploy's temporary project is gone: the next step is the buildspec, which knows the application's pattern.
    if (failure?.classification.nextStep.startsWith('ecr-doctor')) expect(failure.classification.nextStep).toContain(id?.startsWith('Elastic-Beanstalk-') ? '--buildspec' : `--build ${id}`);
    else expect(r.grant).toBe(false);
  });

  it('reads the service-role build\'s role and session out of the message', async () => {
    const out = await client.send(new BatchGetBuildsCommand({ ids: ['api-build:7d3c9a51-2e4b-4f8d-a1b6-0c5e9f2d8a17'] }));
    const failure = findPullFailure(toBuildInfo(out.builds?.[0] as Build));
    expect(failure?.statusCode).toBe('BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE');
    expect(failure?.classification.details).toMatchObject({
      roleName: 'codebuild-api-build-service-role',
      sessionName: 'AWSCodeBuild-7d3c9a51-2e4b-4f8d-a1b6-0c5e9f2d8a17',
      action: 'ecr:BatchGetImage',
      repository: 'build-images',
      explicitDeny: false,
    });
  });

  it('reads the old CLIENT_ERROR record of the eb deploy build', async () => {
    const id = 'Elastic-Beanstalk-my-web-app-app-170706_000919-uUTqM:4f6c1a2b-8d9e-4b3c-a7f0-2e1d5c6b9a80';
    const out = await client.send(new BatchGetBuildsCommand({ ids: [id] }));
    const failure = findPullFailure(toBuildInfo(out.builds?.[0] as Build));
    expect(failure).toMatchObject({ phase: 'PROVISIONING', statusCode: 'CLIENT_ERROR' });
    expect(failure?.classification.evidence).toBe('Perhaps you need to login?');
    expect(failure?.classification.nextStep).toBe('ecr-doctor fix --buildspec buildspec.yml --dry-run   (in the EB project folder: grants every temporary project eb deploy creates for the application)');
  });
});
