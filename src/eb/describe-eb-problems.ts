import type { EbContext } from '../model/facts.js';
import type { Severity } from '../model/result.js';
import { EB_SETTINGS_HEADER } from './settings-header.js';

export type EbProblemCode =
  | 'no-header'
  | 'no-role'
  | 'no-image'
  | 'no-compute-type'
  | 'no-timeout'
  | 'no-application-name'
  | 'no-region';

export interface EbProblem {
  code: EbProblemCode;
  severity: Severity;
  /** One sentence, no colour: what is missing and what the EB CLI does about it. */
  message: string;
}

/**
 * What is missing from the eb-deploy context, each with what `eb deploy` does about it.
 * Sources: ebcli/core/fileoperations.py (`get_build_configuration`), ebcli/operations/
 * buildspecops.py (`validate_build_config`), ebcli/lib/elasticbeanstalk.py
 * (`create_application_version`), ebcli/resources/strings.py.
 */
export function describeEbProblems(ctx: EbContext): EbProblem[] {
  if (!ctx.hasSettings) {
    return [
      {
        code: 'no-header',
        severity: 'warning',
        message:
          `${ctx.buildspecPath} has no ${EB_SETTINGS_HEADER}, so eb deploy will not use CodeBuild: the EB CLI warns ` +
          `"Beanstalk configuration header '${EB_SETTINGS_HEADER}' is missing from Buildspec file; will not use Beanstalk ` +
          `Code Build integration" and deploys the source bundle unbuilt.`,
      },
    ];
  }
  const settings = ctx.settings ?? {};
  const problems: EbProblem[] = [];
  if (settings.codeBuildServiceRole === undefined) {
    problems.push({
      code: 'no-role',
      severity: 'error',
      message:
        `${EB_SETTINGS_HEADER} has no CodeBuildServiceRole: eb deploy stops before uploading anything with ` +
        `"No service role specified in buildspec; this is a required argument." (a role name or ARN is required).`,
    });
  }
  if (settings.image === undefined) {
    problems.push({
      code: 'no-image',
      severity: 'error',
      message:
        `${EB_SETTINGS_HEADER} has no Image: eb deploy stops with "No image specified in buildspec; this is a ` +
        `required argument."; only an interactive eb init fills one in, picked for the environment's platform.`,
    });
  }
  // The EB CLI fills in no defaults: it sends ComputeType/TimeoutInMinutes as None, and botocore's
  // parameter validation refuses None for a string/integer member before any request is made
  // (checked against botocore 1.43 with the Elastic Beanstalk model). Inferred, not seen on AWS.
  if (settings.computeType === undefined) {
    problems.push({
      code: 'no-compute-type',
      severity: 'warning',
      message:
        `${EB_SETTINGS_HEADER} has no ComputeType: the EB CLI sends none, and its AWS SDK is expected to refuse the call ` +
        `with "Invalid type for parameter BuildConfiguration.ComputeType, value: None" (inferred); set BUILD_GENERAL1_SMALL or larger.`,
    });
  }
  if (settings.timeout === undefined) {
    problems.push({
      code: 'no-timeout',
      severity: 'warning',
      message:
        `${EB_SETTINGS_HEADER} has no Timeout: the EB CLI sends none, and its AWS SDK is expected to refuse the call ` +
        `with "Invalid type for parameter BuildConfiguration.TimeoutInMinutes, value: None" (inferred); the API default would be 60 minutes.`,
    });
  }
  if (ctx.applicationName === undefined) {
    problems.push({
      code: 'no-application-name',
      severity: 'error',
      message:
        `No application_name under global in .elasticbeanstalk/config.yml or config.global.yml: eb deploy stops with ` +
        `"This directory has not been set up with the EB CLI. You must first run \"eb init\"." and the temporary ` +
        `project name Elastic-Beanstalk-<app>-... cannot be predicted.`,
    });
  }
  if (ctx.region === undefined) {
    problems.push({
      code: 'no-region',
      severity: 'warning',
      message:
        'No region from --region, default_region in .elasticbeanstalk/config.yml or AWS_DEFAULT_REGION: the EB CLI ' +
        "falls back to the AWS profile's region, else stops with \"The EB CLI cannot find a default region.\"",
    });
  }
  return problems;
}
