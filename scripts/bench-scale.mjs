// `npm run bench -- --scale` (or `node scripts/bench-scale.mjs [--projects N]`): organization
// scale (issue 15), on moto through a counting proxy, spawning the built CLI as a user would:
//   accounts   - three accounts × two regions in one run (--accounts ... --assume-role ...;
//                moto's sts:AssumeRole answers credentials acting in the role's account)
//   throttled  - the same run with 10% of requests throttled at random (ThrottlingException /
//                Throttling, as AWS answers), against the same run without
//   large      - one account with 10,000 projects over 20 repositories and 10 roles:
//                --all-projects --format jsonl, wall time and peak memory (VmHWM of the process)
// Set-up (creating the projects in moto) is not timed. Build first: npm run build.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANSWER_DELAY_MS, answerBlob, answerUnimplemented } from './aws-answers.mjs';
import { startMoto } from './moto-server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let BIN = join(ROOT, 'bin', 'ecr-doctor.js');
const MGMT = '567890123456';
const MEMBERS = ['567890123457', '567890123458', '567890123459'];
const REGIONS = ['us-east-1', 'eu-west-1'];
const PER_SCOPE = { projects: 20, repositories: 2 };
const LARGE_ACCOUNT = '567890123460';
const LARGE = { projects: 10_000, repositories: 20, roles: 10, budgetMiB: 250 };
const ROLE = 'ecr-doctor-read';
const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];

// BENCH_NODE_ARGS reach the CLI's node only (say --cpu-prof --cpu-prof-dir=/tmp/prof to profile it).
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const log = (line) => process.stderr.write(`${line}\n`);

/** A deterministic "random" so every run meets the same throttles. */
function lcg(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** Forwards to moto byte for byte, counting operations; throttles a share of requests when asked. */
function startProxy(upstream) {
  const target = new URL(upstream);
  const state = { counts: new Map(), total: 0, throttled: 0, throttleShare: 0, rand: lcg(7) };
  let base = '';
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const amzTarget = req.headers['x-amz-target'];
      const op = typeof amzTarget === 'string' ? amzTarget.split('.').pop() : (/(?:^|&)Action=([^&]+)/.exec(body.toString('utf8'))?.[1] ?? `${req.method} ${req.url}`);
      const blob = answerBlob(req.method, req.url);
      const counted = blob ? 'GetObject (image config)' : op;
      state.total += 1;
      state.counts.set(counted, (state.counts.get(counted) ?? 0) + 1);
      if (state.throttleShare > 0 && state.rand() < state.throttleShare) {
        state.throttled += 1;
        if (typeof amzTarget === 'string') {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException' });
          res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
        } else {
          res.writeHead(400, { 'content-type': 'text/xml' });
          res.end('<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>');
        }
        return;
      }
      // What moto lacks is answered as AWS documents it (aws-answers.mjs).
      const canned = blob ?? (typeof amzTarget === 'string' && amzTarget.startsWith('AmazonEC2ContainerRegistry') ? answerUnimplemented(op, body, base) : undefined);
      if (canned) {
        setTimeout(() => res.writeHead(canned.status, canned.headers).end(canned.body), ANSWER_DELAY_MS);
        return;
      }
      const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        endpoint: (base = `http://127.0.0.1:${server.address().port}`),
        state,
        take() {
          const out = { total: state.total, throttled: state.throttled, byOperation: Object.fromEntries([...state.counts].sort()) };
          state.counts = new Map();
          state.total = 0;
          state.throttled = 0;
          return out;
        },
        stop: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

/** Runs the CLI; wall time, exit code, and the process's peak resident memory (Linux VmHWM, polled). */
function runCli(args, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...NODE_ARGS, BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let peakKiB = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
      } catch {
        // gone, or not Linux
      }
    }, 25);
    let stdoutBytes = 0;
    let lines = 0;
    const err = [];
    child.stdout.on('data', (c) => {
      stdoutBytes += c.length;
      for (const b of c) if (b === 10) lines += 1;
    });
    child.stderr.on('data', (c) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ ms: performance.now() - t0, code, peakMiB: peakKiB ? Math.round(peakKiB / 1024) : undefined, stdoutBytes, lines, stderr: Buffer.concat(err).toString() });
    });
  });
}

