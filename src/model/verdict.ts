import type { PullMode } from './facts.js';
import type { Status } from './result.js';

/** One pull the report examined, as the verdict names it (derived from the checks' subjects). */
export interface PullDescription {
  /** The results' subject for this pull (a project ARN, `eb:<app>`, a build id, `<image> (<mode>)`). */
  subject: string;
  kind: 'project' | 'eb-app' | 'build' | 'image';
  /** Short name for a person: the project name, the eb application, the build id. */
  name: string;
  image: string;
  mode: PullMode;
  /** Other subjects whose results decide this pull too (an --image's mode-independent results). */
  alsoSubjects?: string[];
}

/**
 * The answer for one subject, as data: the worst result decides it (publint's findings-as-data;
 * the wording lives in the text renderer). `pull` is absent for subjects that are not a pull
 * (a repository's own warnings, a project that was not found).
 */
export interface Verdict {
  subject: string;
  status: Status;
  pull?: { kind: PullDescription['kind']; name: string; image: string; mode: PullMode };
  /** The deciding result: its check and message, and the fix command or description. */
  check?: string;
  message?: string;
  fixCommand?: string;
  fixDescription?: string;
  /** How many other problems (fail, warn, error) the same subject has. */
  moreProblems: number;
}
