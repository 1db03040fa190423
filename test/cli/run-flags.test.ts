import { describe, expect, it } from 'vitest';
import { withRunFlags } from '../../src/cli/run-flags.js';
import type { Result } from '../../src/model/result.js';

const result = (command?: string): Result => ({
  check: 'codebuild-principal-can-pull',
  status: 'fail',
  severity: 'error',
  subject: 's',
  message: 'm',
  fix: { target: 'repository-policy', description: 'd', ...(command ? { command } : {}) },
});

describe('withRunFlags', () => {
  it('pins the region examined and the profile and endpoint given, before a trailing comment', () => {
    const [a, b] = withRunFlags(
      [result('ecr-doctor fix --project web --dry-run'), result('ecr-doctor fix --buildspec buildspec.yml --dry-run   (in the EB project folder)')],
      'us-west-2',
      { color: false, profile: 'prod admin', endpointUrl: 'http://127.0.0.1:5000' },
    );
    expect(a?.fix?.command).toBe("ecr-doctor fix --project web --dry-run --region us-west-2 --profile 'prod admin' --endpoint-url http://127.0.0.1:5000");
    expect(b?.fix?.command).toBe("ecr-doctor fix --buildspec buildspec.yml --dry-run --region us-west-2 --profile 'prod admin' --endpoint-url http://127.0.0.1:5000   (in the EB project folder)");
  });
  it('leaves other commands and results without a command alone', () => {
    const [a, b] = withRunFlags([result('aws ecr describe-pull-through-cache-rules'), result()], 'us-east-1', { color: false });
    expect(a?.fix?.command).toBe('aws ecr describe-pull-through-cache-rules');
    expect(b?.fix?.command).toBeUndefined();
  });
});
