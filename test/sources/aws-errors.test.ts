// How SDK errors become facts or fatal errors. The errors here are shaped as SDK v3 throws them
// (name, message, $metadata); the last block gets them from the real SDK over HTTP.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncompleteError } from '../../src/model/errors.js';
import { asFatal, CredentialsError, unreadableFrom } from '../../src/sources/live/aws-errors.js';
import { createAwsClients } from '../../src/sources/live/clients.js';

function sdkError(name: string, message: string, status?: number): Error {
  const e = new Error(message);
  e.name = name;
  if (status !== undefined) Object.assign(e, { $metadata: { httpStatusCode: status } });
  return e;
}

const HTML_PARSE = "Unexpected token '<', \"<html><bod\"... is not valid JSON\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.";

describe('asFatal / unreadableFrom', () => {
  it('an unparseable body with a non-403 status: the endpoint is not AWS (exit 3), naming status and call', () => {
    const where = 'ecr:DescribeImages';
    for (const [name, message, status] of [
      ['SyntaxError', HTML_PARSE, 500],
      ['SyntaxError', HTML_PARSE, 404],
      ['Error', '@aws-sdk XML parse error: unexpected content.\n  Deserialization error', 502],
      ['Unknown', 'Unknown', 500],
    ] as const) {
      const e = sdkError(name, message, status);
      const fatal = asFatal(e, where);
      expect(fatal).toBeInstanceOf(IncompleteError);
      expect(fatal?.message).toBe(`the endpoint did not return an AWS response (HTTP ${status} from ecr:DescribeImages)`);
      expect(fatal?.hint).toMatch(/--endpoint-url.*--region.*PROXY/);
      expect(() => unreadableFrom(e, where)).toThrow(/did not return an AWS response/);
    }
  });

  it('an unparseable 403 is still a denial of that one read (proxies and emulators answer so)', () => {
    expect(asFatal(sdkError('SyntaxError', HTML_PARSE, 403))).toBeUndefined();
    expect(unreadableFrom(sdkError('SyntaxError', HTML_PARSE, 403), 'ecr:GetRepositoryPolicy')).toMatchObject({ state: 'unreadable', reason: 'AccessDenied on ecr:GetRepositoryPolicy' });
  });

  it('UnrecognizedClientException is an invalid key or token: a credentials error, not AccessDenied', () => {
    const e = sdkError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400);
    const fatal = asFatal(e);
    expect(fatal).toBeInstanceOf(CredentialsError);
    expect(fatal).toMatchObject({ problem: 'rejected', exitCode: 3 });
    expect(fatal?.message).toBe('AWS rejected the credentials: UnrecognizedClientException: The security token included in the request is invalid.');
    expect(() => unreadableFrom(e, 'ecr:DescribeRepositories')).toThrow(CredentialsError);
  });

  it("only the SDK's credential error names or its exact 'Could not load credentials' make a credentials error", () => {
    expect(asFatal(sdkError('CredentialsProviderError', 'Could not load credentials from any providers'))).toMatchObject({ problem: 'missing', message: 'no usable AWS credentials: Could not load credentials from any providers' });
    expect(asFatal(sdkError('Error', 'Could not load credentials from any providers'))).toBeInstanceOf(CredentialsError);
    expect(asFatal(sdkError('TokenProviderError', 'Token is expired'))).toBeInstanceOf(CredentialsError);
    // AWS messages that merely mention credentials are about one read, not about ours.
    for (const e of [
      sdkError('InvalidParameterException', 'Invalid imagePullCredentialsType: credential type must be CODEBUILD or SERVICE_ROLE', 400),
      sdkError('AccessDeniedException', 'User is not authorized to perform codebuild:BatchGetProjects on resource with credentials of role x', 400),
      sdkError('ServerException', 'The credential scope is being refreshed', 400),
    ]) {
      expect(asFatal(e), e.name).toBeUndefined();
      expect(unreadableFrom(e, 'codebuild:BatchGetProjects').state).toBe('unreadable');
    }
  });

  it('never quotes an access key id', () => {
    const e = sdkError('InvalidClientTokenId', 'The security token AKIAABCDEFGHIJKLMNOP is invalid', 403);
    expect(asFatal(e)?.message).not.toContain('AKIAABCDEFGHIJKLMNOP');
  });
});

describe('through the real SDK: a server that answers with an HTML page', () => {
  let server: Server;
  let endpoint: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'test-secret' });
  });
  afterAll(async () => {
    process.env = saved;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('names the call that got it: "HTTP 500 from ecr:DescribeRepositories"', async () => {
    const clients = await createAwsClients({ region: 'us-east-1', endpointUrl: endpoint });
    const error = await clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['x'] })).catch((e: unknown) => e);
    expect((error as Error).name).toBe('SyntaxError');
    expect(() => unreadableFrom(error, 'ecr:DescribeRepositories')).toThrow('the endpoint did not return an AWS response (HTTP 500 from ecr:DescribeRepositories)');
    // Without the permission to fall back on, the tag set by our clients still names the call.
    expect(asFatal(error)?.message).toBe('the endpoint did not return an AWS response (HTTP 500 from ecr:DescribeRepositories)');
  }, 20_000);
});