async function loadSdk() {
  const [ecr, iam, codebuild] = await Promise.all([import('@aws-sdk/client-ecr'), import('@aws-sdk/client-iam'), import('@aws-sdk/client-codebuild')]);
  return { ecr, iam, codebuild };
}

function clientsIn(sdk, endpoint, account, region) {
  const config = { region, endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 };
  const c = { ecr: new sdk.ecr.ECRClient(config), iam: new sdk.iam.IAMClient(config), codebuild: new sdk.codebuild.CodeBuildClient(config) };
  for (const client of Object.values(c)) {
    client.middlewareStack.add(
      (next) => (args) => {
        args.request.headers['x-moto-account-id'] = account;
        return next(args);
      },
      { step: 'build', name: 'motoAccount' },
    );
  }
  return c;
}

async function inWaves(n, size, task) {
  for (let i = 0; i < n; i += size) await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, k) => task(i + k)));
}

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

async function createRole(sdk, c, name) {
  const role = await c.iam.send(new sdk.iam.CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }));
  await c.iam.send(new sdk.iam.PutRolePolicyCommand({ RoleName: name, PolicyName: 'ecr-pull', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [...PULL, 'ecr:GetAuthorizationToken'], Resource: '*' }] }) }));
  return role.Role.Arn;
}

/** A repository with one image; every other one has a policy for the roles (half the projects pass). */
async function createRepository(sdk, c, name, roles, withPolicy) {
  const out = await c.ecr.send(new sdk.ecr.CreateRepositoryCommand({ repositoryName: name }));
  if (withPolicy) {
    await c.ecr.send(new sdk.ecr.SetRepositoryPolicyCommand({ repositoryName: name, policyText: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Pull', Effect: 'Allow', Principal: { AWS: roles }, Action: PULL }] }) }));
  }
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 100, digest: `sha256:${'a'.repeat(64)}` }, layers: [] });
  await c.ecr.send(new sdk.ecr.PutImageCommand({ repositoryName: name, imageTag: 'v1', imageManifest: manifest }));
  return out.repository.repositoryUri;
}

function createProject(sdk, c, name, image, role, mode) {
  return c.codebuild.send(
    new sdk.codebuild.CreateProjectCommand({
      name,
      source: { type: 'S3', location: 'bench/source.zip' },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: { type: 'LINUX_CONTAINER', image, computeType: 'BUILD_GENERAL1_SMALL', imagePullCredentialsType: mode },
      serviceRole: role,
    }),
  );
}

/** PER_SCOPE projects in each member account × region: half CODEBUILD mode without a grant (fail), half SERVICE_ROLE with one. */
async function setUpAccounts(sdk, endpoint) {
  for (const account of MEMBERS) {
    for (const region of REGIONS) {
      const c = clientsIn(sdk, endpoint, account, region);
      const role = await createRole(sdk, c, `build-${region}`);
      const repos = await Promise.all(Array.from({ length: PER_SCOPE.repositories }, (_, i) => createRepository(sdk, c, `app-${i}`, [role], i % 2 === 1)));
      await inWaves(PER_SCOPE.projects, 20, (j) => createProject(sdk, c, `svc-${j}`, `${repos[j % repos.length]}:v1`, role, j % 2 === 0 ? 'CODEBUILD' : 'SERVICE_ROLE'));
    }
  }
}

