import { awsCliOf } from '../buildspec/aws-cli-version.js';
import type { InBuildLogin } from '../model/facts.js';
import type { Result } from '../model/result.js';
import type { Check, FactsCheck } from './check.js';
import { makeResult, resultsFor } from './check.js';
import { ecrLoginLine, loginsBefore, placeOf, stepsAround } from './in-build-steps.js';
import type { PullSubject } from './subjects.js';
import { buildspecOwners, tryParseImage } from './subjects.js';

type Covers = 'yes' | 'wrong-region' | 'get-login' | 'unknown' | 'no';

function covers(l: InBuildLogin, host: string, account: string, region: string, owner: PullSubject): Covers {
  switch (l.method) {
    case 'credential-helper':
      return l.hosts.some((h) => h === host || h === '*.dkr.ecr.*.amazonaws.com') ? 'yes' : 'no';
    case 'get-login': {
      const ids = l.registryIds?.length ? l.registryIds : owner.account ? [owner.account] : [];
      if (!ids.includes(account)) return ids.length === 0 ? 'unknown' : 'no';
      return (l.region ?? owner.region) === region ? 'get-login' : 'wrong-region';
    }
    case 'get-login-password':
      if (!l.hosts.includes(host)) return l.hosts.length === 0 && l.unresolved?.length ? 'unknown' : 'no';
      // An ECR authorization token is for the registries of one region (DOMAIN.md §6b).
      return l.region === undefined || l.region === region ? 'yes' : 'wrong-region';
    case 'docker-login':
      if (l.hosts.includes(host)) return 'yes';
      return l.hosts.length === 0 && l.unresolved?.length ? 'unknown' : 'no';
  }
}

/** Every private ECR registry pulled inside the build has a working docker login for that exact host before the pull. */
export const registryLogin: Check = {
  id: 'registry-login',
  run(ctx) {
    const { subject } = ctx;
    const ref = subject.imageRef;
    const around = stepsAround(subject);
    if (subject.kind !== 'in-build' || ref.kind !== 'ecr' || !around || !subject.inBuild) return [];
    const owner = subject.inBuild.owner;
    const r = resultsFor('registry-login', ctx);
    const { pull, steps, at } = around;
    const where = `\`${pull.command}\` (${placeOf(pull)})`;
    const evidence = { host: ref.host, image: ref.raw, pull: pull.command, phase: pull.phase };
    const line = ecrLoginLine(ref.region, ref.host);
    const fix = { target: 'other' as const, description: `Add this command to pre_build, before the pull: ${line}` };
    const before = loginsBefore(steps, at).map((l) => ({ l, c: covers(l, ref.host, ref.account, ref.region, owner) }));
    const ok = before.find((b) => b.c === 'yes');
    if (ok) return [r.pass(`${where} pulls from ${ref.host} after a docker login to it (\`${ok.l.command}\`, ${placeOf(ok.l)}).`, { evidence })];
    const legacy = before.find((b) => b.c === 'get-login');
    if (legacy) {
      const cli = awsCliOf(tryParseImage(owner.image));
      if (cli === 'v1') return [r.pass(`${where} pulls from ${ref.host} after \`aws ecr get-login\` (${placeOf(legacy.l)}), which the image's AWS CLI v1 still has.`, { evidence })];
      const words = `the only login to ${ref.host} before ${where} is \`aws ecr get-login\` (${placeOf(legacy.l)}), which AWS CLI v2 does not have ("Invalid choice")`;
      return [cli === 'v2'
        ? r.fail(`No working docker login before the pull: ${words}, and ${owner.image} ships AWS CLI v2.`, { evidence, fix })
        : r.warn(`The pull may fail: ${words}; whether ${owner.image || 'the build image'} ships AWS CLI v1 or v2 is not known here.`, { evidence, fix })];
    }
    const wrong = before.find((b) => b.c === 'wrong-region');
    if (wrong) {
      return [r.fail(`The docker login before ${where} (\`${wrong.l.command}\`, ${placeOf(wrong.l)}) is for region ${wrong.l.region ?? owner.region}, but ${ref.host} is in ${ref.region}: an ECR token works only in its own region, so the pull fails with "no basic auth credentials".`, { evidence, fix: { ...fix, description: `Log in with --region ${ref.region}: ${line}` } })];
    }
    const unknown = before.find((b) => b.c === 'unknown');
    if (unknown) {
      return [r.warn(`Cannot tell whether the docker login \`${unknown.l.command}\` (${placeOf(unknown.l)}) is for ${ref.host}: ${unknown.l.unresolved?.join('; ') ?? 'its registry could not be resolved'}.`, { evidence })];
    }
    const later = steps.slice(at + 1).find((s): s is InBuildLogin => s.kind === 'login' && covers(s, ref.host, ref.account, ref.region, owner) === 'yes');
    const when = later ? ` (the login to it, \`${later.command}\`, runs later, in ${placeOf(later)})` : '';
    return [r.fail(`${where} pulls the private image ${ref.raw} with no docker login to ${ref.host} before it${when}: the pull fails with "no basic auth credentials".`, { evidence, fix })];
  },
};

/** `aws ecr get-login` exists only in AWS CLI v1: on an image with v2 the command itself fails the build. */
export const legacyGetLogin: FactsCheck = {
  id: 'registry-login',
  runOnce(facts) {
    const results: Result[] = [];
    for (const owner of buildspecOwners(facts)) {
      if (owner.buildspec?.state !== 'present') continue;
      const cli = awsCliOf(tryParseImage(owner.image));
      for (const step of owner.buildspec.value.steps) {
        if (step.kind !== 'login' || step.method !== 'get-login' || cli === 'v1') continue;
        const region = step.region ?? owner.region;
        const host = owner.account ? `${owner.account}.dkr.ecr.${region}.amazonaws.com` : `<account>.dkr.ecr.${region}.amazonaws.com`;
        const fix = { target: 'other' as const, description: `Replace it with: ${ecrLoginLine(region, host)}` };
        const text = `\`${step.command}\` (${placeOf(step)}) uses aws ecr get-login, which AWS CLI v2 removed: the command fails with "Invalid choice"`;
        results.push(cli === 'v2'
          ? makeResult('registry-login', owner.label, 'fail', `${text}, and ${owner.image} ships AWS CLI v2.`, { evidence: { command: step.command, image: owner.image }, fix })
          : makeResult('registry-login', owner.label, 'warn', `${text} on an image with AWS CLI v2; whether ${owner.image || 'the build image'} has v1 or v2 is not known here.`, { evidence: { command: step.command, image: owner.image }, fix }));
      }
    }
    return results;
  },
};
