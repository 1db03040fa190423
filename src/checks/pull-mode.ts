import type { Check } from './check.js';
import { resultsFor } from './check.js';

function modeWords(source: string): string {
  switch (source) {
    case 'default':
      return ' (the default: imagePullCredentialsType is not set)';
    case 'eb-inferred':
      return ' (eb deploy creates its temporary project without a pull-credentials setting, so CodeBuild uses its default; inferred from the Elastic Beanstalk API)';
    case 'build':
      return ' (as the build ran)';
    default:
      return '';
  }
}

/** The mode/image combinations of DOMAIN.md §1 that CodeBuild rejects or that fail at pull time. */
export const pullMode: Check = {
  id: 'pull-mode',
  run(ctx) {
    const { subject } = ctx;
    if (subject.kind === 'image' || subject.kind === 'in-build') return [];
    const r = resultsFor('pull-mode', ctx);
    const ref = subject.imageRef;
    const mode = `${subject.mode}${modeWords(subject.modeSource)}`;
    const evidence = { mode: subject.mode, modeSource: subject.modeSource, image: subject.image };
    const isEb = subject.kind === 'eb-app';

    if (ref.kind === 'curated' && subject.mode === 'SERVICE_ROLE') {
      return [r.fail(`A curated image cannot be pulled in SERVICE_ROLE mode; CodeBuild rejects this project setting.`, {
        evidence,
        fix: { target: 'project-setting', account: subject.account, resource: subject.projectArn, description: 'Set environment.imagePullCredentialsType to CODEBUILD.' },
      })];
    }
    if (ref.kind === 'ecr') {
      if (subject.account && ref.account !== subject.account && subject.mode === 'CODEBUILD') {
        return [isEb
          ? r.fail(`The image is in account ${ref.account} but eb deploy builds in account ${subject.account}: its temporary project pulls in CODEBUILD mode, which cannot pull a cross-account image, so eb deploy cannot use this image.`, {
              evidence: { ...evidence, imageAccount: ref.account },
              fix: { target: 'image', account: subject.account, description: `Copy or replicate the image into an ECR repository in account ${subject.account} (ECR cross-account replication), and point eb_codebuild_settings.Image at it.` },
            })
          : r.fail(`The image is in account ${ref.account}, the project in ${subject.account}: CODEBUILD mode cannot pull a cross-account ECR image (CodeBuild rejects this setting).`, {
              evidence: { ...evidence, imageAccount: ref.account },
              fix: { target: 'project-setting', account: subject.account, resource: subject.projectArn, description: `Set environment.imagePullCredentialsType to SERVICE_ROLE and let the service role pull from ${ref.repositoryArn} (identity policy in ${subject.account}, repository policy in ${ref.account}).` },
            })];
      }
      if (ref.region !== subject.region) {
        return [r.fail(`The image is in region ${ref.region} but the ${isEb ? 'eb deploy build runs' : 'project runs'} in ${subject.region}: the pull fails with BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE; AWS says to use an image in the same region.`, {
          evidence: { ...evidence, imageRegion: ref.region, projectRegion: subject.region },
          fix: { target: 'image', account: ref.account, description: `Replicate the repository to ${subject.region} (ECR cross-region replication) or push the image there, and use that URI.` },
        })];
      }
      if (subject.registryCredential) {
        // One message for both checks: registry-credential stays silent on ECR images.
        const who = subject.mode === 'CODEBUILD' ? 'codebuild.amazonaws.com under the repository policy' : 'the service role under its identity policies';
        return [r.warn(`registryCredential is ignored for an ECR image: the pull uses ${mode}, made by ${who}; registry credentials are for private registries, not ECR.`, {
          evidence: { ...evidence, credentialProvider: subject.registryCredential.credentialProvider },
          fix: { target: 'project-setting', account: subject.account, resource: subject.projectArn, description: 'Remove registryCredential; grant the pull with a repository policy (CODEBUILD mode) or the service role (SERVICE_ROLE mode).' },
        })];
      }
    }
    if (ref.kind === 'other-registry' && subject.registryCredential && subject.mode === 'CODEBUILD') {
      return [r.fail(`A registry credential needs SERVICE_ROLE mode: the service role reads the secret.`, {
        evidence,
        fix: { target: 'project-setting', account: subject.account, resource: subject.projectArn, description: 'Set environment.imagePullCredentialsType to SERVICE_ROLE and allow the role secretsmanager:GetSecretValue on the secret.' },
      })];
    }
    if (ref.kind === 'invalid') return [];
    const what = ref.kind === 'ecr' ? `${subject.account && ref.account !== subject.account ? 'cross-account' : 'same-account'}, same-region ECR` : ref.kind;
    return [r.pass(`Pull mode ${mode} fits a ${what} image.`, { evidence })];
  },
};
