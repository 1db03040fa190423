import type { Check } from './check.js';
import { resultsFor } from './check.js';

export const imageReference: Check = {
  id: 'image-reference',
  run(ctx) {
    const r = resultsFor('image-reference', ctx);
    const ref = ctx.subject.imageRef;
    const evidence = { image: ctx.subject.image };
    // A pull inside the build is judged by registry-login, build-role-can-pull and docker-hub-rate-limit; only a malformed one is said here.
    if (ctx.subject.kind === 'in-build' && ref.kind !== 'invalid') return [];
    switch (ref.kind) {
      case 'invalid':
        return [r.fail(`${ctx.subject.inBuild ? `The image pulled by \`${ctx.subject.inBuild.pull.command}\`` : 'The build image'} "${ref.raw}" is not a valid image reference: ${ref.error.replace(/^invalid image reference "[^"]*": /, '')}.`, {
          evidence,
          fix: { target: 'project-setting', description: 'Correct the image in the project environment (or in eb_codebuild_settings.Image).' },
        })];
      case 'curated':
        return [r.pass(`${ref.raw} is a CodeBuild curated image: CodeBuild pulls it itself and no repository policy is involved.`, { evidence })];
      case 'ecr-public':
        return [r.pass(`${ref.raw} is on ECR Public: pulls are anonymous and no repository policy is involved.`, { evidence })];
      case 'docker-hub':
        return [r.pass(`${ref.raw} is a Docker Hub image: pulled anonymously (rate limited) unless a registry credential is set; no ECR policy is involved.`, { evidence })];
      case 'other-registry':
        if (!ctx.subject.registryCredential) {
          return [r.warn(`${ref.raw} is on ${ref.host}, not ECR: a private registry needs registryCredential (a Secrets Manager secret) and SERVICE_ROLE mode.`, { evidence })];
        }
        return [r.pass(`${ref.raw} is on ${ref.host}, pulled with the project's registry credential.`, { evidence })];
      case 'ecr':
        return [r.pass(`${ref.raw} is a private ECR image in account ${ref.account}, region ${ref.region}.`, {
          evidence: { ...evidence, repositoryArn: ref.repositoryArn, reference: ref.reference },
        })];
    }
  },
};
