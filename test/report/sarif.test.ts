import { describe, expect, it } from 'vitest';
import { CHECK_CATALOG, CHECK_IDS } from '../../src/checks/catalog.js';
import type { Result } from '../../src/model/result.js';
import { makeReport, PROJECT, REPO, ROLE } from './sample-report.js';
import { defaultLevelOf, renderSarif, toPascalCase } from '../../src/report/sarif.js';
import { sarifSchemaErrors } from '../support/sarif-schema.js';


const FIX = {
  target: 'repository-policy' as const,
  account: '444455556666',
  resource: REPO,
  description: 'Add a statement allowing codebuild.amazonaws.com to pull, conditioned on aws:SourceAccount.',
};

const RESULTS: Result[] = [
  { check: 'project-found', status: 'pass', severity: 'info', subject: PROJECT, message: 'Project web exists.' },
  {
    check: 'codebuild-principal-can-pull',
    status: 'fail',
    severity: 'error',
    subject: REPO,
    message: 'No statement lets codebuild.amazonaws.com pull <image> & its layers.',
    evidence: { missingActions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] },
    fix: FIX,
  },
  {
    check: 'repository-policy-open',
    status: 'warn',
    severity: 'warning',
    subject: REPO,
    message: 'Statement "Public" lets Principal "*" pull with no condition.',
  },
  { check: 'image-exists', status: 'skip', severity: 'info', subject: `${REPO}:latest`, message: 'Skipped.' },
  {
    check: 'service-role-can-pull',
    status: 'error',
    severity: 'error',
    subject: ROLE,
    message: 'iam:GetRolePolicy was denied: AccessDenied',
  },
  {
    check: 'eb-context',
    status: 'fail',
    severity: 'error',
    subject: 'buildspec.yml',
    message: 'eb_codebuild_settings has no Image.',
    evidence: { file: 'buildspec.yml', line: 3 },
  },
];

interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        informationUri: string;
        rules: {
          id: string;
          name: string;
          shortDescription: { text: string };
          fullDescription: { text: string };
          help: { text: string };
          defaultConfiguration: { level: string };
        }[];
      };
    };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: {
        physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string }; region?: { startLine: number } };
        logicalLocations: { fullyQualifiedName: string; kind: string }[];
      }[];
      properties: { status: string; severity: string; evidence?: unknown; fix?: unknown };
    }[];
  }[];
}

function render(results: Result[]): { text: string; log: SarifLog } {
  const text = renderSarif(makeReport(results));
  return { text, log: JSON.parse(text) as SarifLog };
}

