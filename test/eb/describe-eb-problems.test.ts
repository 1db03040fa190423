import { describe, expect, it } from 'vitest';
import { describeEbProblems } from '../../src/eb/read-eb-context.js';
import type { EbContext } from '../../src/model/facts.js';

const complete: EbContext = {
  projectRoot: '/p',
  buildspecPath: '/p/buildspec.yml',
  applicationName: 'my-web-app',
  region: 'us-east-1',
  hasSettings: true,
  settings: { codeBuildServiceRole: 'r', image: 'i', computeType: 'BUILD_GENERAL1_SMALL', timeout: 60 },
};

const codes = (ctx: EbContext) => describeEbProblems(ctx).map((p) => p.code);

describe('describeEbProblems', () => {
  it('nothing to say about a complete context', () => {
    expect(describeEbProblems(complete)).toEqual([]);
  });

  it('no header: only that, and it says CodeBuild is not used', () => {
    const problems = describeEbProblems({ projectRoot: '/p', buildspecPath: '/p/buildspec.yml', hasSettings: false });
    expect(problems).toEqual([{ code: 'no-header', severity: 'warning', message: expect.stringContaining('eb deploy will not use CodeBuild') }]);
  });

  it('no role: the EB CLI error text', () => {
    const { codeBuildServiceRole: _, ...settings } = complete.settings ?? {};
    const [problem] = describeEbProblems({ ...complete, settings });
    expect(problem).toEqual({
      code: 'no-role',
      severity: 'error',
      message: expect.stringContaining('"No service role specified in buildspec; this is a required argument."'),
    });
  });

  it('no image: the EB CLI error text and the eb init way out', () => {
    const { image: _, ...settings } = complete.settings ?? {};
    const [problem] = describeEbProblems({ ...complete, settings });
    expect(problem?.code).toBe('no-image');
    expect(problem?.message).toContain('"No image specified in buildspec; this is a required argument."');
    expect(problem?.message).toContain('eb init');
  });

  it('an empty header lists every missing setting, in the order the EB CLI checks them', () => {
    expect(codes({ ...complete, settings: {} })).toEqual(['no-role', 'no-image', 'no-compute-type', 'no-timeout']);
    expect(describeEbProblems({ ...complete, settings: {} }).find((p) => p.code === 'no-timeout')?.message).toContain('(inferred)');
  });

  it('no application name, no region', () => {
    const { applicationName: _a, region: _r, ...rest } = complete;
    expect(codes(rest)).toEqual(['no-application-name', 'no-region']);
    expect(describeEbProblems(rest)[0]?.message).toContain('Elastic-Beanstalk-<app>-');
  });

  it('every message is one line without colour codes', () => {
    for (const p of describeEbProblems({ projectRoot: '/p', buildspecPath: 'b', hasSettings: true })) {
      expect(p.message).not.toMatch(/[\n\u001b]/);
    }
  });
});
