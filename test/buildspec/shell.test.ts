import { describe, expect, it } from 'vitest';
import { interpretCommand } from '../../src/buildspec/docker-cli.js';
import { parseCommandLine } from '../../src/buildspec/shell.js';
import { Variables, initialVariables } from '../../src/buildspec/variables.js';

const vars = (values: Record<string, string> = {}) => {
  const v = initialVariables({ region: 'us-east-1', account: '111122223333', layers: [] });
  for (const [k, val] of Object.entries(values)) v.set(k, val);
  return v;
};
const actions = (line: string, v: Variables = vars()) => parseCommandLine(line, v).commands.flatMap(interpretCommand);

describe('parseCommandLine (mvdan-sh)', () => {
  it('reads pipes, && and command substitutions as the shell does', () => {
    const { commands } = parseCommandLine('aws ecr get-login-password | docker login -u AWS --password-stdin h && docker pull a', vars());
    expect(commands.map((c) => c.argv.map((w) => w.text).join(' '))).toEqual([
      'aws ecr get-login-password',
      'docker login -u AWS --password-stdin h',
      'docker pull a',
    ]);
    expect(commands[1]?.pipedFrom.map((c) => c.argv[0]?.text)).toEqual(['aws']);
    expect(commands[2]?.pipedFrom).toEqual([]);
  });

  it('keeps quoting and line continuations', () => {
    const { commands } = parseCommandLine("docker pull 'a b' \\\n  --platform \"linux/arm64\"", vars());
    expect(commands[0]?.argv.map((w) => w.text)).toEqual(['docker', 'pull', 'a b', '--platform', 'linux/arm64']);
  });

  it('evaluates variables, defaults and assignments in order', () => {
    const v = vars({ REPO: 'r' });
    parseCommandLine('export TAG=${TAG:-latest}; URI=$AWS_ACCOUNT_ID.dkr', v);
    expect(v.get('TAG')).toEqual({ kind: 'value', value: 'latest' });
    expect(v.get('URI').kind).toBe('unknown');
    parseCommandLine('AWS_ACCOUNT_ID=$(aws sts get-caller-identity --query Account --output text)', v);
    expect(v.get('AWS_ACCOUNT_ID')).toEqual({ kind: 'value', value: '111122223333' });
    const [cmd] = parseCommandLine('docker pull ${AWS_ACCOUNT_ID}.dkr.ecr.$AWS_REGION.amazonaws.com/$REPO:$TAG', v).commands;
    expect(cmd?.argv[2]?.text).toBe('111122223333.dkr.ecr.us-east-1.amazonaws.com/r:latest');
  });

  it('a prefix assignment holds for its command only', () => {
    const v = vars();
    const [cmd] = parseCommandLine('IMG=x docker pull $IMG', v).commands;
    expect(cmd?.argv[2]?.text).toBeUndefined();
    expect(v.get('IMG').kind).toBe('unset');
  });

  it('names what stays unresolved, never guesses', () => {
    const v = initialVariables({ region: 'us-east-1', layers: [[{ name: 'SECRET_URI', type: 'SECRETS_MANAGER' }]] });
    const [cmd] = parseCommandLine('docker pull $SECRET_URI:$(cat tag) ${X#y}', v).commands;
    expect(cmd?.argv[2]).toMatchObject({ raw: '$SECRET_URI:$(cat tag)' });
    expect(cmd?.argv[2]?.text).toBeUndefined();
    expect(cmd?.argv[2]?.unresolved.join(' ')).toMatch(/Secrets Manager variable, which ecr-doctor never reads.*the output of a command/);
    expect(cmd?.argv[3]?.unresolved[0]).toContain('an expansion ecr-doctor does not evaluate');
  });

  it('says a command it cannot parse is unparseable', () => {
    expect(parseCommandLine('echo "unterminated', vars()).error).toMatch(/without closing quote/);
  });
});

describe('interpretCommand', () => {
  it('finds the image of docker run behind options that take values', () => {
    expect(actions('docker run --rm -e A=1 -v /x:/y -it --name t node:20 npm test')).toContainEqual(expect.objectContaining({ kind: 'pull', via: 'docker run', image: expect.objectContaining({ text: 'node:20' }) }));
  });

  it('reads docker build -f, the context and --build-arg, and docker buildx build', () => {
    const [, build] = actions('docker buildx build --platform linux/arm64 -f ci/Dockerfile --build-arg BASE=x -t out ./app');
    expect(build).toMatchObject({ kind: 'build', file: { text: 'ci/Dockerfile' }, context: { text: './app' }, platform: { text: 'linux/arm64' } });
  });

  it('tells get-login-password logins, legacy get-login and plain docker login apart', () => {
    expect(actions('aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin h.example')).toContainEqual(
      expect.objectContaining({ kind: 'login', method: 'get-login-password', region: expect.objectContaining({ text: 'eu-west-1' }) }),
    );
    expect(actions('docker login -u AWS -p $(aws ecr get-login-password) h')).toContainEqual(expect.objectContaining({ method: 'get-login-password' }));
    expect(actions('$(aws --region us-west-2 ecr get-login --no-include-email --registry-ids 1 2)')).toContainEqual(
      expect.objectContaining({ kind: 'login', method: 'get-login', registryIds: [expect.objectContaining({ text: '1' }), expect.objectContaining({ text: '2' })] }),
    );
    expect(actions('echo $P | docker login -u me --password-stdin')).toContainEqual(expect.objectContaining({ method: 'docker-login' }));
  });

  it('sees the credential helper written to ~/.docker/config.json and a daemon started by hand', () => {
    expect(actions(`echo '{"credsStore":"ecr-login"}' > ~/.docker/config.json`)).toEqual([expect.objectContaining({ kind: 'credential-helper' })]);
    expect(actions('nohup /usr/local/bin/dockerd --host=unix:///var/run/docker.sock &')).toEqual([{ kind: 'daemon-start' }]);
  });

  it('does not count docker --version as needing a daemon, nor commands that are not docker', () => {
    expect(actions('docker --version')).toEqual([]);
    expect(actions('npm ci && npm test')).toEqual([]);
  });
});
