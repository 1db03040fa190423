import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetRepositoryPolicyCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { CHECK_IDS } from '../../src/checks/catalog.js';
import { STATUSES } from '../../src/model/result.js';
import { createProject, createRepository, createRole, makeTestClients, putImage, type TestClients } from '../support/aws.js';
import { createCliAccount, type CliAccount } from '../support/cli-account.js';
import { failingCheckIds, failingResults, runCli, runCliJson, type JsonReport } from '../support/cli.js';
import { startMotoServer, type MotoServer } from '../support/moto-server.js';

// Issue 2, "Done when": the seed case, end to end through the spawned CLI against moto.
// A repository whose policy already holds an unrelated statement (a push grant to a CI role),
// a project in CODEBUILD mode with imagePullCredentialsType omitted: doctor fails, fix
// --dry-run prints and writes nothing, fix without --yes refuses, fix --yes adds the grant and
// keeps the unrelated statement, a second fix is a no-op, doctor passes.

// A private moto server: the CLI signs with a moto-made access key, and moto resolves such a key
// by walking every account's IAM backends for every partition; on the shared server (AWS managed
// policies loaded) that costs about a second per account other files created. See matrix.test.ts.
let server: MotoServer;
const account = '135792468013';
const REPO = 'team/web-app';
const PROJECT = 'seed-web-app';
const TAG = 'v1.4.2';
const projectArn = `arn:aws:codebuild:us-east-1:${account}:project/${PROJECT}`;
const repositoryArn = `arn:aws:ecr:us-east-1:${account}:repository/${REPO}`;

