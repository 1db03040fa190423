// A second resource-side policy (extraResourcePolicies): the engine stays service-agnostic; the
// caller decides when one applies (an ECR registry policy under scope V2, registry-policy-view.ts).
import { describe, expect, it } from 'vitest';
import { evaluateAccess } from '../../src/policy/evaluate.js';
import { explainEvaluation } from '../../src/policy/explain.js';
import { named, policy, serviceInput } from './helpers.js';

const CB = { Service: 'codebuild.amazonaws.com' };
const allowPull = { Sid: 'RepoPull', Effect: 'Allow', Principal: CB, Action: 'ecr:BatchGetImage' };

describe('extra resource-side policies', () => {
  it('a Deny there beats an Allow in the resource policy, and is named by its own policy', () => {
    const extra = named('registry policy of account 1', { Version: '2012-10-17', Statement: [{ Sid: 'NoPull', Effect: 'Deny', Principal: '*', Action: 'ecr:*', Resource: '*' }] });
    const e = evaluateAccess({ ...serviceInput(policy(allowPull)), extraResourcePolicies: [extra] });
    expect(e.decision).toBe('explicit-deny');
    expect(e.deciding).toEqual([{ policy: 'registry policy of account 1', index: 0, sid: 'NoPull', kind: 'resource', effect: 'Deny' }]);
    expect(e.inputs.extraResourcePolicies).toEqual(['registry policy of account 1']);
  });

  it('an Allow there grants when the resource policy does not', () => {
    const extra = named('registry policy of account 1', { Version: '2012-10-17', Statement: [{ Sid: 'RegPull', Effect: 'Allow', Principal: CB, Action: 'ecr:BatchGetImage', Resource: '*' }] });
    expect(evaluateAccess(serviceInput(undefined)).decision).toBe('implicit-deny');
    const e = evaluateAccess({ ...serviceInput(undefined), extraResourcePolicies: [extra] });
    expect(e.decision).toBe('allowed');
    expect(explainEvaluation(e)).toEqual(['Allowed by statement "RegPull" (#0) of the registry policy of account 1.']);
  });

  it('an implicit deny explains that neither policy allows it', () => {
    const extra = named('registry policy of account 1', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: CB, Action: 'ecr:ReplicateImage', Resource: '*' }] });
    const e = evaluateAccess({ ...serviceInput(undefined), extraResourcePolicies: [extra] });
    expect(e.decision).toBe('implicit-deny');
    expect(explainEvaluation(e).join('\n')).toContain('No statement of the registry policy of account 1 allows');
  });
});
