// `npm run bench`: the speed figures of DESIGN.md §5, measured as ratios within one run (the
// absolute numbers depend on the machine and its load; the ratios much less so).
//
// It builds nothing (run `npm run build` first), starts its own moto server, puts a counting
// HTTP proxy in front of it, and spawns the CLI the way a user would. Scenarios run round-robin
// (one run of each per round) so a load spike on a shared machine hits them all alike.
//
//   node scripts/bench.mjs [--runs N] [--manual-runs N] [--json]
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { ANSWER_DELAY_MS, answerBlob, answerUnimplemented } from './aws-answers.mjs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMoto } from './moto-server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SNAPSHOT = join(ROOT, 'fixtures', 'snapshots', 'seed-codebuild-mode.json');
const REGION = 'us-east-1';
const SINGLE_ACCOUNT = '210987654321';
const MANY_ACCOUNT = '345678901234';
const MANY = { projects: 50, repositories: 5, roles: 5, sharedManagedPolicies: 1 };
// Issue 15 item 7, first row: a whole account's projects sharing a few repositories and roles, with
// its budgets (issue 15 "Done when": at most 60 requests and 10 s through the counting proxy).
const BULK_ACCOUNT = '456789012345';
const BULK = { projects: 1000, repositories: 20, roles: 10, budgetRequests: 60, budgetSeconds: 10 };
// What marks a dist file as AWS SDK code (the bundle keeps these strings in its SDK chunks).
const SDK_MARKERS = /@aws-sdk\/|@smithy\/|aws-sdk-js|x-amz-date|AWS_SDK_JS/i;

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const opts = { runs: 10, manualRuns: undefined, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) fail(`${a} wants a whole number >= 1`);
      return n;
    };
    if (a === '--runs') opts.runs = num();
    else if (a === '--manual-runs') opts.manualRuns = num();
    else if (a === '--json') opts.json = true;
    else if (a === '--retries') opts.retries = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node scripts/bench.mjs [--runs N (default 10)] [--manual-runs N (default min(runs, 3): ~12 s each)] [--json]\n');
      process.exit(0);
    } else fail(`unknown argument ${a} (try --help)`);
  }
  opts.manualRuns ??= Math.min(opts.runs, 3);
  return opts;
}

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

const log = (line) => process.stderr.write(`${line}\n`);

// ---------------------------------------------------------------- processes

const started = new Set();
const tempDirs = new Set();