async function setUpLarge(sdk, endpoint) {
  const c = clientsIn(sdk, endpoint, LARGE_ACCOUNT, REGIONS[0]);
  const roles = await Promise.all(Array.from({ length: LARGE.roles }, (_, i) => createRole(sdk, c, `large-role-${i}`)));
  const repos = await Promise.all(Array.from({ length: LARGE.repositories }, (_, i) => createRepository(sdk, c, `large-${i}`, roles, i % 2 === 1)));
  await inWaves(LARGE.projects, 100, (j) => createProject(sdk, c, `large-${String(j).padStart(5, '0')}`, `${repos[j % repos.length]}:v1`, roles[Math.floor(j / LARGE.repositories) % LARGE.roles], j % 2 === 0 ? 'CODEBUILD' : 'SERVICE_ROLE'));
}

async function createAccessKey(sdk, endpoint, account) {
  const c = clientsIn(sdk, endpoint, account, REGIONS[0]);
  await c.iam.send(new sdk.iam.CreateUserCommand({ UserName: 'bench' }));
  const key = (await c.iam.send(new sdk.iam.CreateAccessKeyCommand({ UserName: 'bench' }))).AccessKey;
  return { AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const fmtS = (ms) => `${(ms / 1000).toFixed(2)} s`;

export async function benchScale({ runs = 3, largeProjects = LARGE.projects, only } = {}) {
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run npm run build first');
  LARGE.projects = largeProjects;
  // Run a copy of the build: a rebuild in the working tree while the bench runs would break runs at random.
  const copy = mkdtempSync(join(tmpdir(), 'ecr-doctor-bench-scale-'));
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, part), join(copy, part), { recursive: true });
  BIN = join(copy, 'bin', 'ecr-doctor.js');
  const started = [];
  const moto = await startMoto({ onSpawn: (child) => started.push(child) });
  const proxy = await startProxy(moto.endpoint);
  try {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const sdk = await loadSdk();
    const t0 = performance.now();
    if (only !== 'large') {
      log(`bench-scale: creating ${MEMBERS.length} accounts × ${REGIONS.length} regions × ${PER_SCOPE.projects} projects...`);
      await setUpAccounts(sdk, moto.endpoint);
    }
    log(`bench-scale: creating ${LARGE.projects} projects in one account...`);
    await setUpLarge(sdk, moto.endpoint);
    const setupS = (performance.now() - t0) / 1000;
    const base = { ...process.env, NO_COLOR: '1' };
    for (const k of Object.keys(base)) if (/^AWS_/.test(k)) delete base[k];
    const env = (keys) => ({ ...base, ...keys, AWS_REGION: REGIONS[0], AWS_ENDPOINT_URL: proxy.endpoint });
    const mgmtKeys = await createAccessKey(sdk, moto.endpoint, MGMT);
    const largeKeys = await createAccessKey(sdk, moto.endpoint, LARGE_ACCOUNT);
    const accountsArgs = ['doctor', '--accounts', MEMBERS.join(','), '--assume-role', ROLE, '--region', REGIONS.join(','), '--format', 'jsonl'];

    const measure = async (label, args, keys, n, throttle = 0) => {
      const samples = [];
      let last;
      let requests;
      for (let i = 0; i <= n; i++) {
        proxy.state.throttleShare = throttle;
        proxy.state.rand = lcg(7 + i);
        proxy.take();
        const r = await runCli(args, env(keys));
        requests = proxy.take();
        if (r.code !== 0 && r.code !== 1) throw new Error(`${label}: exit ${r.code}: ${r.stderr.trim().slice(-500)}`);
        if (i > 0) samples.push(r.ms); // the first run warms the file cache and moto
        last = { ...r, requests };
      }
      proxy.state.throttleShare = 0;
      log(`bench-scale: ${label}: ${fmtS(median(samples))}`);
      // BENCH_DEBUG=1 prints the end of the CLI's stderr; BENCH_DEBUG=FILE writes all of it there.
      if (process.env.BENCH_DEBUG === '1') log(last.stderr.slice(-800));
      else if (process.env.BENCH_DEBUG) writeFileSync(process.env.BENCH_DEBUG, last.stderr);
      return { label, medianMs: median(samples), samplesMs: samples.map(Math.round), exit: last.code, peakMiB: last.peakMiB, lines: last.lines, requests: last.requests };
    };
    if (process.argv.includes('--serve')) {
      // Keep moto up with the large account for runs by hand: print the environment to run in.
      process.stdout.write(`AWS_ENDPOINT_URL=${proxy.endpoint} AWS_REGION=${REGIONS[0]} AWS_ACCESS_KEY_ID=${largeKeys.AWS_ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY=${largeKeys.AWS_SECRET_ACCESS_KEY}\n`);
      await new Promise(() => {});
    }
    if (only === 'large') {
      const large = await measure(`${LARGE.projects} projects, --all-projects --format jsonl`, ['doctor', '--all-projects', '--format', 'jsonl'], largeKeys, 1);
      return { large: { ...large, projects: LARGE.projects, budgetMiB: LARGE.budgetMiB, memoryMet: large.peakMiB !== undefined && large.peakMiB <= LARGE.budgetMiB } };
    }
    const accounts = await measure(`${MEMBERS.length} accounts × ${REGIONS.length} regions (${MEMBERS.length * REGIONS.length * PER_SCOPE.projects} projects)`, accountsArgs, mgmtKeys, runs);
    const throttled = await measure('the same, 10% of requests throttled', accountsArgs, mgmtKeys, runs, 0.1);
    const large = await measure(`${LARGE.projects} projects, --all-projects --format jsonl`, ['doctor', '--all-projects', '--format', 'jsonl'], largeKeys, 1);
    return {
      machine: { cpus: cpus().length, node: process.version, loadavg1m: Math.round(loadavg()[0] * 100) / 100 },
      setupS: Math.round(setupS),
      accounts,
      throttled: { ...throttled, ratio: throttled.medianMs / accounts.medianMs },
      large: { ...large, projects: LARGE.projects, budgetMiB: LARGE.budgetMiB, memoryMet: large.peakMiB !== undefined && large.peakMiB <= LARGE.budgetMiB },
    };
  } finally {
    await proxy.stop();
    for (const child of started) child.kill('SIGKILL');
    rmSync(copy, { recursive: true, force: true });
  }
}

