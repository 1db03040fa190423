// "Did you mean" for an unknown project, through the spawned CLI against moto (ListProjects is
// served by moto 5.2 as by AWS: names only, paginated).
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { nextAccountId } from '../support/accounts.js';
import { createProject, createRepository, createRole, makeTestClients } from '../support/aws.js';
import { awsEnv, createCliCredentials, type CliCredentials } from '../cli/cli-account.js';
import { parseReport } from '../cli/json-report.js';
import { makeTempDir, runCli, type TempDir } from '../cli/spawn.js';

const endpoint = inject('motoEndpoint');
const account = nextAccountId();
const clients = makeTestClients(endpoint, account);

describe('doctor --project with a typo', () => {
  let creds: CliCredentials;
  let dir: TempDir;
  beforeAll(async () => {
    dir = await makeTempDir();
    const { repositoryUri } = await createRepository(clients, 'suggest/app');
    const role = await createRole(clients, 'suggest-role');
    for (const name of ['web-build', 'web-builds', 'api-release']) await createProject(clients, { name, image: `${repositoryUri}:v1`, serviceRoleArn: role });
    creds = await createCliCredentials(clients, 'suggest-user');
  });
  afterAll(() => dir?.remove());

  it('offers the nearest project names from ListProjects', async () => {
    const run = await runCli(['doctor', '--project', 'web-biuld', '--region', 'us-east-1'], { env: awsEnv(endpoint, creds) });
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')[1]).toBe(`X web-biuld: Project web-biuld was not found in region us-east-1, account ${account} (did you mean web-build, web-builds?).`);
  });

  it('the found project is read in one round without a listing (the names are absent from the facts)', async () => {
    const run = await runCli(['doctor', '--project', 'web-build', '--format', 'json'], { env: awsEnv(endpoint, creds) });
    const report = parseReport(run.stdout);
    expect(report.results.find((r) => r.check === 'project-found')?.status).toBe('pass');
    const snap = await runCli(['snapshot', '--project', 'web-build', '--output', `${dir.path}/facts.json`], { env: awsEnv(endpoint, creds) });
    expect(snap.code).toBe(0);
    expect(JSON.parse(await readFile(`${dir.path}/facts.json`, 'utf8'))).not.toHaveProperty('projectNames');
  });
});