/** Stops moto and removes the temporary copy: on success, on error and on Ctrl-C alike. */
function killAll() {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  started.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Spawns and waits; resolves with wall time (ms), exit code and output. */
function timed(command, args, env, { cwd = ROOT, stdinFile } = {}) {
  return new Promise((resolve, reject) => {
    const stdin = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
    const t0 = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: [stdin, 'pipe', 'pipe'] });
    if (typeof stdin === 'number') closeSync(stdin);
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const t1 = performance.now();
      resolve({ ms: t1 - t0, t0, t1, code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}

// ---------------------------------------------------------------- counting proxy

function header(headers, name) {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The operation: X-Amz-Target's suffix (JSON protocols) or Action= (query protocols: IAM, STS). */
function operationOf(method, url, headers, body) {
  const target = header(headers, 'x-amz-target');
  if (target) return target.slice(target.indexOf('.') + 1);
  const action = /(?:^|&)Action=([^&]+)/.exec(body.toString('utf8'));
  return action ? decodeURIComponent(action[1]) : `${method} ${url}`;
}

/**
 * Forwards everything to moto byte for byte (so SigV4 signatures stay valid) and records each
 * request's operation, body hash and start/end times, for request counts and round trips.
 */
function startCountingProxy(upstream) {
  const target = new URL(upstream);
  const requests = [];
  const server = createServer((req, res) => {
    const start = performance.now();
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const service = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(header(req.headers, 'authorization') ?? '')?.[1] ?? '?';
      const record = {
        service,
        operation: operationOf(req.method, req.url, req.headers, body),
        // Dates and signatures differ between two identical calls; the body does not.
        bodyHash: createHash('sha256').update(body).digest('hex').slice(0, 16),
        start,
        end: start,
        status: 0,
      };
      // What moto lacks is answered as AWS documents it (aws-answers.mjs); the config blob's
      // download is S3's GetObject on AWS.
      const blob = answerBlob(req.method, req.url);
      if (blob) Object.assign(record, { service: 's3', operation: 'GetObject (image config)' });
      requests.push(record);
      const canned = blob ?? (record.service === 'ecr' ? answerUnimplemented(record.operation, body, base) : undefined);
      if (canned) {
        setTimeout(() => {
          record.status = canned.status;
          res.writeHead(canned.status, canned.headers).end(canned.body);
          record.end = performance.now();
        }, ANSWER_DELAY_MS);
        return;
      }
      const up = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (upRes) => {
          record.status = upRes.statusCode ?? 0;
          res.writeHead(record.status, upRes.headers);
          upRes.pipe(res);
          res.on('finish', () => {
            record.end = performance.now();
          });
        },
      );
      up.on('error', (e) => {
        record.end = performance.now();
        res.writeHead(502).end(String(e));
      });
      up.end(body);
    });
  });
  let base = '';
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      base = `http://127.0.0.1:${server.address().port}`;
      resolve({
        endpoint: base,
        requests,
        take() {
          return requests.splice(0, requests.length);
        },
        stop: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

/**
 * Sequential round trips, two ways. Strict waves (the budget's measure): a request belongs to
 * 1 + the latest wave among the requests that had already ended when it started. When answers
 * arrive at different times, that also counts independent chains stacked behind each other, so
 * `chain` estimates the dependency depth: a request is taken to be triggered by the response that
 * arrived last before it started.
 */
function assignWaves(requests) {
  const sorted = [...requests].sort((a, b) => a.start - b.start);
  for (const r of sorted) {
    let wave = 1;
    let trigger;
    for (const q of sorted) {
      if (q === r || q.end > r.start) continue;
      wave = Math.max(wave, q.wave + 1);
      if (!trigger || q.end > trigger.end) trigger = q;
    }
    r.wave = wave;
    r.chain = trigger ? trigger.chain + 1 : 1;
  }
  return sorted;
}

function analyseRequests(requests) {
  const sorted = assignWaves(requests);
  const waves = [];
  for (const r of sorted) (waves[r.wave - 1] ??= []).push(r.operation);
  const seen = new Map();
  for (const r of sorted) {
    const key = `${r.service} ${r.operation} ${r.bodyHash}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k.split(' ').slice(0, 2).join(' ')} ×${n}`);
  const byOperation = {};
  for (const r of sorted) byOperation[r.operation] = (byOperation[r.operation] ?? 0) + 1;
  // The same request answered 5xx and sent again: the SDK retrying what moto does not implement
  // (an HTML 500), which AWS answers once.
  const failedOnce = new Set();
  let serverErrorRetries = 0;
  for (const r of sorted) {
    const key = `${r.service} ${r.operation} ${r.bodyHash}`;
    if (failedOnce.has(key)) serverErrorRetries += 1;
    if (r.status >= 500) failedOnce.add(key);
  }
  return {
    count: requests.length,
    waves: waves.length,
    chain: Math.max(0, ...sorted.map((r) => r.chain)),
    waveOperations: waves.map(summariseOps),
    byOperation,
    serverErrorRetries,
    duplicates,
    errors: sorted.filter((r) => r.status >= 400).map((r) => `${r.operation} ${r.status}`),
  };
}

function summariseOps(ops) {
  const counts = new Map();
  for (const op of ops) counts.set(op, (counts.get(op) ?? 0) + 1);
  return [...counts].map(([op, n]) => (n > 1 ? `${op}×${n}` : op)).join(', ');
}

// ---------------------------------------------------------------- moto fixtures (SDK v3)

async function loadSdk() {
  const [ecr, iam, codebuild] = await Promise.all([
    import('@aws-sdk/client-ecr'),
    import('@aws-sdk/client-iam'),
    import('@aws-sdk/client-codebuild'),
  ]);
  return { ecr, iam, codebuild };
}

/** SDK clients acting in `account`: moto picks the account from x-moto-account-id. */
function clientsFor(sdk, endpoint, account) {
  const config = { region: REGION, endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 };
  const clients = { ecr: new sdk.ecr.ECRClient(config), iam: new sdk.iam.IAMClient(config), codebuild: new sdk.codebuild.CodeBuildClient(config) };
  for (const c of Object.values(clients)) {
    c.middlewareStack.add(
      (next) => (args) => {
        args.request.headers['x-moto-account-id'] = account;
        return next(args);
      },
      { step: 'build', name: 'motoAccount' },
    );
  }
  return clients;
}

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];

function pullPolicy(repositoryArns) {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Effect: 'Allow', Action: PULL_ACTIONS, Resource: repositoryArns },
      { Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' },
    ],
  });
}

function manifest(seed) {
  const digest = (s) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1000, digest: digest(`config ${seed}`) },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 2000, digest: digest(`layer ${seed}`) }],
  });
}

async function createRepository(sdk, c, account, name, principalArns) {
  const arn = `arn:aws:ecr:${REGION}:${account}:repository/${name}`;
  await c.ecr.send(new sdk.ecr.CreateRepositoryCommand({ repositoryName: name }));
  await c.ecr.send(
    new sdk.ecr.SetRepositoryPolicyCommand({
      repositoryName: name,
      policyText: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'BuildRolesPull', Effect: 'Allow', Principal: { AWS: principalArns }, Action: PULL_ACTIONS }] }),
    }),
  );
  await c.ecr.send(
    new sdk.ecr.PutImageCommand({ repositoryName: name, imageTag: 'v1', imageManifest: manifest(name), imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json' }),
  );
  return { arn, uri: `${account}.dkr.ecr.${REGION}.amazonaws.com/${name}:v1` };
}

/**
 * A role with an inline pull policy; with `managed`, the same policy attached as a customer
 * managed policy instead (as the CodeBuild console does); `attach` adds existing policies.
 */
async function createRole(sdk, c, account, name, repositoryArns, { managed = false, attach = [] } = {}) {
  await c.iam.send(new sdk.iam.CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }));
  if (managed) {
    const out = await c.iam.send(new sdk.iam.CreatePolicyCommand({ PolicyName: `${name}-base`, PolicyDocument: pullPolicy(repositoryArns) }));
    attach = [...attach, out.Policy.Arn];
  } else {
    await c.iam.send(new sdk.iam.PutRolePolicyCommand({ RoleName: name, PolicyName: 'ecr-pull', PolicyDocument: pullPolicy(repositoryArns) }));
  }
  for (const PolicyArn of attach) await c.iam.send(new sdk.iam.AttachRolePolicyCommand({ RoleName: name, PolicyArn }));
  return `arn:aws:iam::${account}:role/${name}`;
}

