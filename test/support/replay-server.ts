// A tiny AWS JSON-1.1 server that answers with recorded response bodies, so tests run the real
// SDK client's request building and response parsing (moto cannot serve builds: DESIGN.md §4).
// It routes on the X-Amz-Target header ("CodeBuild_20161006.BatchGetBuilds"), as AWS does for
// the JSON protocols, and answers unknown targets with the same 400 + __type shape AWS uses, so
// the SDK turns it into a named error.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const JSON_11 = 'application/x-amz-json-1.1';

/** Returned (or thrown) by a route to answer with an AWS error instead of a body. */
export interface ReplayError {
  readonly replayError: true;
  type: string;
  message: string;
  status: number;
}

export function replayError(type: string, message: string, status = 400): ReplayError {
  return { replayError: true, type, message, status };
}

function isReplayError(value: unknown): value is ReplayError {
  return typeof value === 'object' && value !== null && (value as { replayError?: unknown }).replayError === true;
}

export type ReplayRoute = unknown | ((body: any) => unknown);

export interface ReplayServer {
  endpoint: string;
  requests: { target: string; body: unknown }[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': JSON_11,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': '00000000-0000-4000-8000-000000000000',
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: ReplayError): void {
  // AWS JSON 1.1 errors: the type in __type (the SDK also reads x-amzn-errortype), text in message.
  res.setHeader('x-amzn-errortype', error.type);
  send(res, error.status, { __type: error.type, message: error.message });
}

export async function startReplayServer(routes: Record<string, ReplayRoute>): Promise<ReplayServer> {
  const requests: { target: string; body: unknown }[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const raw = await readBody(req);
      let body: unknown = {};
      try {
        body = raw === '' ? {} : JSON.parse(raw);
      } catch {
        sendError(res, replayError('SerializationException', `request body is not JSON: ${raw.slice(0, 80)}`));
        return;
      }
      requests.push({ target, body });
      if (!Object.prototype.hasOwnProperty.call(routes, target)) {
        sendError(res, replayError('UnknownOperationException', `no recorded response for ${target || '(no X-Amz-Target)'}`));
        return;
      }
      const route = routes[target];
      try {
        const answer = typeof route === 'function' ? (route as (b: unknown) => unknown)(body) : route;
        if (isReplayError(answer)) sendError(res, answer);
        else send(res, 200, answer ?? {});
      } catch (thrown) {
        if (isReplayError(thrown)) sendError(res, thrown);
        else sendError(res, replayError('InternalFailure', String(thrown), 500));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // The SDK keeps connections alive; drop them or close() waits for their idle timeout.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
