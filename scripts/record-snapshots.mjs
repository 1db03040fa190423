#!/usr/bin/env node
// Records fixtures/snapshots/*.json, the scenario snapshots test/scenarios.test.ts judges.
//
// To re-record: `node scripts/build.mjs && node scripts/record-snapshots.mjs` (or name some
// scenarios: `node scripts/record-snapshots.mjs tag-missing multi-project`). It needs moto
// (`python3 -m pip install 'moto[server]>=5.1,<6'`) and no network: it starts its own moto server,
// builds each scenario in fresh accounts through the SDK, creates an IAM user and access key there,
// and runs the built CLI (`node bin/ecr-doctor.js snapshot ... --output`) with that key, so the
// files are what `ecr-doctor snapshot` really writes. Then it makes them stable: the random
// account ids become 111122223333 (the build account) and 444455556666 (the registry account),
// temporary folders become /home/dev/<name>, and every timestamp becomes FIXED_DATE. Re-recording
// therefore gives the same bytes unless the CLI's output changed; review the diff like code.
// Three files are derived by hand from recorded ones (moto cannot produce them): archived-image
// (ECR imageStatus ARCHIVED), access-denied-role-policy (iam:GetRolePolicy denied) and
// registry-policy-deny (a V2 registry policy that denies the pull).
// seed-codebuild-mode.json is hand-written and never touched here.
import { spawn } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMoto } from './moto-server.mjs';

// On Node 20 the SDK prints a notice about its future Node 22 requirement; it means nothing here.
// Set the documented opt-out before the SDK loads (hence the dynamic imports).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= '1';
const { CreateRepositoryCommand, ECRClient, PutImageCommand, SetRepositoryPolicyCommand } = await import('@aws-sdk/client-ecr');
const {
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} = await import('@aws-sdk/client-iam');
const { CodeBuildClient, CreateProjectCommand } = await import('@aws-sdk/client-codebuild');
const { CreateSecretCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'fixtures', 'snapshots');
const REGION = 'us-east-1';
const MAIN_ACCOUNT = '111122223333';
const REGISTRY_ACCOUNT = '444455556666';
const FIXED_DATE = '2026-01-01T00:00:00.000Z';
const FAKE_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];

// ── moto and the registryId proxy ──────────────────────────────────────────────

// moto 5.2 serves every ECR call from the CALLER's account and only filters by registryId, so a
// cross-account read would come back RepositoryNotFoundException. AWS serves registryId B from
// B's registry; this proxy does the same by adding `x-moto-account-id: <registryId>` to ECR JSON
// requests that name one. Body and Host are forwarded untouched (the SigV4 signature stays valid).
// Used for every scenario: same-account calls name the caller's own registry, which changes nothing.
function startRegistryProxy(upstream) {
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers };
      if (String(headers['x-amz-target'] ?? '').startsWith('AmazonEC2ContainerRegistry_V20150921.')) {
        try {
          const { registryId } = JSON.parse(body.toString('utf8'));
          if (typeof registryId === 'string' && /^\d{12}$/.test(registryId)) headers['x-moto-account-id'] = registryId;
        } catch {
          // not JSON: moto will say what is wrong
        }
      }
      const out = httpRequest({ hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.on('error', (e) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`registry proxy: ${e.message}`);
      });
      out.end(body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ endpoint: `http://127.0.0.1:${server.address().port}`, server })),
  );
}

// ── SDK clients acting in one moto account ─────────────────────────────────────

function inAccount(client, account) {
  client.middlewareStack.add(
    (next) => async (args) => {
      if (args.request?.headers) args.request.headers['x-moto-account-id'] = account;
      return next(args);
    },
    { step: 'build', name: 'motoAccountIdHeader' },
  );
  return client;
}