async function createProject(sdk, c, name, image, serviceRole, commands = ['echo hello']) {
  await c.codebuild.send(
    new sdk.codebuild.CreateProjectCommand({
      name,
      source: { type: 'NO_SOURCE', location: 'none', buildspec: `version: 0.2\nphases:\n  build:\n    commands:\n${commands.map((x) => `      - ${JSON.stringify(x)}\n`).join('')}` },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: { type: 'LINUX_CONTAINER', computeType: 'BUILD_GENERAL1_SMALL', image, imagePullCredentialsType: 'SERVICE_ROLE' },
      serviceRole,
    }),
  );
}

/** The spawned CLI cannot send x-moto-account-id; moto maps an access key it created to its account. */
async function createAccessKey(sdk, c) {
  await c.iam.send(new sdk.iam.CreateUserCommand({ UserName: 'bench' }));
  const key = (await c.iam.send(new sdk.iam.CreateAccessKeyCommand({ UserName: 'bench' }))).AccessKey;
  return { AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey };
}

async function setUpSingle(sdk, endpoint) {
  const c = clientsFor(sdk, endpoint, SINGLE_ACCOUNT);
  const repoArn = `arn:aws:ecr:${REGION}:${SINGLE_ACCOUNT}:repository/bench-app`;
  const role = await createRole(sdk, c, SINGLE_ACCOUNT, 'bench-build-role', [repoArn]);
  const managedRole = await createRole(sdk, c, SINGLE_ACCOUNT, 'bench-console-role', [repoArn], { managed: true });
  const repo = await createRepository(sdk, c, SINGLE_ACCOUNT, 'bench-app', [role, managedRole]);
  await createProject(sdk, c, 'bench-app-build', repo.uri, role);
  await createProject(sdk, c, 'bench-console-build', repo.uri, managedRole);
  // Pulls inside the build (issue 16): the buildspec logs in and pulls from a second repository of the same role.
  const base = await createRepository(sdk, c, SINGLE_ACCOUNT, 'bench-base', [role]);
  const host = base.uri.split('/')[0];
  await createProject(sdk, c, 'bench-in-build', repo.uri, role, [`aws ecr get-login-password --region ${REGION} | docker login --username AWS --password-stdin ${host}`, `docker pull ${base.uri}`]);
  return { keys: await createAccessKey(sdk, c), project: 'bench-app-build', managedProject: 'bench-console-build', inBuildProject: 'bench-in-build', repository: 'bench-app', role: 'bench-build-role', inlinePolicy: 'ecr-pull' };
}

async function setUpMany(sdk, endpoint) {
  const c = clientsFor(sdk, endpoint, MANY_ACCOUNT);
  const repoArns = Array.from({ length: MANY.repositories }, (_, i) => `arn:aws:ecr:${REGION}:${MANY_ACCOUNT}:repository/shared-${i}`);
  // One organisation-wide managed policy attached to every role, as teams often do.
  const shared = await c.iam.send(new sdk.iam.CreatePolicyCommand({ PolicyName: 'org-ecr-read', PolicyDocument: pullPolicy(repoArns) }));
  const attach = [shared.Policy.Arn];
  const roles = await Promise.all(Array.from({ length: MANY.roles }, (_, i) => createRole(sdk, c, MANY_ACCOUNT, `shared-role-${i}`, repoArns, { attach })));
  const repos = await Promise.all(repoArns.map((_, i) => createRepository(sdk, c, MANY_ACCOUNT, `shared-${i}`, roles)));
  for (let i = 0; i < MANY.projects; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, MANY.projects - i) }, (_, k) => {
        const j = i + k;
        // Repository and role vary independently: all 25 pairs occur, each pair twice.
        return createProject(sdk, c, `svc-${String(j).padStart(2, '0')}`, repos[j % MANY.repositories].uri, roles[Math.floor(j / MANY.repositories) % MANY.roles]);
      }),
    );
  }
  return { keys: await createAccessKey(sdk, c) };
}

/** In `size`-sized waves: moto is one process, and 1,000 calls at once only queue up in it. */
async function inWaves(n, size, task) {
  for (let i = 0; i < n; i += size) await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, k) => task(i + k)));
}

/**
 * 1,000 projects over 20 repositories and 10 roles (each role with an inline policy and the
 * organisation's managed policy), created concurrently; not timed.
 */
