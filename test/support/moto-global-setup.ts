import { spawn, type ChildProcess } from 'node:child_process';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  interface ProvidedContext {
    motoEndpoint: string;
  }
}

export const MOTO_ENDPOINT_ENV = 'ECR_DOCTOR_TEST_MOTO_ENDPOINT';
const INSTALL_HINT = "Install it with: python3 -m pip install 'moto[server]>=5.1,<6'";
const START_TIMEOUT_MS = 20_000;

// Werkzeug prints its banner on stderr; read both streams to be safe.
const RUNNING_ON = /Running on (http:\/\/127\.0\.0\.1:\d+)/;

function startMoto(): Promise<{ child: ChildProcess; endpoint: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    let output = '';
    let settled = false;
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`moto server could not start: ${reason}. ${INSTALL_HINT}`));
    };
    const timer = setTimeout(() => {
      fail(`no "Running on" line within ${START_TIMEOUT_MS / 1000} s (output: ${output.trim().slice(-500)})`);
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = RUNNING_ON.exec(output);
      if (match?.[1] && !settled) {
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
      // moto's own API answers without any AWS signing.
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto server could not start: it did not answer at ${endpoint} (${lastError}). ${INSTALL_HINT}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const { child, endpoint } = await startMoto();
  try {
    await waitUntilAnswering(endpoint, started + START_TIMEOUT_MS);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  // Drain the pipes so a chatty server never blocks on a full buffer.
  child.stdout?.resume();
  child.stderr?.resume();
  project.provide('motoEndpoint', endpoint);
  process.env[MOTO_ENDPOINT_ENV] = endpoint;

  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 3_000).unref());
    if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
  };
}
