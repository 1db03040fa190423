import { describe, expect, it } from 'vitest';
import { classifyPullMessage } from '../../src/triage/classify.js';
import { renderExplanation, type Paint } from '../../src/triage/explain-text.js';

const tag = (name: string) => (s: string) => `<${name}>${s}</${name}>`;
const paint: Paint = { bold: tag('b'), red: tag('red'), yellow: tag('yellow'), green: tag('green'), dim: tag('dim'), cyan: tag('cyan') };

describe('renderExplanation', () => {
  it('leads with the cause, says it is a grant problem, quotes the evidence and gives the next command', () => {
    const c = classifyPullMessage(
      "CannotPullContainerError: Error response from daemon: pull access denied for 123456789012.dkr.ecr.us-east-1.amazonaws.com/build-images, repository does not exist or may require 'docker login': denied: AWS CodeBuild is not authorized to perform ecr:BatchGetImage",
    );
    expect(renderExplanation(c, { color: false })).toBe(
      [
        'Cause: The repository policy does not trust CodeBuild (codebuild-not-trusted)',
        'ECR grant problem: yes',
        'Evidence: "AWS CodeBuild is not authorized to perform ecr:BatchGetImage"',
        'Details:',
        '  action: ecr:BatchGetImage',
        '  image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/build-images',
        '  repository: build-images',
        'What it means: The ECR repository policy on repository build-images does not allow codebuild.amazonaws.com to pull; CodeBuild pulled with its own identity (CODEBUILD mode, as eb deploy builds do), so granting the service role more rights will not help.',
        'Next: ecr-doctor fix --project <name> --dry-run   (shows the repository-policy statement it would add; run without --dry-run to apply); for eb deploy: ecr-doctor fix --buildspec buildspec.yml --dry-run   (in the EB project folder: grants every temporary project eb deploy creates for the application)',
        '',
      ].join('\n'),
    );
  });

  it('says plainly when the failure is not an ECR grant problem', () => {
    const out = renderExplanation(classifyPullMessage('toomanyrequests: You have reached your pull rate limit.'), { color: false });
    expect(out).toContain('Cause: Docker Hub rate limit (docker-hub-rate-limit)');
    expect(out).toContain('ECR grant problem: no');
    expect(out).toContain('Next: Not an ECR grant problem');
  });

  it('does not pretend to know whether a missing-or-denied repository is a grant problem', () => {
    const out = renderExplanation(classifyPullMessage("pull access denied for foo, repository does not exist or may require 'docker login'"), { color: false });
    expect(out).toContain('ECR grant problem: cannot tell from the message alone');
  });

  it('for unknown text says so and what to run instead', () => {
    const out = renderExplanation(classifyPullMessage('something odd happened'), { color: false });
    expect(out).toContain('Not recognised: ecr-doctor does not recognise this message.');
    expect(out).toContain('Run instead: ecr-doctor doctor --build <build-id>   (or --project <name>');
    expect(out).not.toContain('Seen:');
  });

  it('for the umbrella alone asks for the rest of the message', () => {
    const out = renderExplanation(classifyPullMessage("BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE: Unable to pull customer's container image"), { color: false });
    expect(out).toContain('Seen: "BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE". The text only has CodeBuild\'s umbrella words');
    expect(out).toContain('paste all of it');
  });

  it('for a pull failure with an unrecognised reason says the reason is not recognised', () => {
    const out = renderExplanation(
      classifyPullMessage("BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE: Unable to pull customer's container image. CannotPullContainerError: a Windows version 10.0.17763-based image is incompatible with a 10.0.14393 host"),
      { color: false },
    );
    expect(out).toContain('the reason it gives is not one ecr-doctor recognises');
    expect(out).not.toContain('paste all of it');
  });

  it('colours only when asked and given paint, and never emits escape codes itself', () => {
    const c = classifyPullMessage('no basic auth credentials');
    const plainOut = renderExplanation(c, { color: false, paint });
    expect(plainOut).not.toContain('<b>');
    expect(renderExplanation(c, { color: true })).toBe(plainOut);
    const coloured = renderExplanation(c, { color: true, paint });
    expect(coloured).toContain('<b>Cause:</b> <yellow>No docker login to that registry before the pull</yellow> <dim>(registry-login-missing)</dim>');
    expect(coloured).toContain(`<green>${c.nextStep}</green>`);
    // eslint-disable-next-line no-control-regex
    expect(coloured).not.toMatch(/\u001b\[/);
  });
});