function clientsFor(endpoint, account, region = REGION) {
  const config = { region, credentials: FAKE_CREDENTIALS, endpoint, maxAttempts: 1 };
  return {
    account,
    ecr: inAccount(new ECRClient(config), account),
    iam: inAccount(new IAMClient(config), account),
    codebuild: inAccount(new CodeBuildClient(config), account),
    sm: inAccount(new SecretsManagerClient(config), account),
  };
}

const usedAccounts = new Set([MAIN_ACCOUNT, REGISTRY_ACCOUNT, '123456789012', '201349592320', '570169269855', '964771811575']);
function randomAccount() {
  for (;;) {
    const id = `9${String(randomInt(0, 1e11)).padStart(11, '0')}`;
    if (!usedAccounts.has(id)) {
      usedAccounts.add(id);
      return id;
    }
  }
}

const policy = (...Statement) => ({ Version: '2012-10-17', Statement });
const pretty = (doc) => JSON.stringify(doc, null, 2);

async function createRepository(c, name, repoPolicy) {
  await c.ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
  if (repoPolicy) await c.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: pretty(repoPolicy) }));
}

const digestOf = (seed) => `sha256:${createHash('sha256').update(seed).digest('hex')}`;

/** A schema-2 manifest whose digests derive from repo:tag, so every recording gives the same image digest. */
function manifestFor(repo, tag) {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1469, digest: digestOf(`config:${repo}:${tag}`) },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 2811321, digest: digestOf(`layer:${repo}:${tag}`) }],
  });
}

async function putImage(c, repo, tag) {
  await c.ecr.send(
    new PutImageCommand({ repositoryName: repo, imageTag: tag, imageManifest: manifestFor(repo, tag), imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json' }),
  );
}

const CODEBUILD_TRUST = policy({ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' });

/** A role with inline policies, customer managed policies (name → [v1, v2...], last one default) and a boundary. */
async function createRole(c, name, { path = '/service-role/', inline = {}, managed = {}, boundary } = {}) {
  const out = await c.iam.send(new CreateRoleCommand({ RoleName: name, Path: path, AssumeRolePolicyDocument: JSON.stringify(CODEBUILD_TRUST) }));
  for (const [policyName, doc] of Object.entries(inline)) {
    await c.iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: policyName, PolicyDocument: JSON.stringify(doc) }));
  }
  for (const [policyName, versions] of Object.entries(managed)) {
    const [first, ...later] = versions;
    const created = await c.iam.send(new CreatePolicyCommand({ PolicyName: policyName, PolicyDocument: JSON.stringify(first) }));
    for (const doc of later) {
      await c.iam.send(new CreatePolicyVersionCommand({ PolicyArn: created.Policy.Arn, PolicyDocument: JSON.stringify(doc), SetAsDefault: true }));
    }
    await c.iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: created.Policy.Arn }));
  }
  if (boundary) {
    const created = await c.iam.send(new CreatePolicyCommand({ PolicyName: `${name}-boundary`, PolicyDocument: JSON.stringify(boundary) }));
    await c.iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: name, PermissionsBoundary: created.Policy.Arn }));
  }
  return out.Role.Arn;
}

async function createProject(c, { name, image, serviceRoleArn, mode, buildspec, privileged, type = 'LINUX_CONTAINER', credential }) {
  await c.codebuild.send(
    new CreateProjectCommand({
      name,
      // moto requires a source location for every source type.
      source: { type: 'S3', location: 'ecr-doctor-fixtures/source.zip', ...(buildspec ? { buildspec } : {}) },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: {
        type,
        image,
        computeType: 'BUILD_GENERAL1_SMALL',
        ...(mode ? { imagePullCredentialsType: mode } : {}),
        ...(privileged !== undefined ? { privilegedMode: privileged } : {}),
        ...(credential ? { registryCredential: { credential, credentialProvider: 'SECRETS_MANAGER' } } : {}),
      },
      serviceRole: serviceRoleArn,
    }),
  );
}

