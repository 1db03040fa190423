// Inputs that made the old whole-text regexes backtrack quadratically (issue 12), at a modest size:
// this checks they still classify correctly. How fast they do is measured in `npm run bench`.
import { describe, expect, it } from 'vitest';
import { classifyPullMessage } from '../../src/triage/classify.js';
import { MAX_LINE_CHARS } from '../../src/triage/scan.js';

const DENIAL = 'User: arn:aws:sts::123456789012:assumed-role/r/AWSCodeBuild-1 is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:123456789012:repository/app because no identity-based policy allows the ecr:BatchGetImage action';

describe('pathological inputs', () => {
  it('classifies a long run of assumed-role prefixes followed by a real denial on the next line', () => {
    const c = classifyPullMessage(`${'arn:aws:sts::1:assumed-role/r/'.repeat(2_000)}\n${DENIAL}`);
    expect(c.cause).toBe('role-missing-permission');
    expect(c.details.roleName).toBe('r');
    expect(c.truncated).toEqual({ lines: 1, maxLineChars: MAX_LINE_CHARS });
  });

  it('classifies a denial at the start of an over-long line and says the line was cut', () => {
    const c = classifyPullMessage(`${DENIAL} ${'x'.repeat(MAX_LINE_CHARS * 3)}`);
    expect(c.cause).toBe('role-missing-permission');
    expect(c.truncated?.lines).toBe(1);
  });

  it('finds the error after many lines of repeated near-misses', () => {
    const nearMisses = [
      'pull access denied for',
      'toomanyrequests: '.repeat(50),
      'https://x/v2/'.repeat(100),
      'manifest for ',
      `${'a/'.repeat(300)}`,
      'not authorized to perform: '.repeat(20),
    ];
    const log = `${Array.from({ length: 300 }, (_, i) => nearMisses[i % nearMisses.length]).join('\n')}\nno basic auth credentials`;
    const c = classifyPullMessage(log);
    // the first near-miss line ("pull access denied for" + nothing) matches nothing; the
    // rate-limit line does, and the rules are ordered by specificity, not position.
    expect(c.cause).toBe('docker-hub-rate-limit');
    expect(c.truncated).toBeUndefined();
  });

  it('classifies a long log whose only error is on its last line', () => {
    const log = `${'[Container] 2024/05/01 10:00:00.000 npm WARN deprecated package@1.0.0\n'.repeat(20_000)}Step 1/2 : FROM node:20\ntoomanyrequests: You have reached your pull rate limit.`;
    const c = classifyPullMessage(log);
    expect(c.cause).toBe('docker-hub-rate-limit');
    expect(c.details.image).toBe('node:20');
  });

  it('checks a rule precondition once, not per line: many "Invalid choice" lines, get-login only at the end', () => {
    const lines = 'aws: error: argument operation: Invalid choice, valid choices are:\n'.repeat(5_000);
    expect(classifyPullMessage(lines).cause).toBe('unknown');
    const c = classifyPullMessage(`${lines}$(aws ecr get-login --no-include-email)\naws: error: argument operation: Invalid choice, valid choices are:`);
    expect(c.cause).toBe('ecr-get-login-removed');
  });

  it('handles CRLF line ends and a text without any line break', () => {
    expect(classifyPullMessage('Step 1/2 : FROM node:20\r\nno basic auth credentials\r\n').details.image).toBe('node:20');
    expect(classifyPullMessage('x'.repeat(100_000)).cause).toBe('unknown');
  });
});
