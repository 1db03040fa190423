import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateRepositoryCommand, ECRClient, GetRepositoryPolicyCommand, PutImageCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { CreatePolicyVersionCommand, GetRolePolicyCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { nextAccountId } from '../support/accounts.js';
import {
  TEST_CREDENTIALS,
  createProject,
  createRepository,
  createRole,
  makeImageManifest,
  makeTestClients,
  motoAccountPlugin,
  putImage,
  type CreateRoleOptions,
  type TestClients,
} from '../support/aws.js';
import { createCliAccount, type CliAccount } from '../support/cli-account.js';
import { failingCheckIds, failingResults, makeLimiter, runCli, runCliJson, type JsonReport } from '../support/cli.js';
import { startMotoServer, type MotoServer } from '../support/moto-server.js';
import { startRegistryProxy, type ProxiedRequest, type RegistryProxy } from '../support/registry-proxy.js';

// Issue 3: the scenario matrix. Each case builds its own world in fresh moto accounts (A runs
// the build and the CLI; B owns the image in cross-account cases), runs
// `doctor --project P --format json` through the spawned CLI, and checks the verdict and "what
// is missing": for every failing result, which policy (fix.target), which account must change
// it, and words naming that policy. The CLI talks to moto through the registryId routing proxy
// (registry-proxy.ts), which also records the calls it made.
//
// moto accepts some projects AWS would reject at CreateProject (curated image with SERVICE_ROLE,
// cross-account image with CODEBUILD): that lets us check that the doctor itself catches them.

// A private moto server, not the shared one: moto resolves every request signed with a
// moto-made access key by walking all accounts and, for each, IAM backends of every partition
// (iam/models.py get_account_id_from). With MOTO_IAM_LOAD_MANAGED_POLICIES on (the shared server)
// each of those loads AWS's ~1,000 managed policies: about 1 s of moto CPU per account the first
// time, paid again by every file's accounts. Without managed policies it costs nothing.
let server: MotoServer;
let endpoint = '';
const REGION = 'us-east-1';
const PROJECT = 'matrix-build';
const CASE_CONCURRENCY = 2;

interface World {
  A: string;
  B: string;
  a: TestClients;
  b: TestClients;
  projectArn: string;
  /** `${acct}.dkr.ecr.${region}.amazonaws.com/${repo}:${tag}` */
  uri(acct: string, repo: string, tag: string, region?: string): string;
  repoArn(acct: string, repo: string, region?: string): string;
  roleArn(name: string): string;
}

type Who = 'A' | 'B';

interface Missing {
  target: 'repository-policy' | 'role-policy' | 'project-setting' | 'image' | 'other';
  /** The account that must make the change: A (the build account) or B (the registry owner). */
  account: Who;
  /** Words the message must contain, naming the policy (or setting) to change. */
  words: RegExp;
}

interface Case {
  name: string;
  setup(w: World): Promise<void>;
  exit: 0 | 1;
  failing: string[];
  /** "What is missing", per failing check id. */
  missing?: Record<string, Missing>;
  /** Set when the tool is known to get this case wrong: the case runs as it.fails (see the report). */
  knownBug?: string;
  /** Extra assertions over the report and the calls the CLI made. */
  more?(report: JsonReport, w: World, calls: ProxiedRequest[]): void;
}

const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];

const policy = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });

const codebuildGrant = (account: string, sourceArn = `arn:aws:codebuild:${REGION}:${account}:project/*`) => ({
  Sid: 'CodeBuildPull',
  Effect: 'Allow',
  Principal: { Service: 'codebuild.amazonaws.com' },
  Action: PULL,
  Condition: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': sourceArn } },
});