/** moto maps an access key it created to the account it was created in: the CLI then acts as that account. */
async function createCliKey(c) {
  const UserName = 'ecr-doctor-recorder';
  await c.iam.send(new CreateUserCommand({ UserName }));
  await c.iam.send(new PutUserPolicyCommand({ UserName, PolicyName: 'read-all', PolicyDocument: JSON.stringify(policy({ Effect: 'Allow', Action: '*', Resource: '*' })) }));
  const key = await c.iam.send(new CreateAccessKeyCommand({ UserName }));
  return { accessKeyId: key.AccessKey.AccessKeyId, secretAccessKey: key.AccessKey.SecretAccessKey };
}

// ── the scenarios ──────────────────────────────────────────────────────────────

const uri = (acct, repo, tag, region = REGION) => `${acct}.dkr.ecr.${region}.amazonaws.com/${repo}:${tag}`;
const repoArn = (acct, repo, region = REGION) => `arn:aws:ecr:${region}:${acct}:repository/${repo}`;
const projectArn = (acct, name, region = REGION) => `arn:aws:codebuild:${region}:${acct}:project/${name}`;

/** What `ecr-doctor fix` writes: codebuild.amazonaws.com, conditioned on the account and project. */
const codebuildGrant = (account, sourceArn, Sid = 'CodeBuildPull') => ({
  Sid,
  Effect: 'Allow',
  Principal: { Service: 'codebuild.amazonaws.com' },
  Action: PULL,
  Condition: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': sourceArn } },
});
const ciPushGrant = (account) => ({
  Sid: 'AllowCiPush',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${account}:role/ci-publisher` },
  Action: ['ecr:BatchCheckLayerAvailability', 'ecr:CompleteLayerUpload', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart'],
});
const identityGrant = (repositoryArn) =>
  policy(
    { Sid: 'Token', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    { Sid: 'Pull', Effect: 'Allow', Action: PULL, Resource: repositoryArn },
  );
const logsOnly = policy({ Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' });

/** A CODEBUILD-mode project (imagePullCredentialsType left out: the default) with a logs-only role. */
async function codebuildProject(c, name, image) {
  const role = await createRole(c, `${name}-role`, { inline: { logs: logsOnly } });
  await createProject(c, { name, image, serviceRoleArn: role });
  return ['--project', name];
}

async function serviceRoleProject(c, name, image, roleOptions) {
  const role = await createRole(c, `${name}-role`, roleOptions);
  await createProject(c, { name, image, serviceRoleArn: role, mode: 'SERVICE_ROLE' });
  return ['--project', name];
}

async function repoWithImage(c, repo, tags, repoPolicy) {
  await createRepository(c, repo, repoPolicy);
  for (const tag of tags) await putImage(c, repo, tag);
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** An OCI image index listing the given platforms (moto stores it with its media type, as ECR does). */
async function putImageIndex(c, repo, tag, platforms) {
  const manifests = platforms.map(([os, architecture]) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1024, digest: digestOf(`${repo}:${tag}:${os}/${architecture}`), platform: { os, architecture } }));
  await c.ecr.send(new PutImageCommand({ repositoryName: repo, imageTag: tag, imageManifest: JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }), imageManifestMediaType: OCI_INDEX }));
}

/** An ARM_CONTAINER project in CODEBUILD mode whose repository grants the pull: only the platform can fail. */
async function armProject(w, platforms) {
  await createRepository(w.a, 'app/build', policy(codebuildGrant(w.A, projectArn(w.A, 'app-build'))));
  await putImageIndex(w.a, 'app/build', 'v1', platforms);
  const role = await createRole(w.a, 'app-build-role', { inline: { logs: logsOnly } });
  await createProject(w.a, { name: 'app-build', image: uri(w.A, 'app/build', 'v1'), serviceRoleArn: role, type: 'ARM_CONTAINER' });
  return ['--project', 'app-build'];
}

/** A Docker Hub image in SERVICE_ROLE mode with a registryCredential secret (created unless `secret` is false). */
async function registryCredentialProject(w, { secret = true, inline = { logs: logsOnly } } = {}) {
  if (secret) await w.a.sm.send(new CreateSecretCommand({ Name: 'dockerhub-login', SecretString: JSON.stringify({ username: 'builder', password: 'not-a-real-password' }) }));
  const role = await createRole(w.a, 'app-build-role', { inline: typeof inline === 'function' ? inline(w) : inline });
  await createProject(w.a, { name: 'app-build', image: 'acme/builder:1.4', serviceRoleArn: role, mode: 'SERVICE_ROLE', credential: 'dockerhub-login' });
  return ['--project', 'app-build'];
}

/** Copies fixtures/eb/good for the account: image, role, and no `profile:` so the env key is used. */
async function ebFolder(w, { app = 'my-web-app', image, role }) {
  const dir = join(w.tmp, app);
  await cp(join(ROOT, 'fixtures', 'eb', 'good'), dir, { recursive: true });
  const buildspec = join(dir, 'buildspec.yml');
  const config = join(dir, '.elasticbeanstalk', 'config.yml');
  await writeFile(
    buildspec,
    (await readFile(buildspec, 'utf8'))
      .replaceAll('123456789012', w.A)
      .replace(/^(\s*Image:\s*).*$/m, `$1${image}`)
      .replace(/^(\s*CodeBuildServiceRole:\s*).*$/m, `$1${role}`),
  );
  await writeFile(
    config,
    (await readFile(config, 'utf8'))
      .replace(/^\s*profile:.*\n/m, '')
      .replace(/^(\s*application_name:\s*).*$/m, `$1${app}`),
  );
  w.paths.set(dir, `/home/dev/${app}`);
  return ['--buildspec', buildspec];
}

/** Each returns the CLI target flags. `w.a`/`w.A`: the build account; `w.b`/`w.B`: a registry account. */
const SCENARIOS = {
  async 'codebuild-mode-granted'(w) {
    await repoWithImage(w.a, 'app/build', ['v1'], policy(codebuildGrant(w.A, projectArn(w.A, 'app-build'))));
    return codebuildProject(w.a, 'app-build', uri(w.A, 'app/build', 'v1'));
  },
  async 'codebuild-mode-no-policy'(w) {
    await repoWithImage(w.a, 'app/build', ['v1']);
    return codebuildProject(w.a, 'app-build', uri(w.A, 'app/build', 'v1'));
  },
  async 'codebuild-mode-pinned-other-project'(w) {
    await repoWithImage(w.a, 'app/build', ['v1'], policy(codebuildGrant(w.A, projectArn(w.A, 'release-build'), 'ReleaseOnly')));
    return codebuildProject(w.a, 'app-build', uri(w.A, 'app/build', 'v1'));
  },
  async 'codebuild-mode-explicit-deny'(w) {
    // The common lock-down from DOMAIN.md §6: only the office network may use the registry. The
    // CodeBuild service principal's pull does not come from there, so the Deny applies to it.
    const denyOutsideOffice = {
      Sid: 'DenyOutsideOffice',
      Effect: 'Deny',
      Principal: '*',
      Action: 'ecr:*',
      Condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24'] } },
    };
    await repoWithImage(w.a, 'app/build', ['v1'], policy(codebuildGrant(w.A, projectArn(w.A, 'app-build')), denyOutsideOffice));
    return codebuildProject(w.a, 'app-build', uri(w.A, 'app/build', 'v1'));
  },
  async 'service-role-granted-inline'(w) {
    await repoWithImage(w.a, 'app/build', ['v1']);
    return serviceRoleProject(w.a, 'app-build', uri(w.A, 'app/build', 'v1'), { inline: { logs: logsOnly, 'ecr-pull': identityGrant(repoArn(w.A, 'app/build')) } });
  },
  async 'service-role-managed-policy'(w) {
    await repoWithImage(w.a, 'app/build', ['v1']);
    // v1 grants nothing useful; v2, the default version, grants the pull: the default version is what counts.
    const v1 = policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
    const v2 = policy({ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'ecr:DescribeImages'], Resource: '*' });
    return serviceRoleProject(w.a, 'app-build', uri(w.A, 'app/build', 'v1'), { inline: { logs: logsOnly }, managed: { 'ecr-read': [v1, v2] } });
  },
  async 'service-role-missing-grant'(w) {
    await repoWithImage(w.a, 'app/build', ['v1']);
    return serviceRoleProject(w.a, 'app-build', uri(w.A, 'app/build', 'v1'), { inline: { logs: logsOnly } });
  },
  async 'service-role-boundary-blocks'(w) {
    await repoWithImage(w.a, 'app/build', ['v1']);
    return serviceRoleProject(w.a, 'app-build', uri(w.A, 'app/build', 'v1'), {
      inline: { logs: logsOnly, 'ecr-pull': identityGrant(repoArn(w.A, 'app/build')) },
      boundary: policy({ Effect: 'Allow', Action: ['s3:*', 'logs:*'], Resource: '*' }),
    });
  },
  async 'cross-account-both-halves'(w) {
    const role = `arn:aws:iam::${w.A}:role/service-role/app-build-role`;
    await repoWithImage(w.b, 'shared/build', ['v1'], policy({ Sid: 'BuildAccountPull', Effect: 'Allow', Principal: { AWS: role }, Action: PULL }));
    return serviceRoleProject(w.a, 'app-build', uri(w.B, 'shared/build', 'v1'), { inline: { 'ecr-pull': identityGrant(repoArn(w.B, 'shared/build')) } });
  },
  async 'cross-account-repo-half-missing'(w) {
    // The registry's policy exists but names someone else.
    await repoWithImage(w.b, 'shared/build', ['v1'], policy({ Sid: 'LocalReader', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${w.B}:role/local-reader` }, Action: PULL }));
    return serviceRoleProject(w.a, 'app-build', uri(w.B, 'shared/build', 'v1'), { inline: { 'ecr-pull': identityGrant(repoArn(w.B, 'shared/build')) } });
  },
  async 'tag-missing'(w) {
    await repoWithImage(w.a, 'app/build', ['v1.2.0', 'v1.3.0', 'latest'], policy(codebuildGrant(w.A, projectArn(w.A, 'app-build'))));
    return codebuildProject(w.a, 'app-build', uri(w.A, 'app/build', 'v1.2.1'));
  },
  async 'repository-missing'(w) {
    return codebuildProject(w.a, 'app-build', uri(w.A, 'app/never-created', 'v1'));
  },
  async 'curated-image'(w) {
    return codebuildProject(w.a, 'app-build', 'aws/codebuild/standard:7.0');
  },
  async 'docker-hub-image'(w) {
    return codebuildProject(w.a, 'app-build', 'node:20');
  },
  async 'region-mismatch'(w) {
    const west = clientsFor(w.endpoint, w.A, 'us-west-2');
    await repoWithImage(west, 'app/build', ['v1'], policy(codebuildGrant(w.A, projectArn(w.A, 'app-build'))));
    return codebuildProject(w.a, 'app-build', uri(w.A, 'app/build', 'v1', 'us-west-2'));
  },
  async 'eb-deploy-role-rights-unused'(w) {
    // The seed story: the role has every ECR right; the repository policy lets CI push and nothing else.
    await repoWithImage(w.a, 'my-web-app-build', ['latest'], policy(ciPushGrant(w.A)));
    await createRole(w.a, 'my-codebuild-role', { path: '/', inline: { logs: logsOnly, 'ecr-pull': identityGrant(repoArn(w.A, 'my-web-app-build')) } });
    return ebFolder(w, { image: uri(w.A, 'my-web-app-build', 'latest'), role: 'my-codebuild-role' });
  },
  async 'eb-deploy-granted-pattern'(w) {
    const pattern = `arn:aws:codebuild:${REGION}:${w.A}:project/Elastic-Beanstalk-my-web-app-*`;
    await repoWithImage(w.a, 'my-web-app-build', ['latest'], policy(ciPushGrant(w.A), codebuildGrant(w.A, pattern, 'EbDeployPull')));
    await createRole(w.a, 'my-codebuild-role', { path: '/', inline: { logs: logsOnly } });
    return ebFolder(w, { image: uri(w.A, 'my-web-app-build', 'latest'), role: 'my-codebuild-role' });
  },
  async 'open-principal-star'(w) {
    await repoWithImage(w.a, 'app/build', ['v1'], policy({ Sid: 'EveryonePull', Effect: 'Allow', Principal: '*', Action: PULL }));
    return codebuildProject(w.a, 'app-build', uri(w.A, 'app/build', 'v1'));
  },
  async 'legacy-codebuild-principal'(w) {
    // The policy CodeBuild's documentation once gave: the us-east-1 CodeBuild account root.
    await repoWithImage(w.a, 'app/build', ['v1'], policy({ Sid: 'CodeBuildAccess', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::201349592320:root' }, Action: PULL }));
    return codebuildProject(w.a, 'app-build', uri(w.A, 'app/build', 'v1'));
  },
  // Pulls inside the build (issue 16): an inline buildspec that pulls a private image.
  async 'in-build-no-login'(w) {
    w.paths.set(w.tmp, '/home/dev/app');
    await repoWithImage(w.a, 'app/base', ['1'], undefined);
    const role = await createRole(w.a, 'app-build-role', { inline: { logs: logsOnly, 'ecr-pull': identityGrant(repoArn(w.A, 'app/base')) } });
    const buildspec = ['version: 0.2', 'phases:', '  build:', '    commands:', `      - docker pull ${uri(w.A, 'app/base', '1')}`].join('\n');
    await createProject(w.a, { name: 'app-build', image: 'aws/codebuild/standard:7.0', serviceRoleArn: role, buildspec, privileged: true });
    return ['--project', 'app-build'];
  },
  async 'in-build-not-privileged'(w) {
    w.paths.set(w.tmp, '/home/dev/app');
    await repoWithImage(w.a, 'app/base', ['1'], undefined);
    const role = await createRole(w.a, 'app-build-role', { inline: { logs: logsOnly, 'ecr-pull': identityGrant(repoArn(w.A, 'app/base')) } });
    const host = uri(w.A, 'app/base', '1').split('/')[0];
    const buildspec = ['version: 0.2', 'phases:', '  pre_build:', '    commands:', `      - aws ecr get-login-password --region ${REGION} | docker login --username AWS --password-stdin ${host}`, '  build:', '    commands:', `      - docker build -t out --build-arg BASE=${uri(w.A, 'app/base', '1')} .`].join('\n');
    await createProject(w.a, { name: 'app-build', image: 'aws/codebuild/standard:7.0', serviceRoleArn: role, buildspec, privileged: false });
    return ['--project', 'app-build'];
  },
  async 'multi-project'(w) {
    // One image, two projects; the grant was written for web-build only.
    await repoWithImage(w.a, 'shared/build-image', ['2026.01'], policy(codebuildGrant(w.A, projectArn(w.A, 'web-build'), 'WebBuildPull')));
    const image = uri(w.A, 'shared/build-image', '2026.01');
    return [...(await codebuildProject(w.a, 'web-build', image)), ...(await codebuildProject(w.a, 'api-build', image))];
  },
  async 'platform-arm-amd64-only'(w) {
    return armProject(w, [['linux', 'amd64']]);
  },
  async 'platform-arm-multi-arch'(w) {
    return armProject(w, [['linux', 'amd64'], ['linux', 'arm64']]);
  },
  async 'registry-credential-missing-secret'(w) {
    return registryCredentialProject(w, { secret: false });
  },
  async 'registry-credential-role-cannot-read'(w) {
    return registryCredentialProject(w);
  },
  async 'registry-credential-readable'(w) {
    const read = (x) => policy({ Sid: 'ReadDockerHubLogin', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:secretsmanager:${REGION}:${x.A}:secret:dockerhub-login-*` });
    return registryCredentialProject(w, { inline: (x) => ({ logs: logsOnly, 'read-secret': read(x) }) });
  },
};

/** Hand-made scenarios, derived from recorded ones (moto cannot produce these facts). */
const DERIVED = {
  'image-size-too-large': {
    from: 'platform-arm-multi-arch',
    // moto reports imageSizeInBytes 1; ECR reports the compressed size. 70 GB > the 64 GB of BUILD_GENERAL1_SMALL.
    derive(facts) {
      for (const image of Object.values(Object.values(facts.repositories)[0].images)) image.value.sizeInBytes = 70_000_000_000;
      return facts;
    },
  },
  'image-size-near-limit': {
    from: 'platform-arm-multi-arch',
    // 40 GB compressed on a 64 GB disk: fits as far as anyone can tell, but unpacked it may not.
    derive(facts) {
      for (const image of Object.values(Object.values(facts.repositories)[0].images)) image.value.sizeInBytes = 40_000_000_000;
      return facts;
    },
  },
  'registry-credential-key-policy-unreadable': {
    from: 'registry-credential-readable',
    // A secret encrypted with a customer managed key whose policy the caller may not read (kms:GetKeyPolicy denied).
    derive(facts) {
      const secret = Object.values(facts.secrets)[0];
      const keyArn = `arn:aws:kms:${REGION}:${MAIN_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
      secret.secret.value.kmsKeyId = keyArn;
      secret.kmsKey = { state: 'present', value: { arn: keyArn, keyManager: 'CUSTOMER' } };
      // Word for word what src/sources/live/aws-errors.ts unreadableFrom records for a denial.
      secret.keyPolicy = { state: 'unreadable', reason: 'AccessDenied on kms:GetKeyPolicy', permission: 'kms:GetKeyPolicy' };
      return facts;
    },
  },
  'archived-image': {
    from: 'tag-missing',
    // ECR's archive storage class: DescribeImages reports imageStatus ARCHIVED; moto never returns imageStatus.
    derive(facts) {
      const project = facts.projects[0].project.value;
      project.image = project.image.replace(/:v1\.2\.1$/, ':v1.2.0');
      const repo = Object.values(facts.repositories)[0];
      repo.images = {
        'v1.2.0': { state: 'present', value: { digest: digestOf(manifestFor('app/build', 'v1.2.0')), tags: ['v1.2.0'], status: 'ARCHIVED', pushedAt: FIXED_DATE } },
      };
      delete repo.knownTags;
      return facts;
    },
  },
  'access-denied-role-policy': {
    from: 'service-role-granted-inline',
    // What the live source records when the caller may list the role's inline policies but not read them.
    derive(facts) {
      const role = Object.values(facts.roles)[0];
      role.inlinePolicies = {
        state: 'unreadable',
        // Word for word what src/sources/live/aws-errors.ts unreadableFrom records for a denial.
        reason: 'AccessDenied on iam:GetRolePolicy',
        permission: 'iam:GetRolePolicy',
      };
      return facts;
    },
  },
  'registry-policy-deny': {
    from: 'codebuild-mode-granted',
    // Scope V2 and a registry policy with pull actions: moto 5.2 implements neither GetAccountSetting
    // nor PutRegistryPolicy beyond the V1 actions, so this is what AWS would let the live source record.
    derive(facts) {
      const registry = Object.values(facts.registries)[0];
      registry.policyScope = { state: 'present', value: { scope: 'V2' } };
      registry.policy = {
        state: 'present',
        value: { text: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'OnlyFromTheOffice', Effect: 'Deny', Principal: '*', Action: 'ecr:*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }] }) },
      };
      return facts;
    },
  },
};

// ── running the CLI and making its output stable ───────────────────────────────

function runCli(args, env, cwd) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'ecr-doctor.js'), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function stabilise(text, w) {
  let out = text;
  // Account ids stand alone (ARN fields, URI hosts, JSON strings); never inside a hex digest.
  for (const [from, to] of [[w.A, MAIN_ACCOUNT], [w.B, REGISTRY_ACCOUNT]]) {
    out = out.replace(new RegExp(`(?<![0-9a-fA-F])${from}(?![0-9a-fA-F])`, 'g'), to);
  }
  for (const [from, to] of w.paths) out = out.replaceAll(from, to);
  // Secrets Manager appends six random characters to a secret's ARN: make them stable.
  out = out.replace(/(:secret:[A-Za-z0-9/_+=.@-]+?-)[A-Za-z0-9]{6}(?=["\s])/g, '$1AbCdEf');
  const facts = JSON.parse(out);
  facts.generatedAt = FIXED_DATE;
  const visit = (v) => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (v && typeof v === 'object') {
      for (const key of Object.keys(v)) {
        if ((key === 'createdAt' || key === 'pushedAt') && typeof v[key] === 'string') v[key] = FIXED_DATE;
        else visit(v[key]);
      }
    }
  };
  visit(facts);
  return facts;
}

const toText = (facts) => `${JSON.stringify(facts, null, 2)}\n`;

async function record(name, endpoint, proxyEndpoint, tmpRoot) {
  const A = randomAccount();
  const B = randomAccount();
  const w = { A, B, a: clientsFor(endpoint, A), b: clientsFor(endpoint, B), endpoint, tmp: await mkdtemp(join(tmpRoot, `${name}-`)), paths: new Map() };
  const key = await createCliKey(w.a);
  const targets = await SCENARIOS[name](w);
  const out = join(w.tmp, 'snapshot.json');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: w.tmp,
    NO_COLOR: '1',
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL: proxyEndpoint,
    AWS_CONFIG_FILE: join(w.tmp, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(w.tmp, 'no-aws-credentials'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '1',
  };
  const run = await runCli(['snapshot', ...targets, '--output', out], env, w.tmp);
  if (run.code !== 0) throw new Error(`${name}: ecr-doctor snapshot exited ${run.code}\n${run.stderr}`);
  const facts = stabilise(await readFile(out, 'utf8'), w);
  await writeFile(join(OUT_DIR, `${name}.json`), toText(facts));
  await rm(w.tmp, { recursive: true, force: true });
  return facts;
}

async function main() {
  const wanted = process.argv.slice(2);
  const known = [...Object.keys(SCENARIOS), ...Object.keys(DERIVED)];
  const unknown = wanted.filter((n) => !known.includes(n));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${known.join(', ')}`);
  const names = wanted.length ? wanted : known;
  const moto = await startMoto();
  const proxy = await startRegistryProxy(moto.endpoint);
  const tmpRoot = await mkdtemp(join(tmpdir(), 'ecr-doctor-record-'));
  const stop = () => moto.child.kill('SIGTERM');
  process.once('exit', stop);
  try {
    const recorded = new Map();
    for (const name of names.filter((n) => n in SCENARIOS)) {
      recorded.set(name, await record(name, moto.endpoint, proxy.endpoint, tmpRoot));
      process.stderr.write(`recorded fixtures/snapshots/${name}.json\n`);
    }
    for (const name of names.filter((n) => n in DERIVED)) {
      const { from, derive } = DERIVED[name];
      const base = recorded.get(from) ?? JSON.parse(await readFile(join(OUT_DIR, `${from}.json`), 'utf8'));
      await writeFile(join(OUT_DIR, `${name}.json`), toText(derive(structuredClone(base))));
      process.stderr.write(`derived  fixtures/snapshots/${name}.json from ${from}.json\n`);
    }
  } finally {
    proxy.server.closeAllConnections();
    proxy.server.close();
    stop();
    process.removeListener('exit', stop);
    await rm(tmpRoot, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`record-snapshots: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
