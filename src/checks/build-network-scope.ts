import type { Facts, VpcConfigInfo } from '../model/facts.js';
import type { PullSubject } from './subjects.js';
import { buildspecOwners, inBuildSubjects } from './subjects.js';

/** A build that runs in a VPC and pulls from ECR inside the build: what build-network judges and the live source reads for. */
export interface VpcBuild {
  owner: PullSubject;
  /** Absent: the project runs outside any VPC, on CodeBuild's own network. */
  vpc?: VpcConfigInfo & { vpcId: string };
  /** The private ECR images the buildspec pulls. */
  ecrPulls: PullSubject[];
}

/** The VPC config the build ran with: a build record's own, else the project's (eb deploy's temporary project has none). */
export function vpcConfigOf(facts: Facts, owner: PullSubject): VpcConfigInfo | undefined {
  if (owner.build) return owner.build.vpcConfig;
  if (owner.kind !== 'project' || !owner.projectArn) return undefined;
  for (const p of facts.projects) if (p.project.state === 'present' && p.project.value.arn === owner.projectArn) return p.project.value.vpcConfig;
  return undefined;
}

/** Every build environment whose buildspec pulls a private ECR image, with its VPC when it has one. */
export function vpcBuilds(facts: Facts, subjects?: readonly PullSubject[]): VpcBuild[] {
  const out: VpcBuild[] = [];
  for (const owner of subjects ? buildspecOwners(facts, subjects) : buildspecOwners(facts)) {
    const ecrPulls = inBuildSubjects(owner).filter((s) => s.imageRef.kind === 'ecr');
    if (ecrPulls.length === 0) continue;
    const config = vpcConfigOf(facts, owner);
    // CodeBuild rejects a vpcConfig without vpcId and subnets, and an empty one means "no VPC".
    const vpc = config?.vpcId && config.subnets.length > 0 ? { ...config, vpcId: config.vpcId } : undefined;
    out.push({ owner, ...(vpc ? { vpc } : {}), ecrPulls });
  }
  return out;
}