const identityGrant = (repositoryArn: string) =>
  policy(
    { Sid: 'Token', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    { Sid: 'Pull', Effect: 'Allow', Action: PULL, Resource: repositoryArn },
  );

const roleGrant = (roleArn: string) => ({ Sid: 'BuildRolePull', Effect: 'Allow', Principal: { AWS: roleArn }, Action: PULL });

/** A repository with one pushed tag (and an optional policy), in `clients`' account. */
async function repoWithImage(clients: TestClients, repo: string, tag: string, repoPolicy?: object): Promise<void> {
  await createRepository(clients, repo, repoPolicy);
  await putImage(clients, repo, tag);
}

async function serviceRoleProject(w: World, image: string, role: CreateRoleOptions): Promise<void> {
  const roleArn = await createRole(w.a, 'matrix-build-role', { path: '/service-role/', ...role });
  await createProject(w.a, { name: PROJECT, image, serviceRoleArn: roleArn, imagePullCredentialsType: 'SERVICE_ROLE' });
}

async function codebuildProject(w: World, image: string): Promise<void> {
  const roleArn = await createRole(w.a, 'matrix-build-role', { path: '/service-role/' });
  // imagePullCredentialsType omitted: CODEBUILD, the default.
  await createProject(w.a, { name: PROJECT, image, serviceRoleArn: roleArn });
}

const ecrCalls = (calls: ProxiedRequest[]) => calls.filter((c) => c.service === 'ecr');

const CASES: Case[] = [
  // ── CODEBUILD mode, same account ────────────────────────────────────────────
  {
    name: 'CODEBUILD, same account, repository grant present',
    async setup(w) {
      await repoWithImage(w.a, 'app/build', 'v1', policy(codebuildGrant(w.A)));
      await codebuildProject(w, w.uri(w.A, 'app/build', 'v1'));
    },
    exit: 0,
    failing: [],
    more(report) {
      expect(report.results.find((r) => r.check === 'codebuild-principal-can-pull')).toMatchObject({ status: 'pass', message: expect.stringContaining('CodeBuildPull') });
    },
  },
  {
    name: 'CODEBUILD, same account, no repository policy at all',
    async setup(w) {
      await repoWithImage(w.a, 'app/build', 'v1');
      await codebuildProject(w, w.uri(w.A, 'app/build', 'v1'));
    },
    exit: 1,
    failing: ['codebuild-principal-can-pull'],
    missing: { 'codebuild-principal-can-pull': { target: 'repository-policy', account: 'A', words: /codebuild\.amazonaws\.com.*no repository policy.*repository policy of app\/build/ } },
  },
  {
    name: 'CODEBUILD, same account, grant pinned to another project (aws:SourceArn cannot match)',
    async setup(w) {
      await repoWithImage(w.a, 'app/build', 'v1', policy(codebuildGrant(w.A, `arn:aws:codebuild:${REGION}:${w.A}:project/some-other-project`)));
      await codebuildProject(w, w.uri(w.A, 'app/build', 'v1'));
    },
    exit: 1,
    failing: ['codebuild-principal-can-pull'],
    missing: { 'codebuild-principal-can-pull': { target: 'repository-policy', account: 'A', words: /repository policy of app\/build/ } },
    more(report) {
      const r = report.results.find((x) => x.check === 'codebuild-principal-can-pull');
      // The explanation names the statement and the condition that cannot match this project.
      expect(r?.evidence?.['explanation']).toContainEqual(
        expect.stringMatching(/^Statement "CodeBuildPull" \(#0\) of the repository policy does not apply: condition ArnLike aws:SourceArn expects ".*project\/some-other-project" but the request has ".*project\/matrix-build"/),
      );
    },
  },
  {
    name: 'CODEBUILD, same account, grant present but an explicit Deny for the service principal',
    async setup(w) {
      await repoWithImage(
        w.a,
        'app/build',
        'v1',
        policy(codebuildGrant(w.A), { Sid: 'NoServicePulls', Effect: 'Deny', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'ecr:BatchGetImage' }),
      );
      await codebuildProject(w, w.uri(w.A, 'app/build', 'v1'));
    },
    exit: 1,
    failing: ['codebuild-principal-can-pull'],
    missing: { 'codebuild-principal-can-pull': { target: 'repository-policy', account: 'A', words: /statement "NoServicePulls" \(#1\) of the repository policy denies ecr:BatchGetImage/ } },
  },
  // ── SERVICE_ROLE mode, same account ─────────────────────────────────────────
  {
    name: 'SERVICE_ROLE, same account, identity grant present (inline policy)',
    async setup(w) {
      await repoWithImage(w.a, 'app/build', 'v1');
      await serviceRoleProject(w, w.uri(w.A, 'app/build', 'v1'), { inline: { 'ecr-pull': identityGrant(w.repoArn(w.A, 'app/build')) } });
    },
    exit: 0,
    failing: [],
    more(report) {
      expect(report.results.find((r) => r.check === 'service-role-can-pull')?.status).toBe('pass');
      // The repository policy is not consulted for the service principal in SERVICE_ROLE mode.
      expect(report.results.some((r) => r.check === 'codebuild-principal-can-pull')).toBe(false);
    },
  },
  {
    name: 'SERVICE_ROLE, same account, identity grant present (attached managed policy, default version v2)',
    async setup(w) {
      await repoWithImage(w.a, 'app/build', 'v1');
      // v1 grants nothing useful; v2, the default, is AmazonEC2ContainerRegistryReadOnly's Allow.
      // (AWS managed policies exist only on a moto server that loads them, see beforeAll.)
      await serviceRoleProject(w, w.uri(w.A, 'app/build', 'v1'), { managed: { 'ecr-read': policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }) } });
      await w.a.iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: `arn:aws:iam::${w.A}:policy/ecr-read`,
          SetAsDefault: true,
          PolicyDocument: JSON.stringify(
            policy({ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:GetRepositoryPolicy', 'ecr:DescribeRepositories', 'ecr:ListImages', 'ecr:DescribeImages', 'ecr:BatchGetImage'], Resource: '*' }),
          ),
        }),
      );
    },
    exit: 0,
    failing: [],
  },
  {
    name: 'SERVICE_ROLE, same account, token on the role and pull granted by the repository policy',
    async setup(w) {
      await repoWithImage(w.a, 'app/build', 'v1', policy(roleGrant(w.roleArn('service-role/matrix-build-role'))));
      await serviceRoleProject(w, w.uri(w.A, 'app/build', 'v1'), {
        inline: { token: policy({ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }) },
      });
    },
    exit: 0,
    failing: [],
  },
  {
    name: 'SERVICE_ROLE, same account, identity grant missing',
    async setup(w) {
      await repoWithImage(w.a, 'app/build', 'v1');
      await serviceRoleProject(w, w.uri(w.A, 'app/build', 'v1'), {
        inline: { logs: policy({ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }) },
      });
    },
    exit: 1,
    failing: ['service-role-can-pull'],
    missing: { 'service-role-can-pull': { target: 'role-policy', account: 'A', words: /no identity policy of the role allows it.*role's identity policy/ } },
    more(report, w) {
      const r = failingResults(report)[0];
      expect(r?.message).toContain('ecr:GetAuthorizationToken');
      expect(r?.message).toContain('ecr:BatchGetImage');
      expect(r?.fix?.resource).toBe(w.roleArn('service-role/matrix-build-role'));
    },
  },
  {
    name: 'SERVICE_ROLE, same account, identity grant explicitly denied',
    async setup(w) {
      await repoWithImage(w.a, 'app/build', 'v1');
      await serviceRoleProject(w, w.uri(w.A, 'app/build', 'v1'), {
        inline: {
          'ecr-pull': identityGrant(w.repoArn(w.A, 'app/build')),
          'no-ecr-pull': policy({ Sid: 'DenyImagePull', Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: '*' }),
        },
      });
    },
    exit: 1,
    failing: ['service-role-can-pull'],
    // The Deny lives in the role's inline policy no-ecr-pull, in account A: that is the policy to
    // change and the account that must change it. The tool says fix.target 'other' with no account.
    missing: { 'service-role-can-pull': { target: 'role-policy', account: 'A', words: /statement "DenyImagePull" \(#0\) of no-ecr-pull/ } },
  },
  {
    name: 'SERVICE_ROLE, same account, blocked by the permissions boundary',
    async setup(w) {
      await repoWithImage(w.a, 'app/build', 'v1', policy(roleGrant(w.roleArn('service-role/matrix-build-role'))));
      await serviceRoleProject(w, w.uri(w.A, 'app/build', 'v1'), {
        inline: { 'ecr-pull': identityGrant(w.repoArn(w.A, 'app/build')) },
        boundary: policy({ Effect: 'Allow', Action: ['s3:*', 'logs:*'], Resource: '*' }),
      });
    },
    exit: 1,
    failing: ['service-role-can-pull'],
    missing: { 'service-role-can-pull': { target: 'role-policy', account: 'A', words: /permissions boundary matrix-build-role-boundary/ } },
  },
  // ── SERVICE_ROLE mode, image in account B ───────────────────────────────────
  {
    name: 'SERVICE_ROLE, cross account, identity and repository halves present',
    async setup(w) {
      await repoWithImage(w.b, 'shared/build', 'v1', policy(roleGrant(w.roleArn('service-role/matrix-build-role'))));
      await serviceRoleProject(w, w.uri(w.B, 'shared/build', 'v1'), { inline: { 'ecr-pull': identityGrant(w.repoArn(w.B, 'shared/build')) } });
    },
    exit: 0,
    failing: [],
    more(report, w, calls) {
      const result = report.results.find((r) => r.check === 'service-role-can-pull');
      // Both halves allow, but B's registry policy (which under V2 could deny) is not readable from A: a warning, no pass.
      expect(result?.status).toBe('warn');
      expect(result?.message).toMatch(/identity policy and the repository policy allow .* registry policy of account \d{12} \(us-east-1\) could not be read \(cannot read from this account/);
      // B's registry was read through registryId (the proxy routed it to B's backend).
      expect(ecrCalls(calls).filter((c) => c.operation === 'GetRepositoryPolicy').map((c) => c.routedTo)).toEqual([w.B]);
    },
  },
  {
    name: 'SERVICE_ROLE, cross account, identity half missing',
    async setup(w) {
      await repoWithImage(w.b, 'shared/build', 'v1', policy(roleGrant(w.roleArn('service-role/matrix-build-role'))));
      await serviceRoleProject(w, w.uri(w.B, 'shared/build', 'v1'), {});
    },
    exit: 1,
    failing: ['service-role-can-pull'],
    missing: { 'service-role-can-pull': { target: 'role-policy', account: 'A', words: /role's identity policy, in account A/ } },
  },
  {
    name: 'SERVICE_ROLE, cross account, repository-policy half missing',
    async setup(w) {
      // B's policy exists but grants someone else.
      await repoWithImage(w.b, 'shared/build', 'v1', policy(roleGrant(`arn:aws:iam::${w.B}:role/local-reader`)));
      await serviceRoleProject(w, w.uri(w.B, 'shared/build', 'v1'), { inline: { 'ecr-pull': identityGrant(w.repoArn(w.B, 'shared/build')) } });
    },
    exit: 1,
    failing: ['service-role-can-pull'],
    missing: { 'service-role-can-pull': { target: 'repository-policy', account: 'B', words: /repository policy of shared\/build \(account B\)/ } },
  },
  // ── Image existence ─────────────────────────────────────────────────────────
  {
    name: 'tag missing (nearest tags in the evidence)',
    async setup(w) {
      await repoWithImage(w.a, 'app/build', 'v1.2.0', policy(codebuildGrant(w.A)));
      await putImage(w.a, 'app/build', 'v1.3.0');
      await putImage(w.a, 'app/build', 'latest');
      await codebuildProject(w, w.uri(w.A, 'app/build', 'v1.2.1'));
    },
    exit: 1,
    failing: ['image-exists'],
    missing: { 'image-exists': { target: 'image', account: 'A', words: /tag v1\.2\.1 does not exist in app\/build/ } },
    more(report) {
      const r = failingResults(report)[0];
      const nearest = r?.evidence?.['nearestTags'] as string[];
      expect(nearest[0]).toBe('v1.2.0');
      expect(nearest).toContain('v1.3.0');
      expect(r?.message).toContain('v1.2.0');
    },
  },
  {
    name: 'repository missing',
    async setup(w) {
      await codebuildProject(w, w.uri(w.A, 'app/never-created', 'v1'));
    },
    exit: 1,
    failing: ['repository-exists'],
    missing: { 'repository-exists': { target: 'image', account: 'A', words: /Repository app\/never-created does not exist in account A, region us-east-1/ } },
    more(report) {
      // Nothing about tags or grants is claimed for a repository that is not there.
      expect(report.results.some((r) => ['image-exists', 'codebuild-principal-can-pull'].includes(r.check))).toBe(false);
    },
  },
  // ── Images that need no repository policy, and mode rules ───────────────────
  {
    name: 'curated image aws/codebuild/standard:7.0 in CODEBUILD mode passes with no repository read',
    async setup(w) {
      await codebuildProject(w, 'aws/codebuild/standard:7.0');
    },
    exit: 0,
    failing: [],
    more(report, _w, calls) {
      expect(report.results.find((r) => r.check === 'image-reference')).toMatchObject({ status: 'pass', message: expect.stringMatching(/curated/i) });
      expect(ecrCalls(calls)).toEqual([]);
    },
  },
  {
    name: 'curated image with SERVICE_ROLE (moto accepts the project) fails pull-mode',
    async setup(w) {
      await serviceRoleProject(w, 'aws/codebuild/standard:7.0', {});
    },
    exit: 1,
    failing: ['pull-mode'],
    missing: { 'pull-mode': { target: 'project-setting', account: 'A', words: /curated image cannot be pulled in SERVICE_ROLE mode/ } },
    more(_report, _w, calls) {
      expect(ecrCalls(calls)).toEqual([]);
    },
  },
  {
    name: 'Docker Hub image node:20 passes with no repository read',
    async setup(w) {
      await codebuildProject(w, 'node:20');
    },
    exit: 0,
    failing: [],
    more(report, _w, calls) {
      expect(report.results.find((r) => r.check === 'image-reference')?.message).toMatch(/Docker Hub/i);
      expect(ecrCalls(calls)).toEqual([]);
    },
  },
  {
    name: 'region mismatch: image in us-west-2, project in us-east-1',
    async setup(w) {
      const west = new ECRClient({ region: 'us-west-2', credentials: TEST_CREDENTIALS, endpoint, maxAttempts: 1 });
      west.middlewareStack.use(motoAccountPlugin(w.A));
      await west.send(new CreateRepositoryCommand({ repositoryName: 'app/build' }));
      await west.send(new SetRepositoryPolicyCommand({ repositoryName: 'app/build', policyText: JSON.stringify(policy(codebuildGrant(w.A))) }));
      await west.send(
        new PutImageCommand({
          repositoryName: 'app/build',
          imageTag: 'v1',
          imageManifest: makeImageManifest('west'),
          imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        }),
      );
      west.destroy();
      await codebuildProject(w, w.uri(w.A, 'app/build', 'v1', 'us-west-2'));
    },
    exit: 1,
    failing: ['pull-mode'],
    missing: { 'pull-mode': { target: 'image', account: 'A', words: /image is in region us-west-2 but the project runs in us-east-1/ } },
    more(report) {
      // The repository is read where the image lives, so the rest is known: it exists, the tag too.
      expect(report.results.find((r) => r.check === 'repository-exists')?.status).toBe('pass');
      expect(report.results.find((r) => r.check === 'image-exists')?.status).toBe('pass');
    },
  },
  {
    name: 'cross-account image in CODEBUILD mode fails pull-mode',
    async setup(w) {
      await repoWithImage(w.b, 'shared/build', 'v1', policy(codebuildGrant(w.A)));
      await codebuildProject(w, w.uri(w.B, 'shared/build', 'v1'));
    },
    exit: 1,
    failing: ['pull-mode'],
    missing: { 'pull-mode': { target: 'project-setting', account: 'A', words: /CODEBUILD mode cannot pull a cross-account ECR image/ } },
  },
];

const limit = makeLimiter(CASE_CONCURRENCY);
let proxy: RegistryProxy;

beforeAll(async () => {
  server = await startMotoServer();
  endpoint = server.endpoint;
  proxy = await startRegistryProxy(endpoint);
});
afterAll(async () => {
  await proxy?.stop();
  await server?.stop();
});

function makeWorld(): World {
  const A = nextAccountId();
  const B = nextAccountId();
  return {
    A,
    B,
    a: makeTestClients(endpoint, A),
    b: makeTestClients(endpoint, B),
    projectArn: `arn:aws:codebuild:${REGION}:${A}:project/${PROJECT}`,
    uri: (acct, repo, tag, region = REGION) => `${acct}.dkr.ecr.${region}.amazonaws.com/${repo}:${tag}`,
    repoArn: (acct, repo, region = REGION) => `arn:aws:ecr:${region}:${acct}:repository/${repo}`,
    roleArn: (name) => `arn:aws:iam::${A}:role/${name}`,
  };
}

/** The account a failing result says must act: fix.account, else the account in fix.resource. */
function accountToAct(fix: { account?: string; resource?: string } | undefined): string | undefined {
  return fix?.account ?? /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(fix?.resource ?? '')?.[1];
}

/** Put the case's account ids into its expected words (A/B stand for the generated ids). */
function withAccounts(words: RegExp, w: World): RegExp {
  return new RegExp(words.source.replace(/account A\b/g, `account ${w.A}`).replace(/account B\b/g, `account ${w.B}`), words.flags);
}

describe.concurrent('scenario matrix: doctor --project P --format json', () => {
  it('has at least 14 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(14);
  });

  for (const c of CASES) {
    (c.knownBug ? it.fails : it)(c.knownBug ? `${c.name} [known bug: ${c.knownBug}]` : c.name, () =>
      limit(async () => {
        const w = makeWorld();
        const cli: CliAccount = await createCliAccount(w.a, { endpoint: proxy.endpoint });
        await c.setup(w);
        const run = await runCliJson<JsonReport>(['doctor', '--project', PROJECT, '--format', 'json'], { env: cli.env });
        const context = `${c.name}\nstderr: ${run.stderr}\nresults: ${JSON.stringify(failingResults(run.json), null, 2)}`;
        expect(run.code, context).toBe(c.exit);
        expect(failingCheckIds(run.json), context).toEqual([...c.failing].sort());
        expect(run.json.results.find((r) => r.check === 'project-found')?.status, context).toBe('pass');
        for (const r of failingResults(run.json)) {
          const want = c.missing?.[r.check];
          expect(want, `no expectation for failing ${r.check} in "${c.name}"`).toBeDefined();
          if (!want) continue;
          expect(r.status, context).toBe('fail');
          expect(r.subject).toBe(w.projectArn);
          expect(r.fix?.target, context).toBe(want.target);
          expect(accountToAct(r.fix), context).toBe(want.account === 'A' ? w.A : w.B);
          expect(r.message, context).toMatch(withAccounts(want.words, w));
        }
        c.more?.(run.json, w, proxy.requestsBy(cli.accessKeyId));
      }),
    );
  }
});

// Issue 3 item 7: fix for SERVICE_ROLE mode. Same account: an inline role policy of its own,
// applied with PutRolePolicy. Across accounts: the repository statement is printed for the
// owner and never written from the build account.

interface RolePolicyDoc {
  Statement: Array<{ Sid?: string; Effect: string; Action: string | string[]; Resource: string | string[] }>;
}

const PUSH_ACTIONS = ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:*'];
const asList = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

async function readInlinePolicy(clients: TestClients, roleName: string, policyName: string): Promise<RolePolicyDoc> {
  const out = await clients.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
  const text = out.PolicyDocument ?? '';
  // IAM returns the document URL-encoded (as AWS does).
  return JSON.parse(text.trimStart().startsWith('{') ? text : decodeURIComponent(text)) as RolePolicyDoc;
}

/** The role-policy statements fix must write: a token on *, pull (and only pull) on the repository. */
function expectRolePullPolicy(doc: RolePolicyDoc, repositoryArn: string): void {
  const token = doc.Statement.filter((s) => asList(s.Action).includes('ecr:GetAuthorizationToken'));
  expect(token).toHaveLength(1);
  expect(token[0]).toMatchObject({ Effect: 'Allow', Resource: '*' });
  const pull = doc.Statement.find((s) => asList(s.Action).includes('ecr:BatchGetImage'));
  expect(pull?.Effect).toBe('Allow');
  expect(asList(pull?.Action ?? [])).toEqual(expect.arrayContaining(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']));
  expect(asList(pull?.Resource ?? [])).toEqual([repositoryArn]);
  for (const s of doc.Statement) {
    for (const push of PUSH_ACTIONS) expect(asList(s.Action)).not.toContain(push);
  }
}

describe.concurrent('fix in SERVICE_ROLE mode', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ecr-doctor-matrix-fix-'));
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('same account: --dry-run prints the role policy, --yes writes ecr-doctor-image-pull, doctor then passes', () =>
    limit(async () => {
      const w = makeWorld();
      const cli = await createCliAccount(w.a, { endpoint: proxy.endpoint });
      await repoWithImage(w.a, 'app/build', 'v1');
      await serviceRoleProject(w, w.uri(w.A, 'app/build', 'v1'), {
        inline: { logs: policy({ Sid: 'Logs', Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }) },
      });
      const repoArn = w.repoArn(w.A, 'app/build');
      const cwd = await mkdtemp(join(work, 'same-'));

      const dry = await runCliJson<RolePolicyDoc>(['fix', '--project', PROJECT, '--dry-run'], { env: cli.env, cwd });
      expect(dry.code, dry.stderr).toBe(0);
      expectRolePullPolicy(dry.json, repoArn);
      await expect(w.a.iam.send(new GetRolePolicyCommand({ RoleName: 'matrix-build-role', PolicyName: 'ecr-doctor-image-pull' }))).rejects.toMatchObject({
        name: 'NoSuchEntityException',
      });

      // HOME is the test folder: backups go to ~/.ecr-doctor/backups, never into the cwd.
      const applied = await runCli(['fix', '--project', PROJECT, '--yes'], { env: { ...cli.env, HOME: cwd }, cwd });
      expect(applied.code, `${applied.stdout}\n${applied.stderr}`).toBe(0);
      expectRolePullPolicy(await readInlinePolicy(w.a, 'matrix-build-role', 'ecr-doctor-image-pull'), repoArn);
      // Only its own policy is touched.
      const names = (await w.a.iam.send(new ListRolePoliciesCommand({ RoleName: 'matrix-build-role' }))).PolicyNames ?? [];
      expect(names.sort()).toEqual(['ecr-doctor-image-pull', 'logs']);
      expect(await readInlinePolicy(w.a, 'matrix-build-role', 'logs')).toEqual(policy({ Sid: 'Logs', Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }));
      // The default backup folder under HOME holds the "no policy before" record.
      const backups = await readdir(join(cwd, '.ecr-doctor', 'backups'));
      expect(backups).toHaveLength(1);
      expect(JSON.parse(await readFile(join(cwd, '.ecr-doctor', 'backups', backups[0]!), 'utf8'))).toMatchObject({ existed: false, policyText: null, policyName: 'ecr-doctor-image-pull' });
      expect(applied.stderr).toContain(`there was no policy before (recorded in ${join(cwd, '.ecr-doctor', 'backups', backups[0]!)})`);

      const after = await runCliJson<JsonReport>(['doctor', '--project', PROJECT, '--format', 'json'], { env: cli.env, cwd });
      expect(after.code, after.stderr).toBe(0);
      expect(after.json.results.find((r) => r.check === 'service-role-can-pull')?.status).toBe('pass');

      const again = await runCli(['fix', '--project', PROJECT, '--yes'], { env: { ...cli.env, HOME: cwd }, cwd });
      expect(again.code).toBe(0);
      expect(again.stderr).toMatch(/nothing to change/i);
    }),
  );

  it('cross account: the role half is applied in A, the repository statement is printed for B and not written', () =>
    limit(async () => {
      const w = makeWorld();
      const cli = await createCliAccount(w.a, { endpoint: proxy.endpoint });
      await repoWithImage(w.b, 'shared/build', 'v1');
      await serviceRoleProject(w, w.uri(w.B, 'shared/build', 'v1'), {});
      const roleArn = w.roleArn('service-role/matrix-build-role');
      const repoArn = w.repoArn(w.B, 'shared/build');
      const cwd = await mkdtemp(join(work, 'cross-'));

      interface Changes {
        changes: Array<{ kind: string; resource: string; account: string; applicable: boolean; policy: { Statement: Array<Record<string, unknown>> } }>;
      }
      const dry = await runCliJson<Changes>(['fix', '--project', PROJECT, '--dry-run'], { env: cli.env, cwd });
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.json.changes.map((c) => [c.kind, c.account, c.applicable]).sort()).toEqual([
        ['repository-policy', w.B, false],
        ['role-policy', w.A, true],
      ]);

      const r = await runCli(['fix', '--project', PROJECT, '--yes'], { env: { ...cli.env, HOME: cwd }, cwd });
      // The repository half is still missing after the role half is written: failures remain.
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(/another account/);
      // The statement for B's owner is on stdout, before the re-check report.
      const printed = JSON.parse(r.stdout.slice(0, r.stdout.indexOf('\n}\n') + 2)) as { Statement: Array<Record<string, unknown>> };
      expect(printed.Statement).toContainEqual(expect.objectContaining({ Effect: 'Allow', Principal: { AWS: roleArn }, Action: expect.arrayContaining(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']) }));
      // Nothing was written in account B.
      await expect(w.b.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'shared/build' }))).rejects.toMatchObject({ name: 'RepositoryPolicyNotFoundException' });
      expect(proxy.requestsBy(cli.accessKeyId).filter((c) => c.operation === 'SetRepositoryPolicy')).toEqual([]);
      // The role half was written in A.
      expectRolePullPolicy(await readInlinePolicy(w.a, 'matrix-build-role', 'ecr-doctor-image-pull'), repoArn);

      const after = await runCliJson<JsonReport>(['doctor', '--project', PROJECT, '--format', 'json'], { env: cli.env, cwd });
      expect(after.code).toBe(1);
      const failing = failingResults(after.json);
      expect(failing).toHaveLength(1);
      expect(failing[0]?.fix).toMatchObject({ target: 'repository-policy', account: w.B, resource: repoArn });
    }),
  );
});
