#!/usr/bin/env node
// Synthesizes the seed story as a real CDK app (aws-cdk-lib, a devDependency) into
// fixtures/cdk/<name>.out/, the cloud assembly `cdk synth` writes (manifest.json + templates).
// Run after changing this app or upgrading aws-cdk-lib:  node scripts/synth-cdk-fixtures.mjs
// The output is committed; `doctor --cloudformation fixtures/cdk/<name>.out` reads it.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Aws, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';

const root = fileURLToPath(new URL('..', import.meta.url));

function synth(name, { grant }) {
  const outdir = join(root, 'fixtures', 'cdk', `${name}.out`);
  rmSync(outdir, { recursive: true, force: true });
  // No asset metadata, version reporting or stack traces: the output stays small and stable.
  const app = new App({ outdir, analyticsReporting: false, context: { 'aws:cdk:disable-stack-trace': true } });
  const stack = new Stack(app, 'SeedStack');
  const repo = new ecr.Repository(stack, 'BuildRepo', { repositoryName: 'seed-app' });
  const role = new iam.Role(stack, 'BuildRole', { roleName: 'seed-codebuild-role', assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
  // The role has ECR rights; in CODEBUILD mode they are not what pulls the image.
  repo.grantPull(role);
  const project = new codebuild.Project(stack, 'BuildProject', {
    projectName: 'seed-app-build',
    role,
    environment: { buildImage: codebuild.LinuxBuildImage.fromDockerRegistry(`${repo.repositoryUri}:latest`) },
    buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['echo hello'] } } }),
  });
  // CDK writes SERVICE_ROLE for any registry image; the seed's project (like eb deploy's temporary
  // projects) pulls in CODEBUILD mode, which needs the escape hatch.
  project.node.defaultChild.addPropertyOverride('Environment.ImagePullCredentialsType', 'CODEBUILD');
  if (grant) {
    // The project's ARN from its name: the repository policy is part of the repository, which the project depends on.
    repo.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CodeBuildPull',
      principals: [new iam.ServicePrincipal('codebuild.amazonaws.com')],
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'codebuild', resource: 'project', resourceName: 'seed-app-build' }) },
      },
    }));
  }
  app.synth();
  console.log(`wrote ${outdir}`);
}

synth('seed-no-policy', { grant: false });
synth('seed-granted', { grant: true });
