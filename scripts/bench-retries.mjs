// `npm run bench -- --retries` (or `node scripts/bench-retries.mjs`): which SDK retry settings recover fastest from throttling,
// measured through a local throttling server (loopback; it answers ECR DescribeRepositories
// itself after a fixed service time, and throttles as AWS does: HTTP 400 ThrottlingException).
// Two workloads, as issue 12 saw them:
//   many   - 600 calls, 10 in flight (a many-project run's reads), 10% of calls throttled at random;
//            the figure is the run time relative to the same run with no throttling;
//   burst  - one project's 8 operations in sequence, the first 3 calls of each throttled.
// The ratios matter, not the milliseconds (they depend on the machine).
import { createServer } from 'node:http';

const SERVICE_MS = 15;
const CALLS = 600;
const IN_FLIGHT = 10;
const CONFIGS = [
  { label: 'adaptive, 6 attempts (before)', retryMode: 'adaptive', maxAttempts: 6 },
  { label: 'standard, 3 attempts', retryMode: 'standard', maxAttempts: 3 },
  { label: 'standard, 4 attempts', retryMode: 'standard', maxAttempts: 4 },
  { label: 'standard, 4 attempts, 100 ms jittered backoff (chosen)', retryMode: 'standard', maxAttempts: 4, backoffBaseMs: 100 },
];

/** A deterministic "random" so every configuration meets the same throttles. */
function lcg(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function startThrottler() {
  const state = { mode: 'none', rand: lcg(1), perOp: new Map() };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const op = `${req.headers['x-amz-target']}:${body}`;
      const n = state.perOp.get(op) ?? 0;
      state.perOp.set(op, n + 1);
      const throttle = state.mode === 'random' ? state.rand() < 0.1 : state.mode === 'first3' ? n < 3 : false;
      setTimeout(() => {
        if (throttle) {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException' });
          res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
        } else {
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify({ repositories: [] }));
        }
      }, SERVICE_MS);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, state, endpoint: `http://127.0.0.1:${server.address().port}` })));
}

async function runCalls(ECR, config, endpoint, names, inFlight) {
  const { ConfiguredRetryStrategy } = await import('@smithy/core/retry');
  // Full jitter over an exponential cap (what src/sources/live/clients.ts does with a base).
  const retry = config.backoffBaseMs
    ? { retryStrategy: new ConfiguredRetryStrategy(config.maxAttempts, (attempt) => Math.random() * Math.min(config.backoffBaseMs * 2 ** attempt, 5000)) }
    : { retryMode: config.retryMode, maxAttempts: config.maxAttempts };
  const client = new ECR.ECRClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, ...retry });
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < names.length) {
        const name = names[next++];
        await client.send(new ECR.DescribeRepositoriesCommand({ repositoryNames: [name] })).catch(() => failed++);
      }
    }),
  );
  client.destroy();
  return { ms: performance.now() - t0, failed };
}

export async function benchRetries(log = (l) => process.stderr.write(`${l}\n`)) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const ECR = await import('@aws-sdk/client-ecr');
  const t = await startThrottler();
  const many = Array.from({ length: CALLS }, (_, i) => `repo-${i}`);
  const burst = Array.from({ length: 8 }, (_, i) => `op-${i}`);
  const rows = [];
  try {
    for (const config of CONFIGS) {
      t.state.mode = 'none';
      const base = await runCalls(ECR, config, t.endpoint, many, IN_FLIGHT);
      t.state.mode = 'random';
      t.state.rand = lcg(7);
      const throttled = await runCalls(ECR, config, t.endpoint, many, IN_FLIGHT);
      t.state.mode = 'first3';
      t.state.perOp.clear();
      const first3 = await runCalls(ECR, config, t.endpoint, burst, 1);
      rows.push({ config: config.label, baseS: base.ms / 1000, throttledS: throttled.ms / 1000, ratio: throttled.ms / base.ms, failed: throttled.failed, burstS: first3.ms / 1000, burstFailed: first3.failed });
      log(`bench: retries ${config.label}: ${rows.at(-1).ratio.toFixed(2)}x`);
    }
  } finally {
    t.server.closeAllConnections();
    t.server.close();
  }
  return rows;
}

export function renderRetries(rows) {
  const head = `| retry settings | ${CALLS} calls, no throttling | 10% throttled | ratio | calls failed | first 3 of each op throttled (8 ops) | failed |`;
  const lines = rows.map((r) => `| ${r.config} | ${r.baseS.toFixed(2)} s | ${r.throttledS.toFixed(2)} s | ${r.ratio.toFixed(2)}× | ${r.failed} | ${r.burstS.toFixed(2)} s | ${r.burstFailed} |`);
  return [head, '|---|---|---|---|---|---|---|', ...lines].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchRetries();
  process.stdout.write(`${renderRetries(rows)}\n`);
}