describe('renderSarif', () => {
  const { text, log } = render(RESULTS);
  const run = log.runs[0]!;
  const { driver } = run.tool;

  it('is a SARIF 2.1.0 log with one run by ecr-doctor', () => {
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    expect(driver).toMatchObject({ name: 'ecr-doctor', version: '0.1.0-test' });
    expect(driver.informationUri).toMatch(/^https:\/\//);
  });

  it('has one rule per catalogued check, in catalogue order, with title, help and a level', () => {
    expect(driver.rules).toHaveLength(CHECK_IDS.length);
    expect(driver.rules.map((r) => r.id)).toEqual(CHECK_IDS);
    for (const rule of driver.rules) {
      const meta = CHECK_CATALOG[rule.id as keyof typeof CHECK_CATALOG];
      expect(rule.name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      expect(rule.shortDescription.text).toBe(meta.title);
      expect(rule.fullDescription.text).toBe(meta.help);
      expect(rule.help.text).toBe(meta.help);
      expect(['error', 'warning', 'note']).toContain(rule.defaultConfiguration.level);
    }
    expect(driver.rules.find((r) => r.id === 'codebuild-principal-can-pull')?.name).toBe('CodebuildPrincipalCanPull');
    expect(defaultLevelOf('repository-policy-open')).toBe('warning');
    expect(defaultLevelOf('codebuild-principal-can-pull')).toBe('error');
  });

  it('has one result per fail, error and warn, none for pass or skip', () => {
    expect(run.results.map((r) => [r.ruleId, r.properties.status])).toEqual([
      ['codebuild-principal-can-pull', 'fail'],
      ['repository-policy-open', 'warn'],
      ['service-role-can-pull', 'error'],
      ['eb-context', 'fail'],
    ]);
  });

  it('points every ruleIndex at the rule with its ruleId', () => {
    for (const result of run.results) {
      expect(driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
    }
  });

  it('maps fail and error to level "error", warn to "warning"', () => {
    expect(run.results.map((r) => r.level)).toEqual(['error', 'warning', 'error', 'error']);
  });

  it('locates each result at its subject as a logical resource, keeping special characters', () => {
    for (const [i, result] of run.results.entries()) {
      const source = RESULTS.filter((r) => r.status !== 'pass' && r.status !== 'skip')[i]!;
      expect(result.message.text).toBe(source.message);
      expect(result.locations).toHaveLength(1);
      expect(result.locations[0]?.logicalLocations).toEqual([{ fullyQualifiedName: source.subject, kind: 'resource' }]);
    }
    expect(text).toContain('pull <image> & its layers.');
  });

  it('adds a physical location only when the evidence names a file', () => {
    const withFile = run.results.filter((r) => r.locations[0]?.physicalLocation);
    expect(withFile.map((r) => r.ruleId)).toEqual(['eb-context']);
    expect(withFile[0]?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'buildspec.yml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 3 },
    });
  });

  it('carries evidence and fix in properties', () => {
    const first = run.results[0]!;
    expect(first.properties).toEqual({ status: 'fail', severity: 'error', evidence: RESULTS[1]!.evidence, fix: FIX });
    expect(run.results[1]!.properties).toEqual({ status: 'warn', severity: 'warning' });
  });

  it('is 2-space JSON ending in a newline, and matches the file snapshot', async () => {
    expect(text).toBe(`${JSON.stringify(log, null, 2)}\n`);
    await expect(text).toMatchFileSnapshot('./snapshots/representative.sarif.json');
  });

  it('meets the SARIF 2.1.0 JSON schema (OASIS sarif-2.1.0-rtm.5)', () => {
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(sarifSchemaErrors(render([]).log)).toEqual([]);
  });

  it('renders an empty report as a valid log with every rule and no results', async () => {
    const empty = render([]);
    expect(empty.log.version).toBe('2.1.0');
    expect(empty.log.runs[0]?.results).toEqual([]);
    expect(empty.log.runs[0]?.tool.driver.rules).toHaveLength(CHECK_IDS.length);
    await expect(empty.text).toMatchFileSnapshot('./snapshots/empty.sarif.json');
  });

  it('appends a rule for a failing check outside the catalogue so its ruleIndex stays valid', () => {
    const { log: out } = render([
      { check: 'future-check', status: 'fail', severity: 'error', subject: 's', message: 'm' },
      { check: 'other-future-check', status: 'pass', severity: 'info', subject: 's', message: 'ok' },
    ]);
    const r = out.runs[0]!;
    expect(r.tool.driver.rules).toHaveLength(CHECK_IDS.length + 1);
    expect(r.results[0]?.ruleIndex).toBe(CHECK_IDS.length);
    expect(r.tool.driver.rules[CHECK_IDS.length]).toMatchObject({ id: 'future-check', name: 'FutureCheck' });
  });

  it('writes file URIs that are valid URI references on any OS', () => {
    const uriOf = (file: string): unknown => {
      const { log: out } = render([
        { check: 'eb-context', status: 'fail', severity: 'error', subject: file, message: 'm', evidence: { file } },
      ]);
      return out.runs[0]?.results[0]?.locations[0]?.physicalLocation?.artifactLocation;
    };
    expect(uriOf('./app dir/buildspec #1.yml')).toEqual({ uri: 'app%20dir/buildspec%20%231.yml', uriBaseId: '%SRCROOT%' });
    expect(uriOf('/srv/app/buildspec.yml')).toEqual({ uri: 'file:///srv/app/buildspec.yml' });
    expect(uriOf('C:\\work\\app\\buildspec.yml')).toEqual({ uri: 'file:///C:/work/app/buildspec.yml' });
  });
});

describe('toPascalCase', () => {
  it('joins words split on non-alphanumerics, capitalising each', () => {
    expect(toPascalCase('eb-source-arn-pinned')).toBe('EbSourceArnPinned');
    expect(toPascalCase('project-found')).toBe('ProjectFound');
    expect(toPascalCase('a--b_c')).toBe('ABC');
  });
});
