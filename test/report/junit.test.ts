import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { CHECK_CATALOG, CHECK_IDS } from '../../src/checks/catalog.js';
import type { Result } from '../../src/model/result.js';
import { makeReport, PROJECT, REPO, ROLE } from './sample-report.js';
import { renderJunit } from '../../src/report/junit.js';
import { escapeXmlAttribute, escapeXmlText, stripIllegalXmlChars } from '../../src/report/xml-escape.js';


// Deliberately out of catalogue order, with two results for one check, to pin the ordering.
const RESULTS: Result[] = [
  {
    check: 'codebuild-principal-can-pull',
    status: 'fail',
    severity: 'error',
    subject: REPO,
    message: 'The repository policy has no statement that lets codebuild.amazonaws.com pull <image> & its layers.',
    evidence: {
      pullMode: 'CODEBUILD',
      missingActions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      policy: { Version: '2012-10-17', Statement: [] },
    },
    fix: {
      target: 'repository-policy',
      account: '444455556666',
      resource: REPO,
      description: 'Add a statement allowing codebuild.amazonaws.com to pull, conditioned on aws:SourceAccount.',
      command: 'ecr-doctor fix --project web',
    },
  },
  { check: 'project-found', status: 'pass', severity: 'info', subject: PROJECT, message: 'Project web exists.' },
  {
    check: 'repository-policy-open',
    status: 'warn',
    severity: 'warning',
    subject: REPO,
    message: 'Statement "Public" lets Principal "*" pull with no condition.',
    evidence: { sid: 'Public' },
  },
  {
    check: 'image-exists',
    status: 'skip',
    severity: 'info',
    subject: `${REPO}:latest`,
    message: 'Skipped: the repository could not be read.',
  },
  {
    check: 'service-role-can-pull',
    status: 'error',
    severity: 'error',
    subject: ROLE,
    // NUL and BEL are illegal in XML 1.0 and must be stripped, the newline kept.
    message: 'iam:GetRolePolicy was denied\u0000\u0007: AccessDenied\nhint: grant iam:GetRolePolicy',
    evidence: { operation: 'GetRolePolicy' },
  },
  {
    check: 'eb-context',
    status: 'fail',
    severity: 'error',
    subject: 'buildspec.yml',
    message: 'eb_codebuild_settings has no Image, so eb deploy cannot build with CodeBuild.',
    evidence: { file: 'buildspec.yml', line: 3 },
  },
  {
    check: 'codebuild-principal-can-pull',
    status: 'pass',
    severity: 'info',
    subject: 'arn:aws:ecr:us-east-1:111122223333:repository/base',
    message: 'codebuild.amazonaws.com may pull.',
  },
];

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  // fast-xml-parser decodes numeric character references (&#10;) only with htmlEntities on.
  htmlEntities: true,
  isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
});

interface Case {
  name: string;
  classname: string;
  time: string;
  failure?: { message: string; type: string; '#text': string };
  error?: { message: string; type: string; '#text': string };
  skipped?: { message: string };
  'system-out'?: string;
}
interface Suite {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  skipped: string;
  time: string;
  properties?: { property: { name: string; value: string }[] };
  testcase?: Case[];
}
interface Root {
  testsuites: { name: string; tests: string; failures: string; errors: string; skipped: string; time: string; testsuite?: Suite[] };
}

function parse(xml: string): Root['testsuites'] {
  expect(XMLValidator.validate(xml)).toBe(true);
  return (parser.parse(xml) as Root).testsuites;
}

