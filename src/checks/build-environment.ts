import type { Facts } from '../model/facts.js';
import type { PullSubject } from './subjects.js';

/** Where the image runs: the project's (or build's) environment, or the fleet's when it runs on one. */
export type BuildEnvironment =
  | { state: 'known'; environmentType: string; computeType?: string; diskGb?: number; fleetArn?: string; source: string }
  | { state: 'unknown' }
  | { state: 'fleet-unreadable'; fleetArn: string; reason: string; permission?: string }
  | { state: 'fleet-missing'; fleetArn: string };

/**
 * A fleet's environment type and compute wins over the project's: builds run on the fleet's
 * hosts (CodeBuild user guide, "Run builds on reserved capacity fleets").
 */
export function environmentOf(facts: Facts, subject: PullSubject): BuildEnvironment {
  if (subject.fleetArn) {
    const f = facts.fleets?.[subject.fleetArn];
    if (!f) return { state: 'fleet-unreadable', fleetArn: subject.fleetArn, reason: 'it was not read' };
    if (f.fleet.state === 'unreadable') return { state: 'fleet-unreadable', fleetArn: subject.fleetArn, reason: f.fleet.reason, ...(f.fleet.permission ? { permission: f.fleet.permission } : {}) };
    if (f.fleet.state === 'absent') return { state: 'fleet-missing', fleetArn: subject.fleetArn };
    const fleet = f.fleet.value;
    const environmentType = fleet.environmentType ?? subject.environmentType;
    if (!environmentType) return { state: 'unknown' };
    const computeType = fleet.computeType ?? subject.computeType;
    return { state: 'known', environmentType, ...(computeType ? { computeType } : {}), ...(fleet.diskGb !== undefined ? { diskGb: fleet.diskGb } : {}), fleetArn: subject.fleetArn, source: `fleet ${fleet.name ?? subject.fleetArn}` };
  }
  if (!subject.environmentType) return { state: 'unknown' };
  const source = subject.kind === 'eb-app' ? "eb deploy's temporary project (inferred)" : subject.kind === 'build' ? 'the build' : 'the project';
  return { state: 'known', environmentType: subject.environmentType, ...(subject.computeType ? { computeType: subject.computeType } : {}), source };
}
