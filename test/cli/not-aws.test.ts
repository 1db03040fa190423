// What the CLI says when what answers is not AWS, or AWS refuses the key itself, or the profile
// asked for does not exist: each stops the run (exit 3) with one line that says so, never a
// per-check "AccessDenied" and never a stack trace. Tiny local HTTP servers play the endpoint.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStderr, makeTempDir, runCli, type CliResult, type TempDir } from './spawn.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ endpoint: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function close(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A proxy's error page, whatever the request. */
const htmlPage: Handler = (_req, res) => {
  res.writeHead(500, { 'content-type': 'text/html' });
  res.end('<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>');
};

/** AWS refusing an unknown access key: JSON services say UnrecognizedClientException, STS InvalidClientTokenId. */
const unknownKey: Handler = (req, res) => {
  if (req.headers['x-amz-target']) {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'UnrecognizedClientException' });
    res.end(JSON.stringify({ __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }));
  } else {
    res.writeHead(403, { 'content-type': 'text/xml' });
    res.end('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>1</RequestId></ErrorResponse>');
  }
};

const KEYS = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', AWS_REGION: 'us-east-1' };

function expectIncomplete(run: CliResult, pattern: RegExp): void {
  const { errorLines, hasStack } = describeStderr(run.stderr);
  expect(run.code, run.stderr).toBe(3);
  expect(errorLines, run.stderr).toEqual([expect.stringMatching(pattern)]);
  expect(hasStack, run.stderr).toBe(false);
  expect(run.stdout).toBe('');
  expect(run.stderr).not.toContain(KEYS.AWS_SECRET_ACCESS_KEY);
}

let tmp: TempDir;
let html: { endpoint: string; server: Server };
let refusing: { endpoint: string; server: Server };
beforeAll(async () => {
  tmp = await makeTempDir('ecr-doctor-not-aws-');
  html = await serve(htmlPage);
  refusing = await serve(unknownKey);
});
afterAll(async () => {
  await Promise.all([close(html?.server), close(refusing?.server)]);
  await tmp?.remove();
});

describe.concurrent('could not finish (exit 3)', () => {
  it('an endpoint answering with an HTML page: "did not return an AWS response", with a hint', async () => {
    for (const target of [['--project', 'web-build'], ['--image', '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1']]) {
      const run = await runCli(['doctor', ...target, '--endpoint-url', html.endpoint], { cwd: tmp.path, env: KEYS, timeoutMs: 30_000 });
      expectIncomplete(run, /^error: the endpoint did not return an AWS response \(HTTP 500 from (codebuild|sts|ecr):[A-Za-z]+\)$/);
      expect(run.stderr).toMatch(/^hint: .*--endpoint-url.*--region.*PROXY/m);
    }
  }, 60_000);

  it('an access key AWS does not know: a credentials error, not AccessDenied on each read', async () => {
    const run = await runCli(['doctor', '--project', 'web-build', '--format', 'json'], { cwd: tmp.path, env: { ...KEYS, AWS_ENDPOINT_URL: refusing.endpoint } });
    expectIncomplete(run, /^error: AWS rejected the credentials: (UnrecognizedClientException|InvalidClientTokenId): The security token included in the request is invalid\.$/);
    expect(run.stderr).not.toMatch(/AccessDenied/);
  });

  it('--profile X that does not exist: names X and the files, does not suggest --profile again', async () => {
    const run = await runCli(['doctor', '--project', 'web-build', '--profile', 'ghost', '--endpoint-url', refusing.endpoint], { cwd: tmp.path, env: { AWS_REGION: 'us-east-1' } });
    expectIncomplete(run, /^error: no usable AWS credentials: profile "ghost" was not found or has no credentials in \S+config \/ \S+credentials$/);
    const hint = run.stderr.split('\n').find((l) => l.startsWith('hint: ')) ?? '';
    expect(hint).toMatch(/aws configure --profile ghost/);
    expect(hint.replace(/--profile ghost/g, '')).not.toContain('--profile');
  });

  it('AWS_PROFILE naming a missing profile says it came from AWS_PROFILE', async () => {
    const run = await runCli(['doctor', '--project', 'web-build', '--endpoint-url', refusing.endpoint], { cwd: tmp.path, env: { AWS_REGION: 'us-east-1', AWS_PROFILE: 'gone' } });
    expectIncomplete(run, /^error: no usable AWS credentials: profile "gone" \(from AWS_PROFILE\) was not found/);
    expect(run.stderr).toMatch(/^hint: .*unset AWS_PROFILE/m);
  });

  it('STS answering with HTML (a 403 page, or a 200 page with no account): exit 3, never the "bug" line', async () => {
    for (const status of [403, 200]) {
      const sts = await serve((req, res) => {
        if (req.headers['x-amz-target']) return htmlPage(req, res);
        res.writeHead(status, { 'content-type': 'text/html' });
        res.end('<html><body>Access blocked by the corporate proxy</body></html>');
      });
      try {
        const run = await runCli(['doctor', '--image', '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1', '--endpoint-url', sts.endpoint], { cwd: tmp.path, env: KEYS, timeoutMs: 30_000 });
        expect(run.code, run.stderr).toBe(3);
        expect(run.stderr).not.toContain('this is a bug');
        expect(describeStderr(run.stderr).hasStack).toBe(false);
      } finally {
        await close(sts.server);
      }
    }
  }, 60_000);
});