describe('renderJunit', () => {
  const report = makeReport(RESULTS);
  const xml = renderJunit(report);
  const root = parse(xml);
  const suites = root.testsuite ?? [];

  it('starts with the XML declaration and a testsuites root named ecr-doctor', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ecr-doctor" ')).toBe(true);
    expect(root.name).toBe('ecr-doctor');
    expect(xml.endsWith('</testsuites>\n')).toBe(true);
  });

  it('counts tests, failures, errors and skips consistently with the report summary', () => {
    expect(root).toMatchObject({ tests: '7', failures: '2', errors: '1', skipped: '1', time: '0' });
    expect(Number(root.failures)).toBe(report.summary.fail);
    expect(Number(root.errors)).toBe(report.summary.error);
    expect(Number(root.skipped)).toBe(report.summary.skip);
    for (const key of ['tests', 'failures', 'errors', 'skipped'] as const) {
      expect(suites.reduce((sum, s) => sum + Number(s[key]), 0)).toBe(Number(root[key]));
    }
    for (const suite of suites) {
      const cases = suite.testcase ?? [];
      expect(Number(suite.tests)).toBe(cases.length);
      expect(Number(suite.failures)).toBe(cases.filter((c) => c.failure).length);
      expect(Number(suite.errors)).toBe(cases.filter((c) => c.error).length);
      expect(Number(suite.skipped)).toBe(cases.filter((c) => c.skipped).length);
    }
  });

  it('has one suite per check id, in catalogue order, titled by a property', () => {
    const names = suites.map((s) => s.name);
    expect(names).toEqual(CHECK_IDS.filter((id) => RESULTS.some((r) => r.check === id)));
    for (const suite of suites) {
      const title = suite.properties?.property.find((p) => p.name === 'title')?.value;
      expect(title).toBe(CHECK_CATALOG[suite.name as keyof typeof CHECK_CATALOG].title);
    }
  });

  it('names each test case by its subject, classname ecr-doctor.<check>, time 0', () => {
    const all = suites.flatMap((s) => (s.testcase ?? []).map((c) => ({ suite: s.name, c })));
    expect(all.map(({ c }) => c.name).sort()).toEqual(RESULTS.map((r) => r.subject).sort());
    for (const { suite, c } of all) {
      expect(c.classname).toBe(`ecr-doctor.${suite}`);
      expect(c.time).toBe('0');
    }
    // Subjects with markup characters survive the round trip exactly.
    expect(all.some(({ c }) => c.name === PROJECT)).toBe(true);
  });

  it('renders a fail as <failure> with message, evidence JSON and fix in the body', () => {
    const suite = suites.find((s) => s.name === 'codebuild-principal-can-pull');
    const failing = suite?.testcase?.find((c) => c.failure);
    const source = RESULTS[0]!;
    expect(failing?.name).toBe(REPO);
    expect(failing?.failure?.message).toBe(source.message);
    expect(failing?.failure?.type).toBe('codebuild-principal-can-pull');
    const body = failing?.failure?.['#text'] ?? '';
    expect(body.startsWith(source.message)).toBe(true);
    const json = /Evidence:\n(\{[\s\S]*?\n\})/.exec(body)?.[1];
    expect(JSON.parse(json ?? 'null')).toEqual(source.evidence);
    expect(body).toContain(`Fix (repository-policy, account 444455556666, ${REPO}): ${source.fix?.description}`);
    expect(body).toContain('Command: ecr-doctor fix --project web');
    // The passing result of the same check is a bare test case.
    const passing = suite?.testcase?.find((c) => !c.failure);
    expect(passing).toEqual({ name: 'arn:aws:ecr:us-east-1:111122223333:repository/base', classname: 'ecr-doctor.codebuild-principal-can-pull', time: '0' });
  });

  it('renders error as <error>, skip as <skipped>, warn as a passing case with <system-out>', () => {
    const errorCase = suites.find((s) => s.name === 'service-role-can-pull')?.testcase?.[0];
    expect(errorCase?.error?.message).toBe('iam:GetRolePolicy was denied: AccessDenied\nhint: grant iam:GetRolePolicy');
    expect(errorCase?.failure).toBeUndefined();

    const skipCase = suites.find((s) => s.name === 'image-exists')?.testcase?.[0];
    expect(skipCase?.skipped?.message).toBe('Skipped: the repository could not be read.');

    const warnCase = suites.find((s) => s.name === 'repository-policy-open')?.testcase?.[0];
    expect(warnCase?.failure).toBeUndefined();
    expect(warnCase?.error).toBeUndefined();
    expect(warnCase?.skipped).toBeUndefined();
    expect(warnCase?.['system-out']).toMatch(/^warning: Statement "Public" lets Principal "\*" pull/);
  });

  it('strips characters XML 1.0 forbids', () => {
    expect(xml).not.toMatch(/[\u0000-\u0008]/);
  });

  it('matches the file snapshot', async () => {
    await expect(xml).toMatchFileSnapshot('./snapshots/representative.junit.xml');
  });

  it('renders an empty report as a valid document with zero counts', async () => {
    const empty = renderJunit(makeReport([]));
    const emptyRoot = parse(empty);
    expect(emptyRoot).toMatchObject({ name: 'ecr-doctor', tests: '0', failures: '0', errors: '0', skipped: '0' });
    expect(emptyRoot.testsuite).toBeUndefined();
    await expect(empty).toMatchFileSnapshot('./snapshots/empty.junit.xml');
  });

  it('puts results of a check outside the catalogue in a suite after the catalogued ones', () => {
    const out = parse(
      renderJunit(
        makeReport([
          { check: 'future-check', status: 'fail', severity: 'error', subject: 's', message: 'm' },
          { check: 'project-found', status: 'pass', severity: 'info', subject: 'p', message: 'ok' },
        ]),
      ),
    );
    expect(out.testsuite?.map((s) => s.name)).toEqual(['project-found', 'future-check']);
    expect(out.testsuite?.[1]?.properties).toBeUndefined();
    expect(out.testsuite?.[1]?.testcase?.[0]?.failure?.['#text']).toBe('m\nCheck: future-check');
  });
});

