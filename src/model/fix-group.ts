import type { FixHint, Status } from './result.js';

export type ProblemStatus = Extract<Status, 'fail' | 'error' | 'warn'>;

/** Where the report says it looked, for the commands of groups whose results do not say it themselves. */
export interface GroupScope {
  /** The account ecr-doctor ran as (the report's target.account). */
  account?: string;
  region?: string;
  /** The role a multi-account run assumed in each member account (the report's target.assumeRole). */
  assumeRole?: string;
}

/**
 * Problems that one change fixes (issue 15): the JSON report's `groups`, additive to schema 1.
 * `subjects` are the results' subjects (project ARNs, mostly), distinct and sorted.
 */
export interface FixGroup {
  /** The worst status among the group's results. */
  status: ProblemStatus;
  check: string;
  /** Distinct subjects (projects, pulls) the change fixes. */
  count: number;
  subjects: string[];
  /** The first sentence of the first subject's message. */
  cause: string;
  /** Set when the subjects' causes are worded differently (a different tag of the same repository, say). */
  causesDiffer?: true;
  /** The results' account and region (multi-scope runs set them; absent on a single-scope run). */
  account?: string;
  region?: string;
  /** Absent when the results carry no fix hint: then they group by check and cause. */
  fix?: {
    target: FixHint['target'];
    /** The account that must make the change. */
    account?: string;
    /** The ARN of what must change; absent when the change is made on each subject itself (`eachSubject`). */
    resource?: string;
    /** The same change on each subject (a project setting), not one change for all. */
    eachSubject?: true;
    /** The distinct descriptions of the change (usually one). */
    descriptions: string[];
    /** One command that fixes every subject of the group, where there is one. */
    command?: string;
    /** What the command covers beyond the group, or why no one command fixes it. */
    commandNote?: string;
  };
}
