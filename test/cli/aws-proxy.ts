// A small HTTP proxy between the spawned CLI and its fake AWS, for what one moto server alone
// cannot do:
// - CodeBuild build records: moto 5.2 cannot serve BatchGetBuilds (timestamps the JS SDK cannot
//   parse) and its builds always succeed, so the build operations go to a replay server that
//   answers with recorded AWS bodies; everything else (STS, ECR, IAM, BatchGetProjects) goes to
//   moto. The SDK's own request building and response parsing run either way.
// - Cross-account ECR: moto answers a request with registryId=B from the CALLER's backend (it
//   never finds B's repository). AWS routes such a request to registry B, so for ECR requests
//   whose JSON body names a registryId the proxy adds `x-moto-account-id: <registryId>`, which
//   makes moto do what AWS does.
// Requests keep their headers (Host included); neither moto (auth off) nor the replay server
// checks the SigV4 signature.
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

const ECR_TARGET = 'AmazonEC2ContainerRegistry_V20150921.';
const CODEBUILD_TARGET = 'CodeBuild_20161006.';

/** The CodeBuild operations moto cannot serve; the replay server answers them (BatchGetFleets: HTML 500 on moto 5.2). */
export const BUILD_OPERATIONS = ['BatchGetBuilds', 'ListBuilds', 'ListBuildsForProject', 'BatchGetFleets'] as const;

export interface AwsProxyOptions {
  moto: string;
  /** Where CodeBuild's build operations go; without it they go to moto too. */
  replay?: string;
  /** Add x-moto-account-id from an ECR request's registryId (default true). */
  routeEcrByRegistryId?: boolean;
}

export interface ProxiedRequest {
  target: string;
  upstream: 'moto' | 'replay';
  /** The x-moto-account-id the proxy added, if any. */
  account?: string;
}

export interface AwsProxy {
  endpoint: string;
  requests: ProxiedRequest[];
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

function registryIdOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { registryId?: unknown };
    return typeof parsed.registryId === 'string' && /^\d{12}$/.test(parsed.registryId) ? parsed.registryId : undefined;
  } catch {
    return undefined;
  }
}

export async function startAwsProxy(options: AwsProxyOptions): Promise<AwsProxy> {
  const requests: ProxiedRequest[] = [];
  const byRegistry = options.routeEcrByRegistryId ?? true;
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const target = String(req.headers['x-amz-target'] ?? '');
      const headers: IncomingHttpHeaders = { ...req.headers };
      const isBuildOp = target.startsWith(CODEBUILD_TARGET) && (BUILD_OPERATIONS as readonly string[]).includes(target.slice(CODEBUILD_TARGET.length));
      const upstream = isBuildOp && options.replay ? 'replay' : 'moto';
      const entry: ProxiedRequest = { target: target || `${req.method} ${req.url}`, upstream };
      if (byRegistry && target.startsWith(ECR_TARGET)) {
        const account = registryIdOf(body);
        if (account) {
          headers['x-moto-account-id'] = account;
          entry.account = account;
        }
      }
      requests.push(entry);
      const base = new URL(upstream === 'replay' ? options.replay! : options.moto);
      const out = request(
        { hostname: base.hostname, port: base.port, method: req.method, path: req.url, headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', (e) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`aws-proxy: ${e.message}`);
      });
      out.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
