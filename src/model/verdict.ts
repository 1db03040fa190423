import type { PullMode } from './facts.js';
import type { Status } from './result.js';

/** One pull the report examined, as the verdict names it (derived from the checks' subjects). */
export interface PullDescription {
  /** The results' subject for this pull (a project ARN, `eb:<app>`, a build id, `<image> (<mode>)`). */
  subject: string;
  kind: 'project' | 'eb-app' | 'build' | 'image' | 'in-build';
  /** Short name for a person: the project name, the eb application, the build id. */
  name: string;
  image: string;
  mode: PullMode;
  /** For a pull the buildspec makes: how (docker pull, docker build, ...). */
  via?: string;
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
  pull?: { kind: PullDescription['kind']; name: string; image: string; mode: PullMode; via?: string };
  /** The deciding result: its check and message, and the fix command or description. */
  check?: string;
  message?: string;
  fixCommand?: string;
  fixDescription?: string;
  /** Whether the deciding result is about the pull itself (else about the build around it: docker, the buildspec). */
  aboutPull?: boolean;
  /** How many other problems (fail, warn, error) the same subject has. */
  moreProblems: number;
}
