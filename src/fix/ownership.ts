/**
 * Which statements of a policy are ecr-doctor's own. A Sid alone proves nothing: a user may have
 * named a statement of theirs (a Deny, a wider grant) EcrDoctorCodeBuildPull. A statement is
 * ours only when its Sid is one fix writes AND its shape is exactly what grants/pull-grants.ts writes;
 * a same-named statement of another shape, or two statements with one of our Sids, stop the
 * plan: replacing either would edit something the user wrote.
 */
import type { PolicyStatement } from '../policy/index.js';
import { parsePolicy } from '../policy/index.js';
import { CODEBUILD_PULL_SID, PULL_ACTIONS, ROLE_AUTH_TOKEN_SID, ROLE_PULL_SID } from '../grants/pull-grants.js';
import { SECRET_DECRYPT_SID, SECRET_READ_SID } from '../grants/secret-grants.js';

/** Where the statement lives: the shape of EcrDoctorRolePull differs between the two. */
export type PolicyHolder = 'repository' | 'role';

export type OwnedStatements = { ok: true; bySid: Map<string, PolicyStatement> } | { ok: false; message: string };

const PULL = new Set(PULL_ACTIONS.map((a) => a.toLowerCase()));
const ROLE_ARN = /^arn:[a-z-]+:iam::\d{12}:role\/\S+$/;
const REPOSITORY_ARN = /^arn:[a-z-]+:ecr:[a-z0-9-]+:\d{12}:repository\/[^*?\s]+$/;
const ACCOUNT_ID = /^\d{12}$/;

function onlyKeys(obj: object | undefined, keys: readonly string[]): boolean {
  return Object.keys(obj ?? {}).every((k) => keys.includes(k));
}

function pullOnly(st: PolicyStatement): string | undefined {
  const others = (st.action ?? []).filter((a) => !PULL.has(a.toLowerCase()));
  if (others.length) return `it grants ${others.join(', ')}, not only the pull actions`;
  if (!st.action?.length) return 'it has no Action';
  return undefined;
}

function codebuildShape(st: PolicyStatement): string | undefined {
  const p = st.principal;
  if (p === '*' || !p || !onlyKeys(p, ['Service']) || p.Service?.length !== 1 || p.Service[0] !== 'codebuild.amazonaws.com') {
    return 'its principal is not codebuild.amazonaws.com alone';
  }
  if (st.resource) return 'it has a Resource element';
  const c = st.condition ?? {};
  const account = c['StringEquals']?.['aws:SourceAccount'];
  const arns = c['ArnLike']?.['aws:SourceArn'];
  if (!onlyKeys(c, ['StringEquals', 'ArnLike']) || !onlyKeys(c['StringEquals'], ['aws:SourceAccount']) || !onlyKeys(c['ArnLike'], ['aws:SourceArn'])) {
    return 'it has conditions other than StringEquals aws:SourceAccount and ArnLike aws:SourceArn';
  }
  if (account?.length !== 1 || !ACCOUNT_ID.test(account[0]!)) return 'its StringEquals aws:SourceAccount is not one account id';
  if (!arns?.length) return 'it has no ArnLike aws:SourceArn';
  return pullOnly(st);
}

function rolePullRepositoryShape(st: PolicyStatement): string | undefined {
  const p = st.principal;
  if (p === '*' || !p || !onlyKeys(p, ['AWS']) || !p.AWS?.length || !p.AWS.every((a) => ROLE_ARN.test(a))) {
    return 'its principal is not one or more role ARNs';
  }
  if (st.resource) return 'it has a Resource element';
  if (st.condition) return 'it has a Condition';
  return pullOnly(st);
}

function authTokenShape(st: PolicyStatement): string | undefined {
  if (st.principal) return 'it has a Principal';
  if (st.condition) return 'it has a Condition';
  if (st.action?.length !== 1 || st.action[0]!.toLowerCase() !== 'ecr:getauthorizationtoken') return 'it grants more than ecr:GetAuthorizationToken';
  if (st.resource?.length !== 1 || st.resource[0] !== '*') return 'its Resource is not "*"';
  return undefined;
}

function rolePullIdentityShape(st: PolicyStatement): string | undefined {
  if (st.principal) return 'it has a Principal';
  if (st.condition) return 'it has a Condition';
  if (!st.resource?.length || !st.resource.every((r) => REPOSITORY_ARN.test(r))) return 'its Resource is not a list of repository ARNs';
  return pullOnly(st);
}

