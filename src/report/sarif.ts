import { createHash } from 'node:crypto';
import { CHECK_CATALOG, CHECK_IDS, type CheckId } from '../checks/catalog.js';
import type { Report, Result } from '../model/result.js';
import { HOMEPAGE } from '../version.js';

/**
 * SARIF 2.1.0 (OASIS), one run, one rule per check in CHECK_CATALOG, one result per fail, error
 * or warn result. Passes and skips are not findings and stay out.
 *
 * Subjects are AWS ARNs, not files, so each result names its subject as a logical location of
 * kind "resource" (one of the kinds SARIF §3.33.7 lists). Only when the evidence names a file
 * (`evidence.file`, e.g. buildspec.yml for the eb context) is there a physical location too.
 * GitHub code scanning wants physicalLocation.artifactLocation.uri on a result to show it as an
 * alert, so ARN-only results are for SARIF consumers that read logical locations or properties.
 */

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** package.json's `homepage`, written there once. */
export const INFORMATION_URI = HOMEPAGE;

export type SarifLevel = 'error' | 'warning' | 'note';

/**
 * Hygiene checks (a pull that works but should be tightened or modernised) default to
 * "warning"; every other check finds the cause of a failed pull and defaults to "error".
 * Keyed by CheckId so a renamed check is a compile error here rather than a silent "error".
 */
const WARNING_BY_DEFAULT: Partial<Record<CheckId, true>> = {
  'repository-policy-open': true,
  'legacy-codebuild-principals': true,
  'role-rights-unused': true,
};

export function defaultLevelOf(id: CheckId): SarifLevel {
  return WARNING_BY_DEFAULT[id] ? 'warning' : 'error';
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  defaultConfiguration: { level: SarifLevel };
}

export function renderSarif(report: Report): string {
  const rules = buildRules(report.results);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const results = report.results
    .filter((r) => r.status === 'fail' || r.status === 'error' || r.status === 'warn')
    .map((r) => buildResult(r, ruleIndex.get(r.check) ?? -1));
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ecr-doctor',
            version: report.tool.version,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** 'codebuild-principal-can-pull' → 'CodebuildPrincipalCanPull' (SARIF §3.49.7 wants a name that is not the id). */
export function toPascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

function buildRule(id: CheckId): SarifRule {
  const meta = CHECK_CATALOG[id];
  return {
    id,
    name: toPascalCase(id),
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.help },
    help: { text: meta.help },
    defaultConfiguration: { level: defaultLevelOf(id) },
  };
}

/**
 * Every catalogued check, in catalogue order, so rule indexes are stable from run to run. A
 * result whose check is not catalogued (should not happen; `Result.check` is a plain string)
 * still gets a rule, appended, so that every ruleIndex points at a rule.
 */
function buildRules(results: readonly Result[]): SarifRule[] {
  const rules = CHECK_IDS.map(buildRule);
  const known = new Set<string>(CHECK_IDS);
  for (const r of results) {
    if (known.has(r.check) || r.status === 'pass' || r.status === 'skip') continue;
    known.add(r.check);
    rules.push({
      id: r.check,
      name: toPascalCase(r.check),
      shortDescription: { text: r.check },
      fullDescription: { text: r.check },
      help: { text: r.check },
      defaultConfiguration: { level: 'error' },
    });
  }
  return rules;
}

function buildResult(r: Result, ruleIndex: number): Record<string, unknown> {
  const properties: Record<string, unknown> = { status: r.status, severity: r.severity };
  if (r.evidence !== undefined) properties['evidence'] = r.evidence;
  if (r.fix !== undefined) properties['fix'] = r.fix;
  return {
    ruleId: r.check,
    ruleIndex,
    level: r.status === 'warn' ? 'warning' : 'error',
    message: { text: r.message },
    locations: [buildLocation(r)],
    partialFingerprints: { 'ecrDoctorFinding/v1': fingerprintOf(r) },
    properties,
  };
}

function buildLocation(r: Result): Record<string, unknown> {
  const location: Record<string, unknown> = {};
  const file = r.evidence?.['file'];
  if (typeof file === 'string' && file.length > 0) {
    const region = lineRegion(r.evidence?.['line']);
    location['physicalLocation'] = {
      artifactLocation: toArtifactLocation(file),
      ...(region && { region }),
    };
  }
  location['logicalLocations'] = [{ fullyQualifiedName: r.subject, kind: 'resource' }];
  return location;
}

function lineRegion(line: unknown): { startLine: number } | undefined {
  return typeof line === 'number' && Number.isInteger(line) && line >= 1 ? { startLine: line } : undefined;
}

/**
 * SARIF §3.4.3 wants a URI reference. Relative paths stay relative to %SRCROOT% (the convention
 * GitHub and the SARIF SDK resolve against the checkout); absolute ones become file: URIs.
 * Done by hand rather than with node:url so the output does not depend on the host OS.
 */
function toArtifactLocation(path: string): { uri: string; uriBaseId?: string } {
  const slashed = path.replace(/\\/g, '/');
  const drive = /^[A-Za-z]:\//.exec(slashed);
  const encode = (p: string): string => p.split('/').map(encodeURIComponent).join('/');
  if (drive) return { uri: `file:///${slashed.slice(0, 2)}${encode(slashed.slice(2))}` };
  if (slashed.startsWith('/')) return { uri: `file://${encode(slashed)}` };
  return { uri: encode(slashed.replace(/^\.\//, '')), uriBaseId: '%SRCROOT%' };
}

/**
 * A stable identity for a finding across runs (SARIF §3.27.17): the check, what it is about
 * (the resource address in code, else the subject) and the file, but not the line or the
 * message, so that moving a block or rewording a message does not open a new code-scanning alert.
 */
export function fingerprintOf(r: Result): string {
  const location = r.evidence?.['location'];
  const address = typeof location === 'object' && location !== null ? (location as { address?: unknown }).address : undefined;
  const file = r.evidence?.['file'];
  const key = [r.check, typeof address === 'string' ? address : r.subject, typeof file === 'string' ? file : ''].join('\u0000');
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}
