import { describe, expect, it } from 'vitest';
import { nearestNames } from '../../src/checks/nearest-names.js';
import { projectFound } from '../../src/checks/project-found.js';
import type { Facts } from '../../src/model/facts.js';
import { facts } from './facts-builder.js';

const missing = (projectNames?: Facts['projectNames']): Facts => ({
  ...facts({ project: null }),
  projects: [{ requested: 'web-biuld', project: { state: 'absent' } }],
  ...(projectNames ? { projectNames } : {}),
});

describe('project-found: did you mean', () => {
  it('offers the nearest project names of the account, nearest first', () => {
    const [r] = projectFound.runOnce(missing({ state: 'present', value: ['api', 'web-builds', 'web-build', 'mobile-release'] }));
    expect(r).toMatchObject({ status: 'fail', evidence: { nearestProjects: ['web-build', 'web-builds'] } });
    expect(r?.message).toBe('Project web-biuld was not found in region us-east-1, account 111122223333 (did you mean web-build, web-builds?).');
  });
  it('names nothing when no name is a typo away', () => {
    const [r] = projectFound.runOnce(missing({ state: 'present', value: ['api', 'mobile-release'] }));
    expect(r?.message).toBe('Project web-biuld was not found in region us-east-1, account 111122223333.');
    expect(r?.evidence).toBeUndefined();
  });
  it('an unreadable listing just leaves the suggestion out (the result is still the missing project)', () => {
    const [r] = projectFound.runOnce(missing({ state: 'unreadable', reason: 'AccessDeniedException', permission: 'codebuild:ListProjects' }));
    expect(r).toMatchObject({ status: 'fail', message: 'Project web-biuld was not found in region us-east-1, account 111122223333.' });
  });
  it('nearestNames: ties by name, far names dropped', () => {
    expect(nearestNames('app', ['apq', 'apz', 'zzzzzz'], 3, 2)).toEqual(['apq', 'apz']);
  });
});
