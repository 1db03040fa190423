// Starts moto server for the scripts (bench, record-snapshots): a free port on loopback, the URL
// parsed from Werkzeug's " * Running on http://127.0.0.1:PORT" line, ready once it answers.
// (The test suite has its own TypeScript twin in test/support/moto-server.ts.)
import { spawn } from 'node:child_process';

const INSTALL = "python3 -m pip install 'moto[server]>=5.1,<6'";

/** Resolves with { child, endpoint } once moto answers; `onSpawn` sees the child at once (for clean-up). */
export async function startMoto({ onSpawn } = {}) {
  const started = await new Promise((resolve, reject) => {
    const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    onSpawn?.(child);
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`moto printed no "Running on" line within 30 s: ${output.slice(-400)}`));
    }, 30_000);
    const onData = (chunk) => {
      output += chunk.toString('utf8');
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (!m) return;
      clearTimeout(timer);
      // Drain the request log so a full pipe never blocks the server.
      child.stdout.removeAllListeners('data').resume();
      child.stderr.removeAllListeners('data').resume();
      resolve({ child, endpoint: m[1] });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run python3 -m moto.server (${e.message}); install: ${INSTALL}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto exited early (code ${code}): ${output.slice(-400)}; install: ${INSTALL}`));
    });
  });
  try {
    await waitForMoto(started.endpoint);
  } catch (e) {
    started.child.kill('SIGKILL');
    throw e;
  }
  return started;
}

async function waitForMoto(endpoint) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${endpoint}/moto-api/data.json`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto did not answer at ${endpoint}`);
}