async function setUpBulk(sdk, endpoint) {
  const c = clientsFor(sdk, endpoint, BULK_ACCOUNT);
  const repoArns = Array.from({ length: BULK.repositories }, (_, i) => `arn:aws:ecr:${REGION}:${BULK_ACCOUNT}:repository/bulk-${i}`);
  const shared = await c.iam.send(new sdk.iam.CreatePolicyCommand({ PolicyName: 'org-ecr-read', PolicyDocument: pullPolicy(repoArns) }));
  const roles = await Promise.all(Array.from({ length: BULK.roles }, (_, i) => createRole(sdk, c, BULK_ACCOUNT, `bulk-role-${i}`, repoArns, { attach: [shared.Policy.Arn] })));
  const repos = await Promise.all(repoArns.map((_, i) => createRepository(sdk, c, BULK_ACCOUNT, `bulk-${i}`, roles)));
  await inWaves(BULK.projects, 50, (j) => createProject(sdk, c, `bulk-${String(j).padStart(4, '0')}`, repos[j % BULK.repositories].uri, roles[Math.floor(j / BULK.repositories) % BULK.roles]));
  return { keys: await createAccessKey(sdk, c) };
}

// ---------------------------------------------------------------- SDK-load check

/** A preload that registers a load hook writing every module URL to a file: what did the process import? */
function writeTracer(dir) {
  const hooks = [
    "import { appendFileSync } from 'node:fs';",
    'let file;',
    'export function initialize(data) { file = data.file; }',
    "export async function load(url, context, next) { appendFileSync(file, url + '\\n'); return next(url, context); }",
  ].join('\n');
  const preload = join(dir, 'trace-imports.mjs');
  writeFileSync(
    preload,
    `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)}, { data: { file: process.env.BENCH_TRACE_FILE } });\n`,
  );
  return preload;
}

async function traceImports(bin, preload, dir, args, env) {
  const file = join(dir, `trace-${randomBytes(4).toString('hex')}.txt`);
  writeFileSync(file, '');
  const run = await timed(process.execPath, ['--import', preload, bin, ...args], { ...env, BENCH_TRACE_FILE: file });
  if (run.code !== 0 && run.code !== 1) throw new Error(`traced run ${args.join(' ')} exited ${run.code}: ${run.stderr.trim()}`);
  const distFiles = readFileSync(file, 'utf8')
    .split('\n')
    .filter((u) => u.startsWith('file:') && u.includes('/dist/'))
    .map((u) => fileURLToPath(u));
  const sdkFiles = distFiles.filter((f) => SDK_MARKERS.test(readFileSync(f, 'utf8')));
  const bytes = distFiles.reduce((n, f) => n + statSync(f).size, 0);
  return { distFiles: distFiles.length, distKiB: Math.round(bytes / 1024), sdkFiles: sdkFiles.length };
}

// ---------------------------------------------------------------- statistics and output

function quantile(samples, q) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const fmtX = (x) => `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×`;

