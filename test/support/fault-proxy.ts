// A fault-injecting HTTP proxy in front of moto, for what AWS does and moto cannot be made to do
// on demand: an endpoint that accepts a call and never answers, answers only some calls, answers
// slowly, throttles (the error shapes of the AWS JSON 1.1 and Query protocols: "Common Errors",
// AWS API reference, ThrottlingException / Throttling), or quotes the caller's session token in
// an error message. Loopback only; every held request is dropped on close or after `holdMs`.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What to do with one call: pass it on, hold it without answering, delay it, or fail it. `deny`
 * answers AccessDenied with 403 ("Common Errors": AccessDeniedException for JSON protocols,
 * AccessDenied for Query); `respond` answers 200 with the given body (XML for Query, JSON else).
 */
export type Fault = 'pass' | 'hang' | { delayMs: number } | 'throttle' | 'echo-token' | 'deny' | { respond: string };

/** The call ("ecr:DescribeRepositories", "sts:GetCallerIdentity"), how many of it came before, and its body (a role ARN to refuse). */
export type FaultPolicy = (call: string, nth: number, body: string) => Fault;

export interface FaultProxy {
  endpoint: string;
  calls: string[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const SERVICE_OF_TARGET: Record<string, string> = { AmazonEC2ContainerRegistry_V20150921: 'ecr', CodeBuild_20161006: 'codebuild' };

/** JSON protocols name the call in X-Amz-Target; the Query protocols (STS, IAM) in the form's Action. */
function callOf(req: IncomingMessage, body: Buffer): { call: string; json: boolean } {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix = '', op = ''] = target.split('.');
    return { call: `${SERVICE_OF_TARGET[prefix] ?? prefix}:${op}`, json: true };
  }
  const form = new URLSearchParams(body.toString('utf8'));
  const service = /credential=[^/]+\/[^/]+\/[^/]+\/([a-z0-9-]+)\//i.exec(String(req.headers.authorization ?? ''))?.[1] ?? 'unknown';
  return { call: `${service}:${form.get('Action') ?? 'Unknown'}`, json: false };
}

function sendError(res: ServerResponse, json: boolean, code: string, message: string, status = 400): void {
  if (json) {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code });
    res.end(JSON.stringify({ __type: code, message }));
  } else {
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>1</RequestId></ErrorResponse>`);
  }
}

export async function startFaultProxy(upstream: string, policy: FaultPolicy, holdMs = 30_000): Promise<FaultProxy> {
  const target = new URL(upstream);
  const counts = new Map<string, number>();
  const calls: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const { call, json } = callOf(req, body);
    const nth = counts.get(call) ?? 0;
    counts.set(call, nth + 1);
    calls.push(call);
    const fault = policy(call, nth, body.toString('utf8'));
    const forward = () => {
      const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.on('error', () => res.destroy());
      out.end(body);
    };
    if (fault === 'pass') forward();
    else if (fault === 'hang') later(holdMs, () => res.destroy());
    else if (fault === 'throttle') sendError(res, json, json ? 'ThrottlingException' : 'Throttling', 'Rate exceeded');
    else if (fault === 'echo-token') {
      // As a misbehaving endpoint might: the caller's own token quoted in the first line.
      sendError(res, json, 'ValidationException', `bad request from token ${String(req.headers['x-amz-security-token'] ?? '')} key ${String(req.headers.authorization ?? '')}`);
    } else if (fault === 'deny') sendError(res, json, json ? 'AccessDeniedException' : 'AccessDenied', `User: arn:aws:iam::123456789012:user/x is not authorized to perform: ${call}`, 403);
    else if ('respond' in fault) {
      res.writeHead(200, { 'content-type': json ? 'application/x-amz-json-1.1' : 'text/xml' });
      res.end(fault.respond);
    } else later(fault.delayMs, forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