const unrelatedStatement = {
  Sid: 'CiPublisherPush',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${account}:role/ci-publisher` },
  Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:BatchCheckLayerAvailability'],
};
const originalPolicy = { Version: '2012-10-17', Statement: [unrelatedStatement] };
// Indented as a human would write it: the fix must keep the statement, not necessarily the bytes.
const originalPolicyText = JSON.stringify(originalPolicy, null, 4);

const PUSH_ACTIONS = ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'];

let clients: TestClients;
let cli: CliAccount;
let work: string;

interface PolicyDoc {
  Version?: string;
  Statement: Array<Record<string, unknown> & { Sid?: string }>;
}

async function serverPolicyText(): Promise<string> {
  const out = await clients.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: REPO }));
  return out.policyText ?? '';
}

function statementsBySid(doc: PolicyDoc): Map<string | undefined, Record<string, unknown>> {
  return new Map(doc.Statement.map((s) => [s.Sid, s]));
}

/** HOME is the cwd: fix's default backups go to ~/.ecr-doctor/backups, and no test writes to the real one. */
function run(args: string[], opts: { cwd?: string } = {}) {
  const cwd = opts.cwd ?? work;
  return runCli(args, { env: { ...cli.env, HOME: cwd }, cwd });
}

/** Every field DESIGN.md §3 promises, and a summary that counts the results. */
function expectReportSchema(report: JsonReport): void {
  expect(report.schemaVersion).toBe(1);
  expect(report.tool).toEqual({ name: 'ecr-doctor', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  expect(typeof report.target).toBe('object');
  expect(Object.keys(report.summary).sort()).toEqual([...STATUSES].sort());
  const counted = Object.fromEntries(STATUSES.map((s) => [s, report.results.filter((r) => r.status === s).length]));
  expect(report.summary).toEqual(counted);
  expect(report.results.length).toBeGreaterThan(0);
  for (const r of report.results) {
    expect(CHECK_IDS).toContain(r.check);
    expect(STATUSES).toContain(r.status);
    expect(['error', 'warning', 'info']).toContain(r.severity);
    expect(typeof r.subject).toBe('string');
    expect(r.subject.length).toBeGreaterThan(0);
    expect(typeof r.message).toBe('string');
    // One sentence, no colour.
    expect(r.message).not.toMatch(/\u001b\[/);
  }
}

const verdicts = (report: JsonReport) => report.results.map((r) => ({ check: r.check, status: r.status, subject: r.subject }));

beforeAll(async () => {
  server = await startMotoServer();
  work = await mkdtemp(join(tmpdir(), 'ecr-doctor-seed-'));
  clients = makeTestClients(server.endpoint, account);
  cli = await createCliAccount(clients);
  await createRepository(clients, REPO);
  // createRepository would re-serialise the policy; set the indented text ourselves.
  await clients.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: REPO, policyText: originalPolicyText }));
  await putImage(clients, REPO, TAG);
  const roleArn = await createRole(clients, 'seed-web-app-build', { path: '/service-role/' });
  // imagePullCredentialsType omitted: the default, CODEBUILD.
  await createProject(clients, { name: PROJECT, image: `${account}.dkr.ecr.us-east-1.amazonaws.com/${REPO}:${TAG}`, serviceRoleArn: roleArn });
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await server?.stop();
});

describe('seed scenario: CODEBUILD mode, repository policy without a CodeBuild grant', () => {
  let liveBefore: JsonReport;

  it('doctor fails (exit 1) and the failing result names codebuild.amazonaws.com and the repository', async () => {
    const r = await run(['doctor', '--project', PROJECT]);
    expect(r.code, r.stderr).toBe(1);
    const failLines = r.stdout.split('\n').filter((l) => /^\s*FAIL\b/.test(l));
    expect(failLines).toHaveLength(1);
    expect(failLines[0]).toContain('codebuild-principal-can-pull');
    expect(failLines[0]).toContain('codebuild.amazonaws.com');
    expect(failLines[0]).toContain(REPO);
    expect(r.stdout).toMatch(/Summary: \d+ passed, 1 failed/);
    // NO_COLOR=1: no escape codes in the text report.
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('doctor --format json parses, matches the schema, and says what is missing and where', async () => {
    const r = await runCliJson<JsonReport>(['doctor', '--project', PROJECT, '--format', 'json'], { env: cli.env, cwd: work });
    expect(r.code, r.stderr).toBe(1);
    liveBefore = r.json;
    expectReportSchema(r.json);
    expect(failingCheckIds(r.json)).toEqual(['codebuild-principal-can-pull']);
    const [failing] = failingResults(r.json);
    expect(failing?.subject).toBe(projectArn);
    expect(failing?.message).toContain('codebuild.amazonaws.com');
    expect(failing?.message).toContain(REPO);
    expect(failing?.fix).toMatchObject({ target: 'repository-policy', account, resource: repositoryArn });
    expect(failing?.fix?.description).toMatch(/repository policy/);
    expect(failing?.evidence).toMatchObject({
      repositoryArn,
      principal: 'codebuild.amazonaws.com',
      decisions: { 'ecr:BatchGetImage': 'implicit-deny', 'ecr:GetDownloadUrlForLayer': 'implicit-deny' },
    });
    // Everything before the grant is fine: project, image reference, mode, repository, tag.
    for (const check of ['project-found', 'image-reference', 'pull-mode', 'repository-exists', 'image-exists']) {
      expect(r.json.results.find((x) => x.check === check)?.status, check).toBe('pass');
    }
  });

  it('snapshot then doctor --snapshot gives the same verdicts as live', async () => {
    const file = join(work, 'before.json');
    const snap = await run(['snapshot', '--project', PROJECT, '--output', file]);
    expect(snap.code, snap.stderr).toBe(0);
    const facts = JSON.parse(await readFile(file, 'utf8')) as { schemaVersion: number; caller: unknown };
    expect(facts.schemaVersion).toBe(1);
    // Replayed with no credentials and no endpoint: the snapshot needs no AWS at all.
    const offline = await runCliJson<JsonReport>(['doctor', '--snapshot', file, '--format', 'json'], { cwd: work });
    expect(offline.code, offline.stderr).toBe(1);
    expect(verdicts(offline.json)).toEqual(verdicts(liveBefore));
    expect(offline.json.summary).toEqual(liveBefore.summary);
  });

  it('fix --dry-run prints the merged policy JSON and leaves the server policy unchanged', async () => {
    const r = await run(['fix', '--project', PROJECT, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as PolicyDoc;
    const bySid = statementsBySid(printed);
    expect(bySid.get(unrelatedStatement.Sid)).toEqual(unrelatedStatement);
    expect(bySid.get('EcrDoctorCodeBuildPull')).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'codebuild.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': projectArn } },
    });
    expect(printed.Statement).toHaveLength(2);
    expect(await serverPolicyText()).toBe(originalPolicyText);
  });

  it('fix without --yes and without a terminal refuses: exit 2, a hint, nothing written', async () => {
    const r = await run(['fix', '--project', PROJECT]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .+/m);
    expect(r.stderr).toMatch(/^hint: .*--yes/m);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await serverPolicyText()).toBe(originalPolicyText);
  });

  it('fix --yes --backup adds the grant, keeps the unrelated statement and saves the old policy', async () => {
    const backup = join(work, 'backups', 'seed-policy.json');
    const r = await run(['fix', '--project', PROJECT, '--yes', '--backup', backup]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);

    const after = JSON.parse(await serverPolicyText()) as PolicyDoc;
    expect(after.Statement).toHaveLength(2);
    const bySid = statementsBySid(after);
    // The unrelated statement parses to exactly the JSON it had.
    expect(bySid.get(unrelatedStatement.Sid)).toEqual(unrelatedStatement);
    const grant = bySid.get('EcrDoctorCodeBuildPull');
    expect(grant).toEqual({
      Sid: 'EcrDoctorCodeBuildPull',
      Effect: 'Allow',
      Principal: { Service: 'codebuild.amazonaws.com' },
      Action: expect.arrayContaining(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']),
      Condition: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': projectArn } },
    });
    // DOMAIN.md §3: no Resource element, no push action.
    expect(grant).not.toHaveProperty('Resource');
    for (const push of PUSH_ACTIONS) expect(grant?.['Action']).not.toContain(push);

    const saved = JSON.parse(await readFile(backup, 'utf8')) as { resource: string; existed: boolean; policyText: string };
    expect(saved).toMatchObject({ resource: repositoryArn, existed: true });
    expect(saved.policyText).toBe(originalPolicyText);
    // --backup named the file: nothing under the default backup folder (~/.ecr-doctor, HOME is the cwd here).
    await expect(readdir(join(work, '.ecr-doctor'))).rejects.toMatchObject({ code: 'ENOENT' });
    // The re-check fix runs after writing reports the pull as allowed.
    expect(r.stdout).toMatch(/^OK \S+ can pull \S+ \(CODEBUILD mode\)\.$/m);
    expect(r.stdout).toMatch(/PASS\s+\d+ checks: .*codebuild-principal-can-pull/);
  });

  it('a second fix --yes changes nothing and says so', async () => {
    const before = await serverPolicyText();
    const cwd = await mkdtemp(join(tmpdir(), 'ecr-doctor-seed-again-'));
    try {
      const r = await run(['fix', '--project', PROJECT, '--yes'], { cwd });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(`${r.stdout}\n${r.stderr}`).toMatch(/nothing to change|unchanged|already/i);
      expect(await serverPolicyText()).toBe(before);
      // Nothing written means nothing backed up.
      await expect(readdir(join(cwd, '.ecr-doctor'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('doctor passes (exit 0) after the fix, live and from a new snapshot', async () => {
    const live = await runCliJson<JsonReport>(['doctor', '--project', PROJECT, '--format', 'json'], { env: cli.env, cwd: work });
    expect(live.code, live.stderr).toBe(0);
    expectReportSchema(live.json);
    expect(failingCheckIds(live.json)).toEqual([]);
    const grant = live.json.results.find((x) => x.check === 'codebuild-principal-can-pull');
    expect(grant?.status).toBe('pass');
    expect(grant?.message).toContain('EcrDoctorCodeBuildPull');

    const text = await run(['doctor', '--project', PROJECT]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Summary: \d+ passed, 0 failed/);

    const file = join(work, 'after.json');
    expect((await run(['snapshot', '--project', PROJECT, '--output', file])).code).toBe(0);
    const offline = await runCliJson<JsonReport>(['doctor', '--snapshot', file, '--format', 'json'], { cwd: work });
    expect(offline.code).toBe(0);
    expect(verdicts(offline.json)).toEqual(verdicts(live.json));
  });
});