describe('renderJunit with --fail-on warning', () => {
  const report = makeReport(RESULTS);
  const root = parse(renderJunit(report, { failOn: 'warning' }));
  const suites = root.testsuite ?? [];

  it('makes a warning a failure, so the report group fails when the run does', () => {
    const warnCase = suites.find((s) => s.name === 'repository-policy-open')?.testcase?.[0];
    expect(warnCase?.failure?.message).toBe('warning: Statement "Public" lets Principal "*" pull with no condition.');
    expect(warnCase?.failure?.type).toBe('repository-policy-open');
    expect(warnCase?.failure?.['#text']).toMatch(/^warning: Statement "Public"/);
    expect(warnCase?.['system-out']).toBeUndefined();
  });

  it('counts warnings as failures, at the root and in the suite', () => {
    expect(root).toMatchObject({ tests: '7', failures: String(report.summary.fail + report.summary.warn), errors: '1', skipped: '1' });
    expect(suites.find((s) => s.name === 'repository-policy-open')?.failures).toBe('1');
    for (const suite of suites) expect(Number(suite.failures)).toBe((suite.testcase ?? []).filter((c) => c.failure).length);
  });

  it("--fail-on error (the default) renders exactly as without the option", () => {
    expect(renderJunit(report, { failOn: 'error' })).toBe(renderJunit(report));
  });
});

describe('xml-escape', () => {
  it('escapes the five markup characters and keeps whitespace in attributes', () => {
    expect(escapeXmlAttribute(`<a href="x">&'\t\n\r`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#9;&#10;&#13;');
    expect(escapeXmlText('a < b && c > d ]]>\r\n')).toBe('a &lt; b &amp;&amp; c &gt; d ]]&gt;&#13;\n');
  });

  it('strips C0 controls other than tab/LF/CR, lone surrogates and U+FFFE/U+FFFF, keeps astral characters', () => {
    expect(stripIllegalXmlChars('a\u0000b\u0008c\u000Bd\u000Ce\u001Ff\tg\nh\ri')).toBe('abcdef\tg\nh\ri');
    expect(stripIllegalXmlChars('x\uD800y\uDFFFz\uFFFE\uFFFF')).toBe('xyz');
    expect(stripIllegalXmlChars('image 🐳 é')).toBe('image 🐳 é');
  });

  it('round-trips any string through a real XML parser (less the illegal characters)', () => {
    const tricky = fc.constantFrom('<', '>', '&', '"', "'", '\u0000', '\u0008', '\t', '\n', '\r', ' ', '\uD800', '\uFFFE', ']]>', '&#10;', '&amp;', '🐳');
    const unit = fc.oneof(tricky, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (s) => {
        const doc = `<r a="${escapeXmlAttribute(s)}" b='${escapeXmlAttribute(s)}'>${escapeXmlText(s)}</r>`;
        expect(XMLValidator.validate(doc)).toBe(true);
        const r = (parser.parse(doc) as { r: { a: string; b: string; '#text'?: string } }).r;
        const expected = stripIllegalXmlChars(s);
        expect(r.a).toBe(expected);
        expect(r.b).toBe(expected);
        expect(r['#text'] ?? '').toBe(expected);
      }),
    );
  });
});
