import { spawn, type ChildProcess } from 'node:child_process';

export const MOTO_INSTALL_HINT = "Install it with: python3 -m pip install 'moto[server]>=5.1,<6'";
const DEFAULT_START_TIMEOUT_MS = 20_000;

// Werkzeug prints its banner (" * Running on http://127.0.0.1:PORT") on stderr; read both streams.
const RUNNING_ON = /Running on (http:\/\/127\.0\.0\.1:\d+)/;

export interface MotoServer {
  /** e.g. http://127.0.0.1:41234 — one endpoint for every service. */
  endpoint: string;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** Extra environment for the Python process (e.g. INITIAL_NO_AUTH_ACTION_COUNT). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

function failure(reason: string): Error {
  return new Error(`moto server could not start: ${reason}. ${MOTO_INSTALL_HINT}`);
}

function spawnMoto(env: Record<string, string>, timeoutMs: number): Promise<{ child: ChildProcess; endpoint: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1', ...env },
    });
    let output = '';
    let settled = false;
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(failure(reason));
    };
    const timer = setTimeout(() => {
      fail(`no "Running on" line within ${timeoutMs / 1000} s (output: ${output.trim().slice(-500)})`);
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      if (settled) return;
      output += chunk.toString('utf8');
      const match = RUNNING_ON.exec(output);
      if (match?.[1]) {
        settled = true;
        clearTimeout(timer);
        resolve({ child, endpoint: match[1] });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', (err) => fail(`cannot run python3 (${err.message})`));
    child.on('exit', (code, signal) => {
      fail(`process exited early (code ${code ?? 'none'}, signal ${signal ?? 'none'}; output: ${output.trim().slice(-500)})`);
    });
  });
}

async function waitUntilAnswering(endpoint: string, deadline: number): Promise<void> {
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    try {
      // moto's own API answers without AWS signing.
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw failure(`it did not answer at ${endpoint} (${lastError})`);
}

/**
 * Starts `python3 -m moto.server` on a free port and waits until it answers.
 * Throws "moto server could not start: <reason>. Install it with: ..." — never skips.
 */
export async function startMotoServer(options: StartMotoOptions = {}): Promise<MotoServer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const started = Date.now();
  const { child, endpoint } = await spawnMoto(options.env ?? {}, timeoutMs);
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  try {
    await waitUntilAnswering(endpoint, started + timeoutMs);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  // Drain the pipes so the request log never blocks the server on a full buffer.
  child.stdout?.removeAllListeners('data').resume();
  child.stderr?.removeAllListeners('data').resume();
  return {
    endpoint,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 3_000).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
    },
  };
}
