import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/checks/index.js';
import type { Result } from '../../../src/model/result.js';
import { annotateResults } from '../../../src/sources/iac/annotate-results.js';
import type { IacTarget } from '../../../src/sources/iac/read-iac.js';
import { readIacFacts } from '../../../src/sources/iac/read-iac.js';
import { REPO_ROOT, runCli } from '../../cli/spawn.js';

const tf = join(REPO_ROOT, 'fixtures', 'terraform', 'inline-buildspec');
const cfn = join(REPO_ROOT, 'fixtures', 'cloudformation', 'inline-buildspec.yaml');

async function judge(t: Omit<IacTarget, 'parameters'> & { parameters?: string[] }) {
  const read = await readIacFacts({ parameters: [], ...t });
  return { ...read, results: annotateResults(runChecks(read.facts), read.facts) };
}

const loginOf = (results: Result[]) => results.filter((r) => r.check === 'registry-login');

describe('the inline buildspec of a project in code is analysed for its in-build pulls', () => {
  it('Terraform plan: a docker pull from a second repository without login fails registry-login at the project block', async () => {
    const { results } = await judge({ terraformPlan: join(tf, 'plan.json') });
    const [login] = loginOf(results);
    expect(login?.status).toBe('fail');
    expect(login?.subject).toContain('(in the build: docker pull 123456789012.dkr.ecr.us-east-1.amazonaws.com/seed-tools:1.0)');
    expect(login?.evidence).toMatchObject({ source: 'terraform-plan', file: 'fixtures/terraform/inline-buildspec/main.tf', line: 39, location: { address: 'aws_codebuild_project.build' } });
  });

  it('Terraform source: the heredoc buildspec gives the same verdict', async () => {
    const { results } = await judge({ terraformDir: tf });
    const [login] = loginOf(results);
    expect(login?.status).toBe('fail');
    expect(login?.evidence).toMatchObject({ source: 'terraform', file: 'fixtures/terraform/inline-buildspec/main.tf', line: 39 });
  });

  it('CloudFormation: Source.BuildSpec from !Sub naming a repository of the template fails registry-login with file:line', async () => {
    const { results } = await judge({ cloudformation: cfn });
    const [login] = loginOf(results);
    expect(login?.status).toBe('fail');
    expect(login?.message).toContain('seed-tools:1.0');
    expect(login?.evidence).toMatchObject({ source: 'cloudformation', file: 'fixtures/cloudformation/inline-buildspec.yaml', line: 36 });
    // The pulled repository is the template's own: its existence is known, its images are not before deploy.
    const subject = login?.subject ?? '';
    expect(results.find((r) => r.subject === subject && r.check === 'repository-exists')?.status).toBe('pass');
    expect(results.find((r) => r.subject === subject && r.check === 'image-exists')?.status).toBe('skip');
  });

  it('the built CLI prints the failure with file:line (Terraform plan and CloudFormation)', async () => {
    const plan = await runCli(['doctor', '--terraform-plan', join(tf, 'plan.json')], { cwd: REPO_ROOT });
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/FAIL {2}registry-login {2}`docker pull 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/seed-tools:1\.0`[^\n]*\n\s+at fixtures\/terraform\/inline-buildspec\/main\.tf:39 \(aws_codebuild_project\.build\)/);
    const template = await runCli(['doctor', '--cloudformation', cfn, '--format', 'json'], { cwd: REPO_ROOT });
    const report = JSON.parse(template.stdout) as { results: Result[] };
    expect(loginOf(report.results)[0]).toMatchObject({ status: 'fail', evidence: { file: 'fixtures/cloudformation/inline-buildspec.yaml', line: 36 } });
  });

  describe('unknown, in the source, or missing', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-iac-buildspec-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('a buildspec the plan knows only at apply (after_unknown) is unknown before deploy, never judged', async () => {
      const plan = JSON.parse(await readFile(join(tf, 'plan.json'), 'utf8')) as { planned_values: { root_module: { resources: { type: string; values: { source: { buildspec?: string }[] } }[] } }; resource_changes: { type: string; change: { after: { source: { buildspec?: string }[] }; after_unknown: { source: Record<string, unknown>[] } } }[] };
      for (const r of plan.planned_values.root_module.resources) if (r.type === 'aws_codebuild_project') delete r.values.source[0]!.buildspec;
      for (const r of plan.resource_changes) {
        if (r.type !== 'aws_codebuild_project') continue;
        delete r.change.after.source[0]!.buildspec;
        r.change.after_unknown.source = [{ buildspec: true }];
      }
      const file = join(dir, 'unknown-plan.json');
      await writeFile(file, JSON.stringify(plan));
      const { facts, results } = await judge({ terraformPlan: file, terraformDir: tf });
      expect(facts.projects[0]?.buildspec).toMatchObject({ state: 'unreadable', beforeDeploy: true, reason: 'the buildspec of aws_codebuild_project.build is known only at apply' });
      expect(loginOf(results)).toEqual([]);
      expect(results.some((r) => r.status === 'pass' && r.check === 'buildspec-pulls')).toBe(false);
    });

    it('an unresolved !Sub (Fn::ImportValue) in Source.BuildSpec is unknown', async () => {
      const text = (await readFile(cfn, 'utf8')).replace('${ToolsRepo.RepositoryUri}:1.0 lint', '${Tools}:1.0 lint\n          - { Tools: !ImportValue tools-uri }');
      const file = join(dir, 'import.yaml');
      // Sub's two-argument form: [text, variables].
      await writeFile(file, text.replace('BuildSpec: !Sub |', 'BuildSpec: !Sub\n          - |').replace(/\n {10}(version|phases|  build|    commands|      - docker)/g, '\n            $1'));
      const { facts, results } = await judge({ cloudformation: file });
      expect(facts.projects[0]?.buildspec).toMatchObject({ state: 'unreadable', beforeDeploy: true });
      expect(facts.projects[0]?.buildspec).toMatchObject({ reason: expect.stringContaining('BuildProject.Source.BuildSpec: a cross-stack import (Fn::ImportValue)') });
      expect(loginOf(results)).toEqual([]);
    });

    it("file(\"${path.module}/...\") in Terraform source reads the buildspec next to the .tf", async () => {
      const folder = join(dir, 'tf-file');
      await mkdir(folder, { recursive: true });
      const main = (await readFile(join(tf, 'main.tf'), 'utf8')).replace(/buildspec = <<-EOT[\s\S]*?EOT\n/, 'buildspec = file("${path.module}/ci/buildspec.yml")\n');
      await writeFile(join(folder, 'main.tf'), main);
      await mkdir(join(folder, 'ci'));
      await writeFile(join(folder, 'ci', 'buildspec.yml'), 'version: 0.2\nphases:\n  pre_build:\n    commands:\n      - aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com\n  build:\n    commands:\n      - docker pull 123456789012.dkr.ecr.us-east-1.amazonaws.com/seed-tools:1.0\n');
      const { results } = await judge({ terraformDir: folder });
      expect(loginOf(results).map((r) => r.status)).toEqual(['pass']);
    });

    it('a buildspec that is a file of the source is read from the code folder when it is there, and says so; else not readable before deploy', async () => {
      const folder = join(dir, 'cfn-path');
      await mkdir(folder, { recursive: true });
      const template = (await readFile(cfn, 'utf8')).replace(/BuildSpec: !Sub \|[\s\S]*$/, 'BuildSpec: ci/buildspec.yml\n');
      await writeFile(join(folder, 'template.yaml'), template);
      const missing = await judge({ cloudformation: join(folder, 'template.yaml') });
      expect(missing.facts.projects[0]?.buildspec).toMatchObject({ state: 'unreadable', reason: expect.stringContaining('the file ci/buildspec.yml in the project\'s source (source NO_SOURCE), which is not in the code\'s folder: not readable before deploy') });
      expect(loginOf(missing.results)).toEqual([]);

      await mkdir(join(folder, 'ci'));
      await writeFile(join(folder, 'ci', 'buildspec.yml'), 'version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull 123456789012.dkr.ecr.us-east-1.amazonaws.com/seed-tools:1.0\n');
      const found = await judge({ cloudformation: join(folder, 'template.yaml') });
      const bs = found.facts.projects[0]?.buildspec;
      expect(bs?.state).toBe('present');
      expect(bs?.state === 'present' ? bs.value.origin : '').toContain("read from the code's folder");
      expect(loginOf(found.results).map((r) => r.status)).toEqual(['fail']);
    });
  });
});
