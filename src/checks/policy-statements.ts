import type { PolicyDocument, PolicyStatement } from '../policy/index.js';
import { matchesAction } from '../policy/matchers.js';
import { repositoryPolicyDocument } from './pull-access.js';
import type { RepositoryFacts } from '../model/facts.js';

/** Whether a statement's Action/NotAction covers the action (IAM action names are case-insensitive). */
export function statementCoversAction(s: PolicyStatement, action: string): boolean {
  if (s.action) return s.action.some((a) => matchesAction(a, action));
  if (s.notAction) return !s.notAction.some((a) => matchesAction(a, action));
  return false;
}

export function isEveryone(s: PolicyStatement): boolean {
  return s.principal === '*' || (typeof s.principal === 'object' && (s.principal.AWS ?? []).includes('*'));
}

export function awsPrincipals(s: PolicyStatement): string[] {
  return typeof s.principal === 'object' ? (s.principal.AWS ?? []) : [];
}

export function servicePrincipals(s: PolicyStatement): string[] {
  return typeof s.principal === 'object' ? (s.principal.Service ?? []) : [];
}

/** The parsed repository policy, or undefined when there is none or it cannot be read. */
export function readablePolicy(repo: RepositoryFacts | undefined): PolicyDocument | undefined {
  return repo && repo.policy.state === 'present' ? repositoryPolicyDocument(repo) : undefined;
}

/** `"Sid" (#index)`, or `#index` for a statement without a Sid: the one way reports name a statement. */
export function statementName(s: { index: number; sid?: string }): string {
  return s.sid ? `"${s.sid}" (#${s.index})` : `#${s.index}`;
}
