import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/checks/index.js';
import { UsageError } from '../../../src/model/errors.js';
import type { Result } from '../../../src/model/result.js';
import { annotateResults } from '../../../src/sources/iac/annotate-results.js';
import { assembleFacts, PLACEHOLDER_ACCOUNT } from '../../../src/sources/iac/assemble-facts.js';
import { TemplateResolver, Unknown } from '../../../src/sources/cloudformation/intrinsics.js';
import { readCloudFormation } from '../../../src/sources/cloudformation/template.js';
import { parseTemplate } from '../../../src/sources/cloudformation/yaml-tags.js';
import { REPO_ROOT } from '../../cli/spawn.js';

const FIXTURES = join(REPO_ROOT, 'fixtures', 'cloudformation');
const run = promisify(execFile);

async function diagnose(file: string, parameters: string[] = []): Promise<Result[]> {
  const facts = assembleFacts(await readCloudFormation(join(FIXTURES, file), { parameters }));
  return annotateResults(runChecks(facts), facts);
}
const statusOf = (results: Result[], check: string) => results.find((r) => r.check === check)?.status;

describe('CloudFormation source: the seed story', () => {
  it('fails without a repository policy, naming the service principal and the template line of the repository', async () => {
    const results = await diagnose('seed-no-policy.yaml');
    const pull = results.find((r) => r.check === 'codebuild-principal-can-pull');
    expect(pull?.status).toBe('fail');
    expect(pull?.message).toContain('codebuild.amazonaws.com');
    expect(pull?.evidence).toMatchObject({ source: 'cloudformation', line: 8, location: { address: 'BuildRepo' } });
    expect(statusOf(results, 'role-rights-unused')).toBe('warn');
  });

  it('passes with RepositoryPolicyText (YAML short forms !Ref/!Sub/!GetAtt)', async () => {
    const results = await diagnose('seed-granted.yaml');
    expect(statusOf(results, 'codebuild-principal-can-pull')).toBe('pass');
    expect(results.filter((r) => r.status === 'fail' || r.status === 'error')).toEqual([]);
  });

  it('JSON with Fn::If on a condition, Fn::Join, a parameter default and AWS::NoValue; --parameter turns the verdict', async () => {
    expect(statusOf(await diagnose('seed-granted-conditions.json'), 'codebuild-principal-can-pull')).toBe('pass');
    const without = await diagnose('seed-granted-conditions.json', ['GrantCodeBuild=false']);
    expect(statusOf(without, 'codebuild-principal-can-pull')).toBe('fail');
    expect(without.find((r) => r.check === 'image-exists')?.evidence).toMatchObject({ reference: '1.2' });
  });

  it('an account given with --parameter AWS::AccountId is used; without it the placeholder never shows', async () => {
    const given = assembleFacts(await readCloudFormation(join(FIXTURES, 'seed-granted.yaml'), { parameters: ['AWS::AccountId=111122223333'], region: 'eu-west-1' }));
    expect(Object.keys(given.repositories)).toEqual(['arn:aws:ecr:eu-west-1:111122223333:repository/seed-app']);
    expect(given.unknownAccount).toBeUndefined();
    const results = await diagnose('seed-granted.yaml');
    expect(JSON.stringify(results)).not.toContain(PLACEHOLDER_ACCOUNT);
  });

  it('bad input is a usage error', async () => {
    await expect(readCloudFormation(join(FIXTURES, 'nope.yaml'), { parameters: [] })).rejects.toBeInstanceOf(UsageError);
    await expect(readCloudFormation(join(FIXTURES, 'seed-granted.yaml'), { parameters: ['novalue'] })).rejects.toThrow(/Key=Value/);
    await expect(readCloudFormation(join(REPO_ROOT, 'package.json'), { parameters: [] })).rejects.toThrow(/no Resources/);
    await expect(readCloudFormation(FIXTURES, { parameters: [] })).rejects.toThrow(/manifest\.json/);
  });
});

