import type { PullSubject } from './subjects.js';

/** The ecr-doctor command that plans the fix for a subject, to quote in results. */
export function fixCommandFor(subject: PullSubject): string {
  switch (subject.kind) {
    case 'eb-app':
      return 'ecr-doctor fix --buildspec buildspec.yml --dry-run';
    case 'image':
      return `ecr-doctor fix --image ${subject.image} --scope account --dry-run`;
    default:
      return subject.projectName ? `ecr-doctor fix --project ${subject.projectName} --dry-run` : 'ecr-doctor fix --dry-run';
  }
}
