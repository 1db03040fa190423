import type { Facts } from '../model/facts.js';
import type { PullSubject } from './subjects.js';
import { EB_PROJECT_PREFIX } from './subjects.js';

function quoted(path: string): string {
  return /^[\w./@:+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/** The ecr-doctor command that plans the fix for a subject, to quote in results. */
export function fixCommandFor(subject: PullSubject, facts: Facts): string {
  const buildspec = facts.eb ? quoted(facts.eb.buildspecPath) : 'buildspec.yml';
  switch (subject.kind) {
    case 'eb-app':
      return `ecr-doctor fix --buildspec ${buildspec} --dry-run`;
    case 'image':
      return `ecr-doctor fix --image ${subject.image} --dry-run`;
    case 'build':
      // The temporary project of eb deploy no longer exists; the buildspec knows the application.
      if (subject.projectName?.startsWith(EB_PROJECT_PREFIX)) return `ecr-doctor fix --buildspec ${buildspec} --dry-run   (in the EB project folder)`;
      return `ecr-doctor fix --build ${subject.label} --dry-run`;
    default:
      return subject.projectName ? `ecr-doctor fix --project ${subject.projectName} --dry-run` : 'ecr-doctor fix --dry-run';
  }
}
