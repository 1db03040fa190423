import { describe, expect, it } from 'vitest';
import { analyseBuildspec } from '../../src/buildspec/analyse-buildspec.js';
import { readFromLines } from '../../src/buildspec/dockerfile-froms.js';

const files = (map: Record<string, string>) => async (path: string) => map[path];

async function analyse(text: string, fileMap: Record<string, string> = {}, sourceDir: string | null = '/src') {
  return analyseBuildspec({ text, origin: 'test', file: 'buildspec.yml', ...(sourceDir ? { sourceDir } : {}), readText: files(fileMap), variables: { region: 'us-east-1', account: '111122223333', layers: [] } });
}

describe('readFromLines (dockerfile-ast)', () => {
  it('substitutes ARG defaults and --build-arg, and skips stages and scratch', () => {
    const lines = readFromLines('ARG BASE=a/b\nARG TAG\nFROM ${BASE}:${TAG:-1} AS build\nFROM build\nFROM scratch\nFROM --platform=linux/arm64 c:$TAG\n', new Map([['TAG', '9']]));
    expect(lines).toEqual([
      { line: 3, expression: '${BASE}:${TAG:-1}', unresolved: [], image: 'a/b:9' },
      { line: 6, expression: 'c:$TAG', unresolved: [], image: 'c:9', platform: 'linux/arm64' },
    ]);
  });

  it('reports an ARG with no value as unresolved', () => {
    const [line] = readFromLines('ARG BASE\nFROM $BASE\n', new Map());
    expect(line?.image).toBeUndefined();
    expect(line?.unresolved[0]).toContain('$BASE');
  });
});

describe('analyseBuildspec', () => {
  const spec = (...build: string[]) => ['version: 0.2', 'env:', '  variables:', '    REPO: 111122223333.dkr.ecr.us-east-1.amazonaws.com/app', 'phases:', '  pre_build:', '    commands:', '      - cd app', '  build:', '    commands:', ...build.map((c) => `      - ${JSON.stringify(c)}`)].join('\n');

  it('runs phases in order, follows cd, and reads the Dockerfile the build names', async () => {
    const r = await analyse(spec('docker build -t x .'), { '/src/app/Dockerfile': 'FROM $REPO_ARG\nFROM node:20\n' });
    expect(r.steps.filter((s) => s.kind === 'pull')).toEqual([
      expect.objectContaining({ via: 'docker build', dockerfile: 'app/Dockerfile', line: 1, unresolved: [expect.stringContaining('$REPO_ARG')] }),
      expect.objectContaining({ via: 'docker build', dockerfile: 'app/Dockerfile', line: 2, image: 'node:20' }),
    ]);
  });

  it('says when the Dockerfile is not at hand', async () => {
    const r = await analyse(spec('docker build .'), {}, null);
    expect(r.missing?.[0]).toContain('run ecr-doctor from a checkout of the source');
  });

  it('reads compose services: image pulled, build read', async () => {
    const r = await analyse(spec('docker compose up -d'), { '/src/app/compose.yaml': 'services:\n  db:\n    image: ${REPO}:db\n  web:\n    build: ./web\n', '/src/app/web/Dockerfile': 'FROM python:3\n' });
    const pulls = r.steps.filter((s) => s.kind === 'pull').map((s) => s.kind === 'pull' && [s.via, s.image]);
    expect(pulls).toEqual([
      ['docker compose', '111122223333.dkr.ecr.us-east-1.amazonaws.com/app:db'],
      ['docker build', 'python:3'],
    ]);
  });

  it('is a usage error for a buildspec that is not YAML, and lists problems it can live with', async () => {
    await expect(analyse('version: [')).rejects.toThrow(/buildspec.yml/);
    const r = await analyse('version: 0.2\nphases:\n  build:\n    commands: docker pull x\n');
    expect(r.problems?.[0]).toContain('must be a list of commands');
  });
});
