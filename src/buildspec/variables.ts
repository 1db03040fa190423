/**
 * The variables a buildspec command sees. CodeBuild's precedence (user guide, "Environment variables
 * in build environments"): a start-build override beats the project's value, which beats the
 * buildspec's `env.variables`; CodeBuild itself sets AWS_REGION, AWS_DEFAULT_REGION and the
 * CODEBUILD_* variables. PARAMETER_STORE and SECRETS_MANAGER values are never read: such a variable
 * is known to exist and its value is unknown.
 */
export type Known = { kind: 'value'; value: string } | { kind: 'unknown'; why: string } | { kind: 'unset' };

export class Variables {
  private readonly own = new Map<string, Known>();

  constructor(
    private readonly parent?: Variables,
    /** The account the build runs in (what `aws sts get-caller-identity --query Account` prints). */
    readonly account?: string,
  ) {}

  get(name: string): Known {
    return this.own.get(name) ?? this.parent?.get(name) ?? { kind: 'unset' };
  }

  /** A value, or (when `value` is undefined) a variable whose value cannot be known, with why. */
  set(name: string, value: string | undefined, why = `${name} is set to something ecr-doctor could not evaluate`): void {
    this.own.set(name, value === undefined ? { kind: 'unknown', why } : { kind: 'value', value });
  }

  unknown(name: string, why: string): void {
    this.own.set(name, { kind: 'unknown', why });
  }

  child(): Variables {
    return new Variables(this, this.account);
  }
}

export interface BuildVariables {
  region: string;
  account?: string;
  /** Lowest precedence first: buildspec env, then the project's, then a build's overrides. */
  layers: { name: string; type: 'PLAINTEXT' | 'PARAMETER_STORE' | 'SECRETS_MANAGER'; value?: string }[][];
}

/** The variables at the start of the install phase. */
export function initialVariables(v: BuildVariables): Variables {
  const vars = new Variables(undefined, v.account);
  vars.set('AWS_REGION', v.region);
  vars.set('AWS_DEFAULT_REGION', v.region);
  for (const name of ['CODEBUILD_RESOLVED_SOURCE_VERSION', 'CODEBUILD_SOURCE_VERSION', 'CODEBUILD_BUILD_ID', 'CODEBUILD_BUILD_NUMBER', 'CODEBUILD_START_TIME', 'CODEBUILD_WEBHOOK_TRIGGER']) {
    vars.unknown(name, `${name} is set by CodeBuild for each build`);
  }
  vars.unknown('CODEBUILD_SRC_DIR', 'CODEBUILD_SRC_DIR is the source folder of each build');
  for (const layer of v.layers) {
    for (const e of layer) {
      if (e.type === 'PLAINTEXT' && e.value !== undefined) vars.set(e.name, e.value);
      else vars.unknown(e.name, `${e.name} is a ${e.type === 'PARAMETER_STORE' ? 'Parameter Store' : 'Secrets Manager'} variable, which ecr-doctor never reads`);
    }
  }
  return vars;
}