describe('CDK: cloud assemblies synthesized by scripts/synth-cdk-fixtures.mjs', () => {
  const cdk = (name: string) => join(REPO_ROOT, 'fixtures', 'cdk', `${name}.out`);
  it('the seed without a repository policy fails, pointing at the repository in the stack template', async () => {
    const facts = assembleFacts(await readCloudFormation(cdk('seed-no-policy'), { parameters: [] }));
    const results = annotateResults(runChecks(facts), facts);
    const pull = results.find((r) => r.check === 'codebuild-principal-can-pull');
    expect(pull?.status).toBe('fail');
    expect(pull?.evidence).toMatchObject({ source: 'cloudformation', location: { address: expect.stringMatching(/^SeedStack\/BuildRepo/) } });
    expect(String(pull?.evidence?.file)).toMatch(/seed-no-policy\.out\/SeedStack\.template\.json$/);
    // CDK's Fn::Join/Fn::Select/Fn::Split image URI resolves to the repository of the same stack.
    expect(facts.projects[0]?.project).toMatchObject({ state: 'present', value: { image: `${PLACEHOLDER_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/seed-app:latest`, imagePullCredentialsType: 'CODEBUILD' } });
  });
  it('the seed with the grant passes', async () => {
    const facts = assembleFacts(await readCloudFormation(cdk('seed-granted'), { parameters: [] }));
    const results = annotateResults(runChecks(facts), facts);
    expect(statusOf(results, 'codebuild-principal-can-pull')).toBe('pass');
    expect(results.filter((r) => r.status === 'fail' || r.status === 'error')).toEqual([]);
  });
});

describe('CloudFormation intrinsic functions', () => {
  const template = {
    Parameters: { Env: { Type: 'String', Default: 'dev' }, Secret: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/app/x' }, NoDefault: { Type: 'String' } },
    Mappings: { Tags: { dev: { Image: 'img:dev' } } },
    Conditions: { IsDev: { 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] }, NotDev: { 'Fn::Not': [{ Condition: 'IsDev' }] } },
    Resources: { Repo: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'app' } } },
  };
  const resolver = new TemplateResolver({ template, parameters: new Map(), region: 'eu-west-1', nameOf: (id) => (id === 'Repo' ? 'app' : id) });
  it.each([
    [{ 'Fn::Sub': '${AWS::Region}-${Env}-${!Literal}' }, 'eu-west-1-dev-${Literal}'],
    [{ 'Fn::Sub': ['${X}/${Repo.Arn}', { X: 'x' }] }, `x/arn:aws:ecr:eu-west-1:${PLACEHOLDER_ACCOUNT}:repository/app`],
    [{ 'Fn::Join': ['-', ['a', { Ref: 'Env' }]] }, 'a-dev'],
    [{ 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] }, 'b'],
    [{ 'Fn::If': ['NotDev', 'prod', 'dev'] }, 'dev'],
    [{ 'Fn::FindInMap': ['Tags', { Ref: 'Env' }, 'Image'] }, 'img:dev'],
    [{ 'Fn::GetAtt': ['Repo', 'RepositoryUri'] }, `${PLACEHOLDER_ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/app`],
  ])('%j resolves', (input, expected) => {
    expect(resolver.resolve(input)).toEqual(expected);
  });
  it.each([[{ 'Fn::ImportValue': 'Other-RepoUri' }], [{ Ref: 'Secret' }], [{ Ref: 'NoDefault' }], ['{{resolve:ssm:/x}}'], [{ 'Fn::GetAZs': '' }]])('%j is unknown, never guessed', (input) => {
    expect(resolver.resolve(input)).toBeInstanceOf(Unknown);
  });
  it('YAML short-form tags become the long forms', () => {
    const { value } = parseTemplate('A: !Ref X\nB: !GetAtt R.Arn\nC: !Sub "${X}"\nD: !Join [":", [a, b]]\nE: !If [C, 1, 2]\nF: !Select [0, !Split [",", "a,b"]]\n');
    expect(value).toEqual({ A: { Ref: 'X' }, B: { 'Fn::GetAtt': ['R', 'Arn'] }, C: { 'Fn::Sub': '${X}' }, D: { 'Fn::Join': [':', ['a', 'b']] }, E: { 'Fn::If': ['C', 1, 2] }, F: { 'Fn::Select': [0, { 'Fn::Split': [',', 'a,b'] }] } });
  });
});

describe('the hand-written template fixtures', () => {
  it('pass cfn-lint', async () => {
    const files = readdirSync(FIXTURES).filter((f) => /\.(ya?ml|json)$/.test(f)).map((f) => join(FIXTURES, f));
    expect(files.length).toBeGreaterThanOrEqual(3);
    // cfn-lint exits non-zero on errors (2) and warnings (4); informational findings (8) are fine.
    const result = await run('cfn-lint', files).then(() => ({ code: 0, stdout: '' }), (e: { code: number | string; stdout: string }) => ({ code: e.code, stdout: e.stdout }));
    // A missing cfn-lint (ENOENT) must fail this test, never pass it: `npm run setup:test` installs it.
    expect(typeof result.code, `cfn-lint did not run (${String(result.code)}); install it with: npm run setup:test`).toBe('number');
    expect(Number(result.code) & 6, result.stdout).toBe(0);
  });
});
