import type { EbContext } from './facts.js';

/** What the user asked to examine, after flags, environment and files are read. */
export interface Target {
  projects: string[];
  allProjects: boolean;
  builds: string[];
  lastFailed: boolean;
  images: string[];
  eb?: EbContext;
  /** How the target was found, for the report header: "--project x", "CODEBUILD_BUILD_ARN", "buildspec.yml". */
  foundBy: string;
  /**
   * The region the target itself names (a project or build ARN, or CODEBUILD_BUILD_ARN). Inside a build the
   * container's credentials and region are the right ones, not the profile and region that a
   * committed .elasticbeanstalk/config.yml names for a developer's machine.
   */
  region?: string;
  ignoreEbProfile?: boolean;
  /** A buildspec file given with --buildspec (or the eb project's), read for the pulls it makes; `root` is the source folder it sits in. */
  buildspec?: { path: string; root: string; explicit: boolean };
}

export function describeTarget(t: Target): string {
  const parts: string[] = [];
  if (t.allProjects) parts.push('all projects');
  if (t.projects.length) parts.push(`project${t.projects.length > 1 ? 's' : ''} ${t.projects.join(', ')}`);
  if (t.builds.length) parts.push(`build ${t.builds.join(', ')}`);
  if (t.lastFailed) parts.push('last failed build');
  if (t.images.length) parts.push(`image ${t.images.join(', ')}`);
  if (t.eb) parts.push(`eb deploy of ${t.eb.applicationName ?? '(unnamed application)'} (${t.eb.buildspecPath})`);
  return parts.join(', ');
}
