import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// Why a proxy: on AWS, ECR serves `registryId: B` from account B's registry (given B's
// repository policy allows the caller). moto 5.2 does not: it answers every ECR call from the
// CALLER's backend and only filters by registryId, so a cross-account read comes back
// RepositoryNotFoundException. This proxy sits between the spawned CLI and moto and, for ECR
// JSON requests whose body names a registryId, adds `x-moto-account-id: <registryId>`, which
// makes moto serve the request from that account: what AWS does. Nothing else is changed (the
// Host header and body are forwarded byte for byte, so a SigV4 signature stays valid).
// moto does not evaluate B's repository policy for A's call either; the doctor reads the policy
// and judges it itself, which is what the tests are about.
//
// It also records every request (service, operation, caller's access key) so tests can assert
// which calls the CLI made, e.g. that a curated image leads to no ECR read at all.

const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';

export interface ProxiedRequest {
  /** The SigV4 signing name: ecr, iam, sts, codebuild. */
  service?: string;
  /** The API operation: the X-Amz-Target suffix (JSON protocols) or Action (query protocols). */
  operation?: string;
  accessKeyId?: string;
  registryId?: string;
  /** The account the proxy told moto to use, when it rewrote the request. */
  routedTo?: string;
}

export interface RegistryProxy {
  endpoint: string;
  /** Every request seen so far, in arrival order. */
  requests: ProxiedRequest[];
  /** The requests signed with `accessKeyId`. */
  requestsBy(accessKeyId: string): ProxiedRequest[];
  stop(): Promise<void>;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `Credential=AKID/20240101/us-east-1/ecr/aws4_request` → key id and signing service. */
function parseAuthorization(auth: string | undefined): { accessKeyId?: string; service?: string } {
  const m = /Credential=([^/,\s]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth ?? '');
  return m ? { accessKeyId: m[1]!, service: m[2]! } : {};
}

function describe(headers: IncomingHttpHeaders, body: Buffer): ProxiedRequest {
  const seen: ProxiedRequest = parseAuthorization(header(headers, 'authorization'));
  const target = header(headers, 'x-amz-target');
  if (target) {
    seen.operation = target.slice(target.indexOf('.') + 1);
    if (target.startsWith(ECR_TARGET_PREFIX)) {
      try {
        const parsed = JSON.parse(body.toString('utf8')) as { registryId?: unknown };
        if (typeof parsed.registryId === 'string' && /^\d{12}$/.test(parsed.registryId)) seen.registryId = parsed.registryId;
      } catch {
        // not JSON: forward untouched, moto will say what is wrong
      }
    }
  } else if ((header(headers, 'content-type') ?? '').includes('x-www-form-urlencoded')) {
    const action = new URLSearchParams(body.toString('utf8')).get('Action');
    if (action) seen.operation = action;
  }
  return seen;
}

/**
 * An answer the proxy gives itself instead of moto, for what moto cannot show (an operation it
 * lacks, AWS's AccessDeniedException, an ARCHIVED image). Tests that use one name the API
 * reference page the body follows. ECR speaks AWS JSON 1.1: an error is `{"__type", "message"}`
 * with HTTP 400.
 */
export interface ProxyAnswer {
  status: number;
  body: unknown;
}

export interface RegistryProxyOptions {
  /** Called for every request with its JSON body (or undefined); an answer is served instead of moto's. */
  answer?(seen: ProxiedRequest, body: Record<string, unknown> | undefined): ProxyAnswer | undefined;
}

/** An AWS JSON 1.1 error answer. */
export function awsJsonError(type: string, message: string): ProxyAnswer {
  return { status: 400, body: { __type: type, message } };
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the routing proxy on 127.0.0.1 (a free port) in front of `upstream` (moto's endpoint). */
export async function startRegistryProxy(upstream: string, options: RegistryProxyOptions = {}): Promise<RegistryProxy> {
  const target = new URL(upstream);
  const requests: ProxiedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const seen = describe(req.headers, body);
      const headers: IncomingHttpHeaders = { ...req.headers };
      if (seen.registryId) {
        headers['x-moto-account-id'] = seen.registryId;
        seen.routedTo = seen.registryId;
      }
      requests.push(seen);
      const answered = options.answer?.(seen, parseJson(body));
      if (answered) {
        const text = JSON.stringify(answered.body);
        const errorType = (answered.body as { __type?: unknown } | null)?.__type;
        res.writeHead(answered.status, {
          'content-type': 'application/x-amz-json-1.1',
          'content-length': Buffer.byteLength(text),
          'x-amzn-requestid': '00000000-0000-0000-0000-000000000000',
          ...(typeof errorType === 'string' ? { 'x-amzn-errortype': errorType } : {}),
        });
        res.end(text);
        return;
      }
      const out = httpRequest(
        { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      out.on('error', (e) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`registry proxy: ${e.message}`);
      });
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    requestsBy: (accessKeyId) => requests.filter((r) => r.accessKeyId === accessKeyId),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
