import { derivePullSubjects } from '../checks/subjects.js';
import { parseImageRef } from '../image/parse-image-ref.js';
import { UsageError } from '../model/errors.js';
import { EXIT } from '../model/exit-code.js';
import type { Facts } from '../model/facts.js';
import { permissionsPolicy, type FixScope } from '../permissions/aws-calls.js';
import type { CommonOptions, TargetOptions } from './options.js';
import { makeProgress, writeOut } from './output.js';

export interface PermissionsOptions extends CommonOptions {
  fix: boolean;
  projects: string[];
  images: string[];
}

/** What fix may write for the given projects: their repositories, and the roles of SERVICE_ROLE projects. */
export function scopeFromFacts(facts: Facts): FixScope {
  const missing = facts.projects.filter((p) => p.project.state !== 'present');
  if (missing.length > 0) {
    const first = missing[0]!;
    const why = first.project.state === 'unreadable' ? `cannot read it (${first.project.reason})` : `it was not found in region ${facts.region}`;
    throw new UsageError(`cannot name what fix may write for project ${first.requested}: ${why}`, 'check the project name and --region, or run permissions --fix without a target for the policy on *');
  }
  const repositories = new Set<string>();
  const roles = new Set<string>();
  for (const s of derivePullSubjects(facts)) {
    if (s.imageRef.kind === 'ecr') repositories.add(s.imageRef.repositoryArn);
    // SERVICE_ROLE pulls, pulls inside the build (their login runs as the role) and registry credentials are granted on the role.
    if ((s.mode === 'SERVICE_ROLE' || s.registryCredential) && s.serviceRoleArn) roles.add(s.serviceRoleArn);
  }
  return { repositories: [...repositories], roles: [...roles] };
}

/** --image is resolved offline: the repository ARN is in the URI. */
function scopeOfImages(images: readonly string[]): FixScope {
  const repositories = images.map((image) => {
    const ref = parseImageRef(image);
    if (ref.kind !== 'ecr') throw new UsageError(`${image} is not a private ECR image: fix writes no policy for it`, 'name a private ECR image (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG)');
    return ref.repositoryArn;
  });
  return { repositories, roles: [] };
}

/** A project is read live (its image and role are not in its name); only then. */
async function scopeOfProjects(o: PermissionsOptions): Promise<FixScope> {
  const [{ resolveTarget }, { readLive }] = await Promise.all([import('./resolve-target.js'), import('./load-facts.js')]);
  const opts: TargetOptions = { command: 'fix', project: o.projects, allProjects: false, image: [], build: [], lastFailed: false };
  const target = await resolveTarget(opts, o, process.cwd(), process.env);
  return scopeFromFacts(await readLive(target, o, makeProgress(!o.quiet && !!o.verbose)));
}

export async function runPermissions(o: PermissionsOptions): Promise<number> {
  const targeted = o.projects.length > 0 || o.images.length > 0;
  if (targeted && !o.fix) throw new UsageError('--project and --image name what fix may write; they go with --fix', 'ecr-doctor permissions --fix --project NAME');
  let scope: FixScope | undefined;
  if (targeted) {
    const fromImages = scopeOfImages(o.images);
    const fromProjects = o.projects.length > 0 ? await scopeOfProjects(o) : { repositories: [], roles: [] };
    scope = { repositories: [...new Set([...fromImages.repositories, ...fromProjects.repositories])], roles: fromProjects.roles };
  }
  writeOut(`${JSON.stringify(permissionsPolicy(o.fix, scope), null, 2)}\n`);
  return EXIT.ok;
}
