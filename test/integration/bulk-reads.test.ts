// `doctor --all-projects` over many projects sharing a few repositories and roles (issue 15 item
// 3): the built CLI against moto through the counting proxy (test/support/fault-proxy.ts, every
// call passed on), with the exact number of requests per operation asserted. Each repository,
// role and policy is read once; the projects' tags in one DescribeImages per repository; the
// repositories in one DescribeRepositories; the roles in one GetAccountAuthorizationDetails.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AttachRolePolicyCommand, CreatePolicyCommand } from '@aws-sdk/client-iam';
import { nextAccountId } from '../support/accounts.js';
import { createProject, createRepository, createRole, makeTestClients, putImage } from '../support/aws.js';
import { createCliAccount } from '../support/cli-account.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { parseReport } from '../cli/json-report.js';
import { runCli } from '../cli/spawn.js';

const PROJECTS = 120;
const REPOSITORIES = 6;
const ROLES = 4;
const endpoint = inject('motoEndpoint');
const account = nextAccountId();
const moto = makeTestClients(endpoint, account);
const AWS_READ_ONLY = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly';

let proxy: FaultProxy;
let env: Record<string, string>;
let bulkResults: unknown[] = [];

beforeAll(async () => {
  proxy = await startFaultProxy(endpoint, () => 'pass');
  env = { ...(await createCliAccount(moto, { userName: 'bulk-cli', endpoint: proxy.endpoint })).env, AWS_REGION: 'us-east-1' };
  const repos = await Promise.all(
    Array.from({ length: REPOSITORIES }, async (_, i) => {
      const repo = await createRepository(moto, `bulk-${i}`);
      await putImage(moto, `bulk-${i}`, 'v1');
      await putImage(moto, `bulk-${i}`, 'v2');
      return repo.repositoryUri;
    }),
  );
  const shared = await moto.iam.send(new CreatePolicyCommand({ PolicyName: 'bulk-shared', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:CreateLogStream', Resource: '*' }] }) }));
  const roles = await Promise.all(
    Array.from({ length: ROLES }, async (_, i) => {
      const arn = await createRole(moto, `bulk-role-${i}`, { path: '/service-role/', inline: { token: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }] } } });
      await moto.iam.send(new AttachRolePolicyCommand({ RoleName: `bulk-role-${i}`, PolicyArn: shared.Policy?.Arn }));
      await moto.iam.send(new AttachRolePolicyCommand({ RoleName: `bulk-role-${i}`, PolicyArn: AWS_READ_ONLY }));
      return arn;
    }),
  );
  // Project j: repository j % 6, tag v1 or v2 by turns (and one project names a tag that is not there),
  // role j % 4. Created concurrently, 20 at a time.
  for (let start = 0; start < PROJECTS; start += 20) {
    await Promise.all(
      Array.from({ length: 20 }, (_, k) => {
        const j = start + k;
        const tag = j === 0 ? 'gone' : Math.floor(j / REPOSITORIES) % 2 === 0 ? 'v1' : 'v2';
        return createProject(moto, { name: `bulk-${String(j).padStart(3, '0')}`, image: `${repos[j % REPOSITORIES]}:${tag}`, serviceRoleArn: roles[j % ROLES]! });
      }),
    );
  }
}, 120_000);
afterAll(() => proxy.close());

describe('doctor --all-projects: deterministic request counts', () => {
  it(`${PROJECTS} projects / ${REPOSITORIES} repositories / ${ROLES} roles: each thing read once, in bulk`, async () => {
    const from = proxy.calls.length;
    const r = await runCli(['doctor', '--all-projects', '--format', 'json'], { env, timeoutMs: 60_000 });
    expect(r.stderr).not.toMatch(/^error:/m);
    const report = parseReport(r.stdout);
    bulkResults = report.results;
    // 120 projects judged; the one naming a missing tag fails image-exists.
    expect(report.results.filter((x) => x.check === 'project-found' && x.status === 'pass')).toHaveLength(PROJECTS);
    expect(report.results.filter((x) => x.check === 'image-exists' && x.status === 'fail')).toHaveLength(1);
    const counts: Record<string, number> = {};
    for (const c of proxy.calls.slice(from)) counts[c] = (counts[c] ?? 0) + 1;
    expect(counts).toEqual({
      'sts:GetCallerIdentity': 1,
      'codebuild:ListProjects': 1,
      'codebuild:BatchGetProjects': 2, // 100 names a call
      'ecr:DescribeRepositories': 1, // 6 names in one call
      'ecr:DescribeImages': REPOSITORIES + 1, // one per repository; the missing tag costs one more
      'ecr:ListImages': 1, // "did you mean" for the missing tag
      'ecr:GetRepositoryPolicy': REPOSITORIES,
      // no ListTagsForResource: no policy read names an aws:ResourceTag/ecr:ResourceTag key
      'ecr:GetLifecyclePolicy': REPOSITORIES,
      'ecr:BatchGetImage': 2 * REPOSITORIES + 1, // the platform of each image named, the missing one included
      'ecr:GetDownloadUrlForLayer': 2 * 2 * REPOSITORIES, // moto answers HTML 500: the quick client tries twice
      // moto 5.2 does not implement these three: an HTML 500, which the SDK tries 4 times (AWS: 1 each).
      'ecr:GetAccountSetting': 4,
      'ecr:DescribePullThroughCacheRules': 4,
      'ecr:DescribeRepositoryCreationTemplates': 4,
      'ecr:GetRegistryPolicy': 1,
      'iam:GetAccountAuthorizationDetails': 1, // 4 roles and the customer managed policy
      'iam:GetPolicy': 1, // the AWS managed policy, once for all roles
      'iam:GetPolicyVersion': 1,
    });
  }, 90_000);

  it('AccessDenied on iam:GetAccountAuthorizationDetails: the same verdicts from the per-role reads, and --verbose says so', async () => {
    const denying = await startFaultProxy(endpoint, (call) => (call === 'iam:GetAccountAuthorizationDetails' ? 'deny' : 'pass'));
    try {
      const r = await runCli(['doctor', '--all-projects', '--format', 'json', '--verbose'], { env: { ...env, AWS_ENDPOINT_URL: denying.endpoint }, timeoutMs: 60_000 });
      expect(r.stderr).toMatch(/^ecr-doctor: AccessDenied on iam:GetAccountAuthorizationDetails: reading the 4 roles one by one instead/m);
      expect(parseReport(r.stdout).results).toEqual(bulkResults);
      expect(bulkResults.length).toBeGreaterThan(PROJECTS);
      expect(denying.calls.filter((c) => c === 'iam:GetRole')).toHaveLength(ROLES);
      expect(denying.calls.filter((c) => c === 'iam:GetAccountAuthorizationDetails')).toHaveLength(1);
    } finally {
      await denying.close();
    }
  }, 90_000);
});
