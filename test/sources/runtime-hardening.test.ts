// Pure pieces of the runtime hardening: safe echoing, the secret scrubber, the deadline, and
// which failed reads name a permission (only denials do).
import { afterEach, describe, expect, it } from 'vitest';
import { describeFsError } from '../../src/model/fs-error-words.js';
import { clearSecrets, escapeControl, quote, registerSecret, safeLine, scrubSecrets, showPath } from '../../src/model/safe-text.js';
import { unreadableMessage } from '../../src/checks/check.js';
import { asFatal, unreadableFrom } from '../../src/sources/live/aws-errors.js';
import { DeadlineError, startDeadline } from '../../src/sources/live/deadline.js';

afterEach(() => clearSecrets());

function sdkError(name: string, message: string, status?: number): Error {
  const e = new Error(message);
  e.name = name;
  if (status !== undefined) Object.assign(e, { $metadata: { httpStatusCode: status } });
  return e;
}

describe('safe text', () => {
  it('escapes control characters visibly', () => {
    expect(escapeControl('a\u001b[31mb\u0000c\nd\re\tf\u007f\u009b\u202e')).toBe('a\\x1b[31mb\\0c\\nd\\re\\tf\\x7f\\x9b\\u202e');
    expect(escapeControl('plain ünïcode ✓')).toBe('plain ünïcode ✓');
  });

  it('quotes short values whole and long ones with their length', () => {
    expect(quote('my-project')).toBe('"my-project"');
    expect(quote('a'.repeat(102_400))).toBe(`"${'a'.repeat(64)}…" (102400 characters)`);
  });

  it('safeLine keeps one line under the limit, whatever it quotes', () => {
    const line = safeLine(`error: bad ${'x'.repeat(5000)}\nforged ${'y '.repeat(500)}`);
    expect(line).not.toContain('\n');
    expect(line.length).toBeLessThanOrEqual(240);
    expect(line).toContain('(5008 characters)');
  });

  it('shows plain paths as typed and odd ones quoted', () => {
    expect(showPath('out/report.xml')).toBe('out/report.xml');
    expect(showPath('out/\u001b[2J.xml')).toBe('"out/\\x1b[2J.xml"');
  });

  it('scrubs every registered secret and anything shaped like an access key id', () => {
    registerSecret('FwoGZXIvYXdzEJr//////////wEaDFAKETOKEN');
    registerSecret('short');
    expect(scrubSecrets('token FwoGZXIvYXdzEJr//////////wEaDFAKETOKEN and AKIAIOSFODNN7EXAMPLE, short')).toBe('token <redacted> and <access key>, short');
  });

  it('says errno codes in words', () => {
    const e = (code: string) => Object.assign(new Error(code), { code });
    expect(describeFsError(e('ENOTDIR'))).toBe('a parent of the path is a file, not a folder');
    expect(describeFsError(e('ENOENT'), 'write')).toBe('its folder does not exist');
    expect(describeFsError(e('EISDIR'))).toBe('it is a folder, not a file');
    expect(describeFsError(e('EACCES'))).toBe('permission denied');
    expect(describeFsError(e('EEXIST'))).toBe('something is already there');
  });
});

describe('the deadline', () => {
  it('lets work that finishes in time through', async () => {
    await expect(startDeadline(5).race(Promise.resolve(42), 'ecr:DescribeImages')).resolves.toBe(42);
  });

  it('names what did not answer when it passes first', async () => {
    const never = new Promise<never>(() => {});
    const failure = startDeadline(0.05).race(never, 'ecr:GetRepositoryPolicy');
    await expect(failure).rejects.toBeInstanceOf(DeadlineError);
    await expect(failure).rejects.toThrow('ecr:GetRepositoryPolicy did not answer within 0.1 s');
  });

  it('a deadline error stops the run, never becomes a fact', () => {
    const e = new DeadlineError('ecr:GetRepositoryPolicy did not answer within 10 s', 'ecr:GetRepositoryPolicy');
    expect(asFatal(e)).toBe(e);
    expect(() => unreadableFrom(e, 'ecr:GetRepositoryPolicy')).toThrow(/did not answer within 10 s/);
  });
});

describe('only a denial names a permission', () => {
  it('AccessDenied: "(needs ecr:GetRepositoryPolicy)"', () => {
    const fact = unreadableFrom(sdkError('AccessDeniedException', 'no'), 'ecr:GetRepositoryPolicy');
    expect(fact).toMatchObject({ state: 'unreadable', permission: 'ecr:GetRepositoryPolicy' });
    if (fact.state !== 'unreadable') throw new Error('unreachable');
    expect(unreadableMessage('the repository policy', fact)).toBe('could not check the repository policy: AccessDenied on ecr:GetRepositoryPolicy (needs ecr:GetRepositoryPolicy)');
  });

  it.each([
    ['TypeError', "Cannot read properties of undefined (reading 'x')"],
    ['SerializationException', 'could not parse'],
    ['ThrottlingException', 'Rate exceeded'],
  ])('%s names the call, not a permission', (name, message) => {
    const fact = unreadableFrom(sdkError(name, message, 400), 'codebuild:BatchGetBuilds');
    expect(fact.state).toBe('unreadable');
    if (fact.state !== 'unreadable') throw new Error('unreachable');
    expect(fact.permission).toBeUndefined();
    expect(fact.reason).toContain('codebuild:BatchGetBuilds');
    expect(unreadableMessage('the build', fact)).not.toContain('needs');
  });

  it('a per-attempt timeout names the call and how long it waited', () => {
    const e = sdkError('TimeoutError', 'Connection timed out after 5000 ms');
    Object.defineProperty(e, Symbol.for('ecr-doctor.operation'), { value: 'ecr:GetRepositoryPolicy' });
    expect(asFatal(e)?.message).toBe('ecr:GetRepositoryPolicy did not answer within 5 s (each retry too)');
  });
});
