import type { Facts } from '../model/facts.js';

/**
 * A small structural validator for snapshot files: the snapshot is user input, so every way it
 * can be wrong gets a message with the JSON path at fault, never a crash later in a check.
 */
export class FactsShapeError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path} ${problem}`);
  }
}

type Validator = (value: unknown, path: string) => void;

const fail = (path: string, problem: string): never => {
  throw new FactsShapeError(path, problem);
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const str: Validator = (v, path) => {
  if (typeof v !== 'string') fail(path, 'must be a string');
};
const num: Validator = (v, path) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, 'must be a number');
};
const strings: Validator = (v, path) => arrayOf(str)(v, path);

function optional(inner: Validator): Validator {
  return (v, path) => {
    if (v !== undefined && v !== null) inner(v, path);
  };
}

function oneOf(...allowed: string[]): Validator {
  return (v, path) => {
    if (typeof v !== 'string' || !allowed.includes(v)) fail(path, `must be one of ${allowed.join(', ')}`);
  };
}

function arrayOf(inner: Validator): Validator {
  return (v, path) => {
    if (!Array.isArray(v)) fail(path, 'must be an array');
    (v as unknown[]).forEach((item, i) => inner(item, `${path}[${i}]`));
  };
}

function recordOf(inner: Validator): Validator {
  return (v, path) => {
    if (!isObject(v)) fail(path, 'must be an object');
    for (const [k, item] of Object.entries(v as Record<string, unknown>)) inner(item, `${path}[${JSON.stringify(k)}]`);
  };
}

function object(shape: Record<string, Validator>): Validator {
  return (v, path) => {
    if (!isObject(v)) fail(path, 'must be an object');
    for (const [key, check] of Object.entries(shape)) check((v as Record<string, unknown>)[key], `${path}.${key}`);
  };
}

function fact(inner: Validator): Validator {
  return (v, path) => {
    if (!isObject(v)) fail(path, 'must be an object with a "state"');
    const o = v as Record<string, unknown>;
    oneOf('present', 'absent', 'unreadable')(o.state, `${path}.state`);
    if (o.state === 'present') inner(o.value, `${path}.value`);
    if (o.state === 'unreadable') {
      str(o.reason, `${path}.reason`);
      optional(str)(o.permission, `${path}.permission`);
      optional(bool)(o.beforeDeploy, `${path}.beforeDeploy`);
    }
  };
}

const pullMode = oneOf('CODEBUILD', 'SERVICE_ROLE');
const bool: Validator = (v, path) => {
  if (typeof v !== 'boolean') fail(path, 'must be true or false');
};
const environmentVariables = arrayOf(object({ name: str, type: oneOf('PLAINTEXT', 'PARAMETER_STORE', 'SECRETS_MANAGER'), value: optional(str) }));
const sourceInfo = object({ type: str, location: optional(str), buildspec: optional(str) });
const vpcConfig = object({ vpcId: optional(str), subnets: strings, securityGroupIds: strings });

const step = object({
  kind: oneOf('pull', 'login', 'daemon-start', 'docker'),
  phase: oneOf('install', 'pre_build', 'build', 'post_build'),
  index: num,
  finally: optional(bool),
  command: str,
  via: optional(oneOf('docker pull', 'docker run', 'docker create', 'docker build', 'docker compose')),
  image: optional(str),
  expression: optional(str),
  unresolved: optional(strings),
  platform: optional(str),
  dockerfile: optional(str),
  line: optional(num),
  method: optional(oneOf('get-login-password', 'get-login', 'docker-login', 'credential-helper')),
  hosts: optional(strings),
  region: optional(str),
  registryIds: optional(strings),
});
const buildspecFacts = fact(object({ origin: str, path: optional(str), steps: arrayOf(step), missing: optional(strings), problems: optional(strings) }));

const namedPolicy = object({ name: str, arn: optional(str), document: str });

const projectInfo = object({
  name: str,
  arn: str,
  image: str,
  imagePullCredentialsType: optional(pullMode),
  serviceRole: optional(str),
  registryCredential: optional(object({ credential: str, credentialProvider: str })),
  environmentType: optional(str),
  computeType: optional(str),
  privilegedMode: optional(bool),
  environmentVariables: optional(environmentVariables),
  source: optional(sourceInfo),
  vpcConfig: optional(vpcConfig),
  fleetArn: optional(str),
});

const imagePlatform = object({ os: str, architecture: str, variant: optional(str), osVersion: optional(str) });

const repository = object({
  arn: str,
  registryId: str,
  region: str,
  name: str,
  repository: fact(object({})),
  policy: fact(object({ text: str })),
  images: recordOf(fact(object({ digest: str, tags: strings, status: optional(str), sizeInBytes: optional(num), manifestMediaType: optional(str), platforms: optional(fact(arrayOf(imagePlatform))) }))),
  knownTags: optional(fact(strings)),
  tags: optional(fact(recordOf(str))),
  lifecycle: optional(fact(object({ text: str }))),
  imageList: optional(fact(object({ images: arrayOf(object({ digest: str, tags: strings, pushedAt: optional(str), status: optional(str) })), complete: bool }))),
});

const role = object({
  arn: str,
  role: fact(object({ name: str, path: str, permissionsBoundaryArn: optional(str) })),
  inlinePolicies: fact(arrayOf(namedPolicy)),
  attachedPolicies: fact(arrayOf(namedPolicy)),
  permissionsBoundary: fact(namedPolicy),
});

const build = object({
  id: str,
  projectName: str,
  environment: object({
    image: optional(str),
    imagePullCredentialsType: optional(pullMode),
    serviceRole: optional(str),
    privilegedMode: optional(bool),
    environmentVariables: optional(environmentVariables),
    environmentType: optional(str),
    computeType: optional(str),
    registryCredential: optional(object({ credential: str, credentialProvider: str })),
    fleetArn: optional(str),
  }),
  source: optional(sourceInfo),
  vpcConfig: optional(vpcConfig),
  phases: arrayOf(object({ phaseType: str, phaseStatus: optional(str), contexts: arrayOf(object({ statusCode: optional(str), message: optional(str) })) })),
});

const eb = object({
  projectRoot: str,
  buildspecPath: str,
  applicationName: optional(str),
  region: optional(str),
  hasSettings: (v, path) => {
    if (typeof v !== 'boolean') fail(path, 'must be true or false');
  },
  settings: optional(object({ codeBuildServiceRole: optional(str), image: optional(str), computeType: optional(str), timeout: optional(num) })),
  problems: optional(strings),
  notes: optional(strings),
});

const fleet = object({
  arn: str,
  fleet: fact(object({ arn: str, name: optional(str), environmentType: optional(str), computeType: optional(str), diskGb: optional(num) })),
});

const secret = object({
  credential: str,
  region: str,
  secret: fact(object({ arn: str, name: str, kmsKeyId: optional(str) })),
  resourcePolicy: fact(object({ text: str })),
  kmsKey: optional(fact(object({ arn: str, keyManager: str }))),
  keyPolicy: optional(fact(object({ text: str }))),
});
const routeTable = object({ id: str, main: bool, routes: arrayOf(object({ destination: str, target: str, state: optional(str) })) });
const vpcEndpoint = object({ id: str, serviceName: str, type: str, state: optional(str), privateDnsEnabled: optional(bool), routeTableIds: strings, subnetIds: strings, policy: optional(str) });
const network = object({ vpcId: str, region: str, subnetRouteTables: recordOf(fact(routeTable)), endpoints: fact(arrayOf(vpcEndpoint)) });

const registry = object({
  registryId: str,
  region: str,
  policyScope: fact(object({ scope: oneOf('V1', 'V2') })),
  policy: fact(object({ text: str })),
  pullThroughRules: optional(fact(arrayOf(object({ prefix: str, upstreamRegistryUrl: str, upstreamRegistry: optional(str), credentialArn: optional(str) })))),
  creationTemplates: optional(fact(arrayOf(object({ prefix: str, appliedFor: strings, repositoryPolicy: optional(str) })))),
});

const facts = object({
  schemaVersion: (v, path) => {
    if (v !== 1) fail(path, 'must be 1 (this ecr-doctor reads snapshot schema version 1)');
  },
  region: str,
  caller: fact(object({ account: str, arn: str, partition: str })),
  projects: arrayOf(object({ requested: str, project: fact(projectInfo), buildspec: optional(buildspecFacts) })),
  builds: arrayOf(object({ requested: str, build: fact(build), buildspec: optional(buildspecFacts), note: optional(str) })),
  buildspec: optional(buildspecFacts),
  eb: optional(eb),
  images: arrayOf(str),
  repositories: recordOf(repository),
  roles: recordOf(role),
  fleets: optional(recordOf(fleet)),
  secrets: optional(recordOf(secret)),
  projectNames: optional(fact(strings)),
  networks: optional(recordOf(network)),
  registries: optional(recordOf(registry)),
  locations: optional(recordOf(object({ source: oneOf('terraform-plan', 'terraform', 'cloudformation', 'live'), address: optional(str), file: optional(str), line: optional(num) }))),
  unknownAccount: optional(str),
});

/** Throws FactsShapeError naming the first path at fault. */
export function validateFacts(value: unknown): Facts {
  facts(value, '$');
  return value as Facts;
}