const SECRET_ARN = /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^*?\s]+$/;
const KEY_ARN = /^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\/[^*?\s]+$/;
const VIA_SECRETS_MANAGER = /^secretsmanager\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

function only(st: PolicyStatement, action: string): string | undefined {
  if (st.action?.length !== 1 || st.action[0]!.toLowerCase() !== action.toLowerCase()) return `it grants more than ${action}`;
  return undefined;
}

function secretReadShape(st: PolicyStatement): string | undefined {
  if (st.principal) return 'it has a Principal';
  if (st.condition) return 'it has a Condition';
  if (!st.resource?.length || !st.resource.every((r) => SECRET_ARN.test(r))) return 'its Resource is not a list of secret ARNs';
  return only(st, 'secretsmanager:GetSecretValue');
}

function secretDecryptShape(st: PolicyStatement): string | undefined {
  if (st.principal) return 'it has a Principal';
  if (!st.resource?.length || !st.resource.every((r) => KEY_ARN.test(r))) return 'its Resource is not a list of key ARNs';
  const c = st.condition ?? {};
  const via = c['StringEquals']?.['kms:ViaService'];
  if (!onlyKeys(c, ['StringEquals']) || !onlyKeys(c['StringEquals'], ['kms:ViaService']) || !via?.length || !via.every((v) => VIA_SECRETS_MANAGER.test(v))) {
    return 'its only condition is not StringEquals kms:ViaService = secretsmanager.<region>.amazonaws.com';
  }
  return only(st, 'kms:Decrypt');
}

const SHAPES: Record<PolicyHolder, Record<string, (st: PolicyStatement) => string | undefined>> = {
  repository: { [CODEBUILD_PULL_SID]: codebuildShape, [ROLE_PULL_SID]: rolePullRepositoryShape },
  role: { [ROLE_AUTH_TOKEN_SID]: authTokenShape, [ROLE_PULL_SID]: rolePullIdentityShape, [SECRET_READ_SID]: secretReadShape, [SECRET_DECRYPT_SID]: secretDecryptShape },
};

/** Why a statement carrying one of our Sids is not one ecr-doctor wrote; undefined when it is. */
export function foreignShapeReason(st: PolicyStatement, holder: PolicyHolder): string | undefined {
  const shape = st.sid === undefined ? undefined : SHAPES[holder][st.sid];
  if (!shape) return 'its Sid is not one ecr-doctor writes here';
  if (st.effect !== 'Allow') return `it is a ${st.effect}`;
  if (st.notPrincipal) return 'it has NotPrincipal';
  if (st.notAction) return 'it has NotAction';
  if (st.notResource) return 'it has NotResource';
  return shape(st);
}

/** True when the statement is one of `sids` and has exactly the shape ecr-doctor writes for it. */
export function isOwnedStatement(st: PolicyStatement, holder: PolicyHolder, sids: readonly string[]): boolean {
  return st.sid !== undefined && sids.includes(st.sid) && foreignShapeReason(st, holder) === undefined;
}

/**
 * ecr-doctor's statements among `sids` in `policyText`, or why the policy cannot be merged: a
 * statement with one of those Sids but another shape, or a Sid used twice. The same rule serves
 * the plan and apply's verification, so what one calls ours the other does too.
 */
export function findOwnedStatements(policyText: string | undefined, holder: PolicyHolder, sids: readonly string[]): OwnedStatements {
  const bySid = new Map<string, PolicyStatement>();
  if (policyText === undefined || policyText.trim() === '') return { ok: true, bySid };
  const parsed = parsePolicy(policyText);
  if (!parsed.ok) return { ok: false, message: `the current policy cannot be read (${parsed.error.path}: ${parsed.error.message})` };
  for (const st of parsed.policy.statements) {
    if (st.sid === undefined || !sids.includes(st.sid)) continue;
    const name = `statement "${st.sid}" (#${st.index})`;
    const earlier = bySid.get(st.sid);
    const why = earlier ? `another statement (#${earlier.index}) has the same Sid` : foreignShapeReason(st, holder);
    if (why) return { ok: false, message: `${name} was not written by ecr-doctor (${why}); rename or remove it, then run fix again` };
    bySid.set(st.sid, st);
  }
  return { ok: true, bySid };
}
