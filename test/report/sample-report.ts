import { summarise, type Report, type Result } from '../../src/model/result.js';

/** Subjects with XML- and JSON-special characters, shared by the renderer tests. */
export const PROJECT = 'arn:aws:codebuild:us-east-1:111122223333:project/web<"prod"> & \'blue\'';
export const REPO = 'arn:aws:ecr:us-east-1:444455556666:repository/team/web';
export const ROLE = 'arn:aws:iam::111122223333:role/codebuild-web-service-role';

export function makeReport(results: Result[]): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'ecr-doctor', version: '0.1.0-test' },
    target: { kind: 'project', projects: ['web'] },
    summary: summarise(results),
    results,
  };
}