export function renderScale(r) {
  const ops = (q) => Object.entries(q.byOperation).map(([op, n]) => `${op} ${n}`).join(', ');
  if (!r.accounts) return [`${r.large.label}: ${fmtS(r.large.medianMs)}, peak memory ${r.large.peakMiB} MiB, ${r.large.lines} lines, ${r.large.requests.total} requests`, `  by operation: ${ops(r.large.requests)}`].join('\n');
  return [
    `bench-scale: ${r.machine.cpus} CPUs, node ${r.machine.node}, load ${r.machine.loadavg1m}; set-up ${r.setupS} s (not timed)`,
    `${r.accounts.label}: ${fmtS(r.accounts.medianMs)} (median of ${r.accounts.samplesMs.length}), ${r.accounts.requests.total} requests, peak ${r.accounts.peakMiB} MiB`,
    `  by operation: ${ops(r.accounts.requests)}`,
    `${r.throttled.label}: ${fmtS(r.throttled.medianMs)} = ${r.throttled.ratio.toFixed(2)}× unthrottled (${r.throttled.requests.throttled} of ${r.throttled.requests.total} requests throttled in the last run)`,
    `${r.large.label}: ${fmtS(r.large.medianMs)}, peak memory ${r.large.peakMiB} MiB (budget ≤ ${r.large.budgetMiB} MiB: ${r.large.memoryMet ? 'met' : 'missed'}), ${r.large.lines} lines, ${r.large.requests.total} requests`,
    `  by operation: ${ops(r.large.requests)}`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--projects');
  const projects = i > 0 ? Number(process.argv[i + 1]) : LARGE.projects;
  const r = await benchScale({ largeProjects: projects, only: process.argv.includes('--large-only') ? 'large' : undefined });
  process.stdout.write(process.argv.includes('--json') ? `${JSON.stringify(r, null, 2)}\n` : `${renderScale(r)}\n`);
}
