import type { Evaluation, StatementRef } from '../policy/index.js';
import { compareStatements, explainParts } from '../policy/index.js';
import type { ActionEvaluation } from './pull-access.js';
import { statementName } from './policy-statements.js';

export type Outcome = 'allowed' | 'explicit-deny' | 'implicit-deny' | 'undecidable';

/** The worst outcome over the actions of one pull: a Deny beats a missing Allow beats "cannot decide". */
export function worstOutcome(evaluations: readonly ActionEvaluation[]): Outcome {
  const decisions = evaluations.map((e) => e.evaluation.decision);
  if (decisions.includes('explicit-deny')) return 'explicit-deny';
  if (decisions.includes('implicit-deny')) return 'implicit-deny';
  if (decisions.includes('undecidable')) return 'undecidable';
  return 'allowed';
}

export function actionsWith(evaluations: readonly ActionEvaluation[], decision: Evaluation['decision']): string[] {
  return evaluations.filter((e) => e.evaluation.decision === decision).map((e) => e.action);
}

/** The statements that decided, over all actions, without repeats. */
export function decidingStatements(evaluations: readonly ActionEvaluation[], decision: Evaluation['decision']): StatementRef[] {
  const seen = new Map<string, StatementRef>();
  for (const e of evaluations) {
    if (e.evaluation.decision !== decision) continue;
    for (const s of e.evaluation.deciding) seen.set(`${s.policy}#${s.index}`, s);
  }
  return [...seen.values()];
}

/**
 * Evidence for a result: each action's decision and the engine's explanation of the worst
 * outcome, for the actions with that outcome only (never a line about an action that is
 * allowed). The summaries first, then the near misses of all those actions in statement order,
 * then what could not be evaluated; lines that differ only in the action name are said once.
 */
export function evaluationEvidence(evaluations: readonly ActionEvaluation[]): Record<string, unknown> {
  const worst = worstOutcome(evaluations);
  const relevant = evaluations.filter((e) => e.evaluation.decision === worst);
  const first = relevant[0]?.action ?? '';
  const seen = new Set<string>();
  const once = (action: string, line: string): boolean => {
    const key = line.split(action).join(first);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  const explained = relevant.map(({ action, evaluation }) => ({ action, evaluation, parts: explainParts(evaluation) }));
  const summary = explained.flatMap(({ action, parts }) => parts.summary.filter((l) => once(action, l)));
  const nearMisses = explained
    .flatMap(({ action, evaluation, parts }) => parts.nearMisses.map((n) => ({ ...n, action, evaluation })))
    .sort((a, b) => compareStatements(a.evaluation, a.statement, b.statement))
    .filter((n) => once(n.action, n.line))
    .map((n) => n.line);
  const undecidable = explained.flatMap(({ action, parts }) => parts.undecidable.filter((l) => once(action, l)));
  return { decisions: Object.fromEntries(evaluations.map((e) => [e.action, e.evaluation.decision])), explanation: [...summary, ...nearMisses, ...undecidable] };
}

/** The first undecidable condition, named, for a "cannot decide" warning. */
export function undecidableReason(evaluations: readonly ActionEvaluation[]): string {
  for (const e of evaluations) {
    const u = e.evaluation.undecidable[0];
    if (u) return `${u.operator ? `${u.operator} ` : ''}${u.key ?? ''}`.trim() + ` in statement ${statementName(u.statement)} of ${u.statement.policy} (${u.why})`;
  }
  return 'a condition the engine cannot evaluate';
}
