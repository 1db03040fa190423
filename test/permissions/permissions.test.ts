// `ecr-doctor permissions [--fix]` (issue 7 item 4): the printed policy is generated from
// AWS_CALLS, and AWS_CALLS is kept in step with the SDK commands the code really constructs.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AWS_CALLS, permissionsPolicy } from '../../src/permissions/aws-calls.js';
import { REPO_ROOT, runCli } from '../cli/spawn.js';

const SRC = join(REPO_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

// The SDK package a command comes from decides its IAM service prefix.
const SERVICE_OF_PACKAGE: Record<string, string> = {
  '@aws-sdk/client-codebuild': 'codebuild',
  '@aws-sdk/client-ecr': 'ecr',
  '@aws-sdk/client-iam': 'iam',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-kms': 'kms',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-organizations': 'organizations',
  '@aws-sdk/client-ssm': 'ssm',
};

interface CommandUse {
  command: string;
  file: string;
  /** The @aws-sdk package the file takes it from (static import or destructured dynamic import). */
  from?: string;
}

/**
 * Comments may mention commands (`new XCommand(`) without calling them. Only whole comment lines
 * and trailing `// ...` are dropped: a blind block-comment strip would eat code after a string
 * such as 'project/*'.
 */
function stripComments(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
    .map((line) => line.replace(/\s\/\/\s.*$/, ''))
    .join('\n');
}

/** Every `new <Name>Command(` in src/, with the package its file imports it from. */
function scanCommandUses(): CommandUse[] {
  const uses: CommandUse[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = stripComments(readFileSync(file, 'utf8'));
    const origin = new Map<string, string>();
    for (const m of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'(@aws-sdk\/[^']+)'/g)) {
      for (const name of m[1]!.split(',').map((s) => s.trim().split(/\s+as\s+/)[0]!.replace(/^type\s+/, ''))) origin.set(name, m[2]!);
    }
    for (const m of text.matchAll(/\{([^{}]*)\}\s*=\s*await\s+import\('(@aws-sdk\/[^']+)'\)/g)) {
      for (const name of m[1]!.split(',').map((s) => s.trim().split(':')[0]!.trim())) origin.set(name, m[2]!);
    }
    for (const m of text.matchAll(/new\s+(\w+Command)\s*\(/g)) {
      const from = origin.get(m[1]!);
      uses.push({ command: m[1]!, file: relative(REPO_ROOT, file), ...(from ? { from } : {}) });
    }
  }
  return uses;
}

const PUSH_ACTIONS = ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:BatchDeleteImage'];
// DOMAIN.md §8: what the doctor needs, read-only.
const DOMAIN_READ_ACTIONS = [
  'sts:GetCallerIdentity', 'codebuild:BatchGetProjects', 'codebuild:ListBuilds', 'codebuild:ListBuildsForProject',
  'codebuild:BatchGetBuilds', 'ecr:DescribeRepositories', 'ecr:GetRepositoryPolicy', 'ecr:DescribeImages', 'iam:GetRole',
  'iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies', 'iam:GetPolicy', 'iam:GetPolicyVersion',
];

interface Policy {
  Version: string;
  Statement: Array<{ Sid?: string; Effect: string; Action: string[]; Resource: string }>;
}

const actionsOf = (p: Policy) => p.Statement.flatMap((s) => s.Action);

describe('AWS_CALLS is the one source of truth', () => {
  const uses = scanCommandUses();

  it('the scan finds the SDK calls (it is not vacuous)', () => {
    expect(uses.length).toBeGreaterThanOrEqual(10);
    expect(uses.map((u) => u.command)).toContain('GetRepositoryPolicyCommand');
  });

  it('the set of `new <Name>Command(` in src/ equals AWS_CALLS.map(c => c.command)', () => {
    const used = [...new Set(uses.map((u) => u.command))].sort();
    const listed = [...new Set(AWS_CALLS.map((c) => c.command))].sort();
    expect(used).toEqual(listed);
    expect(AWS_CALLS.length).toBe(listed.length); // no command listed twice
  });

  it('every command is taken from an @aws-sdk client package', () => {
    expect(uses.filter((u) => !u.from || !SERVICE_OF_PACKAGE[u.from]).map((u) => `${u.command} in ${u.file}`)).toEqual([]);
  });

  it('every action is service:Operation, the operation being the command name and the service its client', () => {
    const serviceOf = new Map(uses.map((u) => [u.command, SERVICE_OF_PACKAGE[u.from ?? '']]));
    for (const call of AWS_CALLS) {
      expect(call.action, call.command).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/);
      const operation = call.command.replace(/Command$/, '');
      expect(call.action, call.command).toBe(`${serviceOf.get(call.command)}:${operation}`);
      expect(call.why.trim(), call.command).not.toBe('');
    }
  });

  it('no paginator hides a call from the scan', () => {
    const paginated = sourceFiles(SRC).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/\bpaginate(\w+)\s*\(/g)].map((m) => `${m[1]}Command`));
    for (const cmd of paginated) expect(AWS_CALLS.map((c) => c.command)).toContain(cmd);
  });

  it('covers what DOMAIN.md §8 says the doctor needs, and writes only for fix', () => {
    const doctor = AWS_CALLS.filter((c) => c.use === 'doctor').map((c) => c.action);
    for (const a of DOMAIN_READ_ACTIONS) expect(doctor).toContain(a);
    expect(AWS_CALLS.filter((c) => c.use === 'fix').map((c) => c.action).sort()).toEqual(['ecr:DeleteRepositoryPolicy', 'ecr:SetRepositoryPolicy', 'iam:DeleteRolePolicy', 'iam:PutRolePolicy']);
    for (const a of doctor) expect(a).toMatch(/:(Get|List|Describe|BatchGet)/);
  });
});

describe('ecr-doctor permissions (spawned)', () => {
  it('prints the read-only policy as valid JSON, the same as permissionsPolicy(false)', async () => {
    const run = await runCli(['permissions']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const policy = JSON.parse(run.stdout) as Policy;
    expect(policy).toEqual(permissionsPolicy(false));
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]).toMatchObject({ Effect: 'Allow', Resource: '*' });
    const actions = actionsOf(policy);
    expect(actions).toEqual([...actions].sort());
    expect(new Set(actions)).toEqual(new Set(AWS_CALLS.filter((c) => c.use === 'doctor').map((c) => c.action)));
    expect(actions).not.toContain('ecr:SetRepositoryPolicy');
    expect(actions).not.toContain('iam:PutRolePolicy');
    for (const a of actions) expect(a).not.toContain('*');
  });

  it('--fix adds ecr:SetRepositoryPolicy and iam:PutRolePolicy, and no push action', async () => {
    const run = await runCli(['permissions', '--fix']);
    expect(run.code).toBe(0);
    const policy = JSON.parse(run.stdout) as Policy;
    expect(policy).toEqual(permissionsPolicy(true));
    const actions = actionsOf(policy);
    expect(actions).toEqual(expect.arrayContaining(['ecr:SetRepositoryPolicy', 'iam:PutRolePolicy', ...DOMAIN_READ_ACTIONS]));
    for (const push of PUSH_ACTIONS) expect(actions).not.toContain(push);
    for (const a of actions) expect(a).not.toContain('*');
    const readOnly = actionsOf(JSON.parse((await runCli(['permissions'])).stdout) as Policy);
    expect(actions.filter((a) => !readOnly.includes(a)).sort()).toEqual(['ecr:DeleteRepositoryPolicy', 'ecr:SetRepositoryPolicy', 'iam:DeleteRolePolicy', 'iam:PutRolePolicy']);
  });
});