function renderTable(rows) {
  const head = ['scenario', 'runs', 'median', 'p90', '× floor', 'requests', 'waves med/max', 'chain≈ med/max'];
  const body = rows.map((r) => [
    r.label,
    String(r.runs),
    fmtMs(r.medianMs),
    fmtMs(r.p90Ms),
    fmtX(r.ratioToFloor),
    r.requests ? String(r.requests.count) : '-',
    r.requests ? `${r.requests.wavesMedian}/${r.requests.waves}` : '-',
    r.requests ? `${r.requests.chainMedian}/${r.requests.chain}` : '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

// ---------------------------------------------------------------- explain inputs

const MiB = 1024 * 1024;

/**
 * Issue 12's inputs: one 1 MB line of the assumed-role prefix that made the old whole-text regexes
 * backtrack quadratically (30 s and more), and a 50 MB build log whose only error sits at its end
 * (docker build output, npm noise, a FROM, then "no basic auth credentials").
 */
function writeExplainInputs(dir) {
  const line = join(dir, 'explain-1mb-line.txt');
  writeFileSync(line, 'arn:aws:sts::1:assumed-role/r/'.repeat(Math.ceil(MiB / 31)));
  const block = [
    '[Container] 2024/05/01 10:00:00.000 Running command npm ci',
    'npm WARN deprecated inflight@1.0.6: This module is not supported, and leaks memory.',
    'added 1234 packages, and audited 1235 packages in 21s',
    'Step 3/9 : RUN npm run build',
    ' ---> Running in 4f1d2c3b5a69',
    '#12 [build 4/7] COPY package*.json ./',
    'a3ed95caeb02: Pulling fs layer',
    'Downloading from central: https://repo.maven.apache.org/maven2/org/example/lib/1.0/lib-1.0.pom',
  ].join('\n');
  const tail = [
    'Step 1/9 : FROM 123456789012.dkr.ecr.eu-west-1.amazonaws.com/base:2',
    'Get "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/v2/base/manifests/2": no basic auth credentials',
    '[Container] 2024/05/01 10:09:59.000 Phase complete: BUILD State: FAILED',
  ].join('\n');
  const log = join(dir, 'explain-50mb-log.txt');
  writeFileSync(log, `${`${block}\n`.repeat(Math.ceil((50 * MiB) / (block.length + 1)))}${tail}\n`);
  return { line, log };
}

/** An explain run must give the cause the input was made for. */
function checkExplain(stdout, cause) {
  let c;
  try {
    c = JSON.parse(stdout);
  } catch {
    throw new Error(`explain printed no JSON: ${stdout.slice(0, 300)}`);
  }
  if (c.cause !== cause) throw new Error(`explain said ${c.cause}, expected ${cause}`);
  return { cause: c.cause, truncated: c.truncated ?? null };
}

// ---------------------------------------------------------------- main

async function main() {
  const benchStart = performance.now();
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) fail('dist/cli.js is missing: run npm run build first');
  const newestSrc = newestMtime(join(ROOT, 'src'));
  if (newestSrc > statSync(join(ROOT, 'dist', 'cli.js')).mtimeMs) log('bench: warning: src/ is newer than dist/cli.js; run npm run build for current figures');
  const aws = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  const awsVersion = aws.status === 0 ? `${aws.stdout}${aws.stderr}`.trim().split(' ')[0] : undefined;
  if (!awsVersion) log('bench: the aws CLI is not on PATH; the manual-alternative scenario is skipped');

  const dir = mkdtempSync(join(tmpdir(), 'ecr-doctor-bench-'));
  tempDirs.add(dir);
  let proxy;
  try {
    // Run a copy of the build (the bundle is self-contained): a rebuild in the working tree
    // while the bench runs (rm -rf dist, then write) would otherwise fail runs at random.
    const copy = join(dir, 'pkg');
    for (const part of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, part), join(copy, part), { recursive: true });
    const bin = join(copy, 'bin', 'ecr-doctor.js');
    log('bench: starting moto server...');
    const moto = await startMoto({ onSpawn: (child) => started.add(child) });
    proxy = await startCountingProxy(moto.endpoint);
    log(`bench: moto at ${moto.endpoint}, counting proxy at ${proxy.endpoint}; creating fixtures...`);
    // The bench's own fixture clients; the CLI sets this itself (DESIGN.md §6).
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const sdk = await loadSdk();
    const single = await setUpSingle(sdk, moto.endpoint);
    const many = await setUpMany(sdk, moto.endpoint);
    log(`bench: creating ${BULK.projects} projects / ${BULK.repositories} repositories / ${BULK.roles} roles...`);
    const bulk = await setUpBulk(sdk, moto.endpoint);
    const setupS = (performance.now() - benchStart) / 1000;

    const explainInputs = writeExplainInputs(dir);
    const baseEnv = { ...process.env, NO_COLOR: '1' };
    for (const k of Object.keys(baseEnv)) if (/^AWS_/.test(k)) delete baseEnv[k];
    const liveEnv = (keys) => ({ ...baseEnv, ...keys, AWS_REGION: REGION, AWS_ENDPOINT_URL: proxy.endpoint });
    const cli = (args, env = baseEnv) => () => timed(process.execPath, [bin, ...args], env);
    const doctorJson = ['doctor', '--format', 'json'];
    const awsArgs = (...a) => [...a, '--endpoint-url', proxy.endpoint, '--region', REGION, '--output', 'json'];
    const manualCalls = [
      awsArgs('sts', 'get-caller-identity'),
      awsArgs('codebuild', 'batch-get-projects', '--names', single.project),
      awsArgs('ecr', 'describe-repositories', '--repository-names', single.repository),
      awsArgs('ecr', 'get-repository-policy', '--repository-name', single.repository),
      awsArgs('ecr', 'describe-images', '--repository-name', single.repository, '--image-ids', 'imageTag=v1'),
      awsArgs('iam', 'get-role', '--role-name', single.role),
      awsArgs('iam', 'list-role-policies', '--role-name', single.role),
      awsArgs('iam', 'get-role-policy', '--role-name', single.role, '--policy-name', single.inlinePolicy),
      awsArgs('iam', 'list-attached-role-policies', '--role-name', single.role),
    ];
    const manualEnv = { ...baseEnv, ...single.keys, AWS_DEFAULT_REGION: REGION };
    const scenarios = [
      { id: 'floor', label: 'node -e 0 (floor)', run: () => timed(process.execPath, ['-e', '0'], baseEnv) },
      { id: 'version', label: 'ecr-doctor --version', run: cli(['--version']) },
      { id: 'help', label: 'ecr-doctor --help', run: cli(['--help']) },
      { id: 'snapshot', label: 'doctor --snapshot (seed)', run: cli(['doctor', '--snapshot', SNAPSHOT]) },
      { id: 'live', label: 'doctor --project (live, moto)', live: true, json: true, run: cli([...doctorJson, '--project', single.project], liveEnv(single.keys)) },
      {
        id: 'live-managed',
        label: 'doctor, role w/ managed policy',
        live: true,
        json: true,
        run: cli([...doctorJson, '--project', single.managedProject], liveEnv(single.keys)),
      },
      { id: 'live-in-build', label: 'doctor, buildspec pulls a 2nd repo', live: true, json: true, run: cli([...doctorJson, '--project', single.inBuildProject], liveEnv(single.keys)) },
      { id: 'all-projects', label: `doctor --all-projects (${MANY.projects})`, live: true, json: true, run: cli([...doctorJson, '--all-projects'], liveEnv(many.keys)) },
      // A few runs only: each reads 1,000 projects.
      { id: 'bulk', label: `--all-projects (${BULK.projects}/${BULK.repositories}/${BULK.roles})`, live: true, json: true, runs: Math.min(opts.runs, 3), run: cli([...doctorJson, '--all-projects'], liveEnv(bulk.keys)) },
      {
        id: 'explain-line',
        label: 'explain: 1 MB pathological line',
        explain: 'unknown',
        run: () => timed(process.execPath, [bin, 'explain', '--format', 'json'], baseEnv, { stdinFile: explainInputs.line }),
      },
      {
        id: 'explain-log',
        label: 'explain: 50 MB build log',
        explain: 'registry-login-missing',
        run: () => timed(process.execPath, [bin, 'explain', '--format', 'json'], baseEnv, { stdinFile: explainInputs.log }),
      },
      // Before deploy, no AWS: a plan's JSON, .tf files through the HCL parser's WASM, a CDK cloud assembly.
      { id: 'iac-plan', label: 'doctor --terraform-plan (seed)', run: cli(['doctor', '--terraform-plan', join(ROOT, 'fixtures', 'terraform', 'seed-no-policy', 'plan.json')]) },
      { id: 'iac-dir', label: 'doctor --terraform DIR (seed)', run: cli(['doctor', '--terraform', join(ROOT, 'fixtures', 'terraform', 'seed-no-policy')]) },
      { id: 'iac-cdk', label: 'doctor --cloudformation cdk.out', run: cli(['doctor', '--cloudformation', join(ROOT, 'fixtures', 'cdk', 'seed-granted.out')]) },
    ];
    if (awsVersion) {
      scenarios.push({
        id: 'manual',
        label: `manual: ${manualCalls.length} aws CLI calls`,
        live: true,
        runs: opts.manualRuns,
        run: async () => {
          let ms = 0;
          for (const args of manualCalls) {
            const r = await timed('aws', args, manualEnv);
            if (r.code !== 0) return { ...r, ms, failed: `aws ${args.slice(0, 2).join(' ')}` };
            ms += r.ms;
          }
          return { ms, code: 0, stdout: '', stderr: '' };
        },
      });
    }
    for (const s of scenarios) {
      s.runs ??= opts.runs;
      s.samples = [];
      s.requestRuns = [];
      s.phaseRuns = [];
    }

    // One warm-up per scenario (file cache, moto's first-call imports). Every later run must
    // end like it: same exit code, a clean JSON report for live runs, the same request count.
    log('bench: warm-up...');
    for (const s of scenarios) {
      const r = await s.run();
      const requests = proxy.take();
      if (r.failed || (r.code !== 0 && r.code !== 1)) throw new Error(`${s.label}: ${r.failed ?? `exit ${r.code}`}: ${r.stderr.trim().slice(-600)}`);
      s.expectedCode = r.code;
      if (s.json) s.check = checkReport(r.stdout);
      if (s.explain) s.explainCheck = checkExplain(r.stdout, s.explain);
      if (s.live) s.expectedRequests = requests.length;
    }

    const rounds = Math.max(...scenarios.map((s) => s.runs));
    for (let round = 0; round < rounds; round++) {
      log(`bench: round ${round + 1}/${rounds}`);
      for (const s of scenarios) {
        if (round >= s.runs) continue;
        proxy.take();
        const r = await s.run();
        const requests = proxy.take();
        const wrong = r.failed ?? (r.code !== s.expectedCode ? `exit ${r.code}, the warm-up exited ${s.expectedCode}` : undefined);
        if (wrong) throw new Error(`${s.label}, round ${round + 1}: ${wrong}: ${r.stderr.trim().slice(-600)}`);
        if (s.json) checkReport(r.stdout);
        if (s.explain) checkExplain(r.stdout, s.explain);
        if (s.live && requests.length !== s.expectedRequests) log(`bench: warning: ${s.label}, round ${round + 1}: ${requests.length} requests, the warm-up made ${s.expectedRequests}`);
        s.samples.push(r.ms);
        if (!s.live) continue;
        s.requestRuns.push(analyseRequests(requests));
        if (s.json) s.phaseRuns.push(phasesOf(r, requests));
      }
    }

    log('bench: tracing imports...');
    const preload = writeTracer(dir);
    const imports = {
      version: await traceImports(bin, preload, dir, ['--version'], baseEnv),
      help: await traceImports(bin, preload, dir, ['--help'], baseEnv),
      snapshot: await traceImports(bin, preload, dir, ['doctor', '--snapshot', SNAPSHOT], baseEnv),
      live: await traceImports(bin, preload, dir, [...doctorJson, '--project', single.project], liveEnv(single.keys)),
    };
    proxy.take();

    const result = summarise(scenarios, imports, opts, awsVersion);
    result.elapsedS = { setup: Math.round(setupS * 10) / 10, total: Math.round((performance.now() - benchStart) / 100) / 10 };
    if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(renderText(result));
  } finally {
    await proxy?.stop();
    killAll();
  }
}

/** Where a live run's time goes: start-up and SDK load, the requests themselves, and the rest. */
function phasesOf(run, requests) {
  const first = Math.min(...requests.map((q) => q.start));
  const last = Math.max(...requests.map((q) => q.end));
  return { beforeFirstRequest: first - run.t0, requests: last - first, afterLastResponse: run.t1 - last };
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

/** A live run must have examined the project for real: a report with results and no errors. */
function checkReport(stdout) {
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    throw new Error(`a live doctor run printed no JSON report: ${stdout.slice(0, 300)}`);
  }
  const { summary } = report;
  if (!report.results?.length || summary.error > 0) throw new Error(`the live doctor report is not a clean run: ${JSON.stringify(summary)}`);
  return summary;
}

function summarise(scenarios, imports, opts, awsVersion) {
  const floor = quantile(scenarios.find((s) => s.id === 'floor').samples, 0.5);
  const rows = scenarios.map((s) => {
    const medianMs = quantile(s.samples, 0.5);
    const reqs = s.requestRuns;
    const requests = reqs.length
      ? {
          ...reqs[0],
          count: quantile(reqs.map((r) => r.count), 0.5),
          countRange: [Math.min(...reqs.map((r) => r.count)), Math.max(...reqs.map((r) => r.count))],
          waves: Math.max(...reqs.map((r) => r.waves)),
          wavesMedian: quantile(reqs.map((r) => r.waves), 0.5),
          wavesPerRun: reqs.map((r) => r.waves),
          chain: Math.max(...reqs.map((r) => r.chain)),
          chainMedian: quantile(reqs.map((r) => r.chain), 0.5),
          chainPerRun: reqs.map((r) => r.chain),
          // The run with the most round trips: that is the one worth explaining.
          waveOperations: reqs.reduce((a, b) => (b.waves > a.waves ? b : a)).waveOperations,
          duplicates: [...new Set(reqs.flatMap((r) => r.duplicates))],
          errors: [...new Set(reqs.flatMap((r) => r.errors))],
        }
      : undefined;
    return {
      id: s.id,
      label: s.label,
      runs: s.samples.length,
      samplesMs: s.samples.map((x) => Math.round(x * 10) / 10),
      medianMs,
      p90Ms: quantile(s.samples, 0.9),
      ratioToFloor: medianMs / floor,
      ...(requests ? { requests } : {}),
      ...(s.phaseRuns.length
        ? {
            phasesMedianMs: Object.fromEntries(
              ['beforeFirstRequest', 'requests', 'afterLastResponse'].map((k) => [k, Math.round(quantile(s.phaseRuns.map((p) => p[k]), 0.5))]),
            ),
          }
        : {}),
      ...(s.check ? { reportSummary: s.check } : {}),
      ...(s.explainCheck ? { explain: s.explainCheck } : {}),
    };
  });
  const by = Object.fromEntries(rows.map((r) => [r.id, r]));
  const ratios = {
    versionToFloor: by.version.ratioToFloor,
    helpToFloor: by.help.ratioToFloor,
    snapshotToFloor: by.snapshot.ratioToFloor,
    ...(by.manual ? { manualToLive: by.manual.medianMs / by.live.medianMs } : {}),
    allProjectsToLive: by['all-projects'].medianMs / by.live.medianMs,
    allProjectsRequestsToLive: by['all-projects'].requests.count / by.live.requests.count,
    // Classification alone: the run minus a bare start-up (--version), per MiB of input.
    explainLineMsAfterStartup: by['explain-line'].medianMs - by.version.medianMs,
    explainLogMsPerMiB: (by['explain-log'].medianMs - by.version.medianMs) / 50,
  };
  // Each thing read once: STS, ListProjects, one BatchGetProjects per 100; per repository
  // DescribeRepositories + GetRepositoryPolicy + DescribeImages (one tag); per role GetRole +
  // ListRolePolicies + GetRolePolicy (one inline) + ListAttachedRolePolicies; per managed policy
  // GetPolicy + GetPolicyVersion.
  const allProjectsIdealRequests = 2 + Math.ceil(MANY.projects / 100) + 3 * MANY.repositories + 4 * MANY.roles + 2 * MANY.sharedManagedPolicies;
  return {
    machine: { cpus: cpus().length, node: process.version, loadavg1m: Math.round(loadavg()[0] * 100) / 100, aws: awsVersion ?? null },
    runs: opts.runs,
    manualRuns: awsVersion ? opts.manualRuns : 0,
    many: { ...MANY, idealRequests: allProjectsIdealRequests },
    bulk: bulkFigures(by.bulk),
    rows,
    imports,
    ratios,
  };
}

/** The 1,000-project row against its budgets; `awsRequests` leaves out moto's retries of what it does not implement. */
function bulkFigures(row) {
  const q = row.requests;
  const awsRequests = q.count - q.serverErrorRetries;
  return {
    ...BULK,
    medianMs: row.medianMs,
    requests: q.count,
    awsRequests,
    byOperation: q.byOperation,
    requestsMet: awsRequests <= BULK.budgetRequests,
    secondsMet: row.medianMs <= BULK.budgetSeconds * 1000,
  };
}

function renderText(result) {
  const by = Object.fromEntries(result.rows.map((r) => [r.id, r]));
  const { ratios, imports } = result;
  const out = [];
  out.push(
    `ecr-doctor bench: ${result.machine.cpus} CPUs, node ${result.machine.node}, load ${result.machine.loadavg1m}; median and p90 of N runs after one warm-up; took ${result.elapsedS.total} s (set-up ${result.elapsedS.setup} s)`,
  );
  out.push('');
  out.push(renderTable(result.rows));
  out.push('');
  out.push(`--version: ${fmtX(ratios.versionToFloor)} node -e 0   (DESIGN ~1.3×; issue 15: ≤ 1.5×)`);
  out.push(`--help: ${fmtX(ratios.helpToFloor)} node -e 0   (DESIGN ~1.3×; issue 15: ≤ 1.5×)`);
  out.push(`doctor --snapshot: ${fmtX(ratios.snapshotToFloor)} node -e 0`);
  out.push(`before deploy: --terraform-plan ${fmtX(by['iac-plan'].ratioToFloor)}, --terraform DIR ${fmtX(by['iac-dir'].ratioToFloor)}, --cloudformation cdk.out ${fmtX(by['iac-cdk'].ratioToFloor)} node -e 0`);
  const sdk = (i) => `${i.distFiles} dist files (${i.distKiB} KiB), ${i.sdkFiles} with AWS SDK code`;
  out.push(`imports: --version ${sdk(imports.version)}; --help ${sdk(imports.help)}; --snapshot ${sdk(imports.snapshot)}; live ${sdk(imports.live)}`);
  if (by.manual) {
    out.push(`live doctor: ${fmtMs(by.live.medianMs)} vs manual aws CLI ${fmtMs(by.manual.medianMs)} (${result.machine.aws}) = ${fmtX(ratios.manualToLive)} faster`);
  }
  const trips = (r) => `median ${r.requests.wavesMedian}, max ${r.requests.waves}`;
  out.push(`live doctor round trips: ${trips(by.live)} over ${by.live.runs} runs (budget ≤ 3); with an attached managed policy: ${trips(by['live-managed'])}`);
  out.push(
    `--all-projects, ${result.many.projects} projects / ${result.many.repositories} repositories / ${result.many.roles} roles (+${result.many.sharedManagedPolicies} managed policy attached to all): ${fmtMs(by['all-projects'].medianMs)} (${fmtX(ratios.allProjectsToLive)} one project), ${by['all-projects'].requests.count} requests (each thing read once: ${result.many.idealRequests}) vs ${by.live.requests.count} for one project`,
  );
  const b = result.bulk;
  const met = (ok) => (ok ? 'met' : 'missed');
  out.push(
    `--all-projects, ${b.projects} projects / ${b.repositories} repositories / ${b.roles} roles: ${fmtMs(b.medianMs)} (budget ≤ ${b.budgetSeconds} s: ${met(b.secondsMet)}), ${b.requests} requests, ${b.awsRequests} without moto's retries of calls it does not implement (budget ≤ ${b.budgetRequests}: ${met(b.requestsMet)})`,
  );
  out.push(`  by operation: ${Object.entries(b.byOperation).sort(([x], [y]) => (x < y ? -1 : 1)).map(([op, n]) => `${op} ${n}`).join(', ')}`);
  out.push(
    `explain (budget 1-2 s each): 1 MB pathological line ${fmtMs(by['explain-line'].medianMs)} (p90 ${fmtMs(by['explain-line'].p90Ms)}); 50 MB log ${fmtMs(by['explain-log'].medianMs)} (p90 ${fmtMs(by['explain-log'].p90Ms)}), ${fmtMs(ratios.explainLogMsPerMiB)} per MiB after start-up; the line was cut: ${JSON.stringify(by['explain-line'].explain?.truncated)}`,
  );
  out.push('');
  out.push('Requests and sequential round trips. waves: a request that starts after another ended is in a later wave (max over runs,');
  out.push('listed from the run with the most); chain: each request counted after the response that arrived last before it started.');
  for (const r of result.rows.filter((x) => x.requests)) {
    const q = r.requests;
    const range = q.countRange[0] === q.countRange[1] ? '' : ` (range ${q.countRange[0]}–${q.countRange[1]})`;
    out.push(`  ${r.label}: ${q.count} requests${range}; waves per run: ${q.wavesPerRun.join(' ')}; chain per run: ${q.chainPerRun.join(' ')}`);
    const p = r.phasesMedianMs;
    if (p) out.push(`    time (medians): ${p.beforeFirstRequest} ms start-up until the first request, ${p.requests} ms first request to last response, ${p.afterLastResponse} ms after it`);
    q.waveOperations.forEach((ops, i) => out.push(`    ${i + 1}. ${ops}`));
    if (q.duplicates.length) out.push(`    made more than once: ${q.duplicates.join(', ')}`);
    if (q.errors.length) out.push(`    error answers: ${q.errors.join(', ')}`);
  }
  return `${out.join('\n')}\n`;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}
process.once('exit', killAll);

try {
  if (process.argv.includes('--scale')) {
    // Organization scale (scripts/bench-scale.mjs): accounts × regions, throttling, 10,000 projects.
    const { benchScale, renderScale } = await import('./bench-scale.mjs');
    process.stdout.write(`${renderScale(await benchScale())}\n`);
  } else if (process.argv.includes('--retries')) {
    // The retry section (scripts/bench-retries.mjs): throttling recovery per retry setting.
    const { benchRetries, renderRetries } = await import('./bench-retries.mjs');
    process.stdout.write(`${renderRetries(await benchRetries(log))}\n`);
  } else await main();
} catch (e) {
  killAll();
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 3;
}
