import type { Evaluation, StatementRef } from '../policy/index.js';
import { explainEvaluation } from '../policy/index.js';
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
 * Evidence for a result: each action's decision and the engine's own explanation of the worst
 * outcome. Lines that differ only in the action name are said once, for the first action.
 */
export function evaluationEvidence(evaluations: readonly ActionEvaluation[]): Record<string, unknown> {
  const worst = worstOutcome(evaluations);
  const relevant = evaluations.filter((e) => e.evaluation.decision === worst);
  const first = relevant[0]?.action ?? '';
  const seen = new Set<string>();
  const explanation: string[] = [];
  for (const { action, evaluation } of relevant) {
    for (const line of explainEvaluation(evaluation)) {
      const key = line.split(action).join(first);
      if (seen.has(key)) continue;
      seen.add(key);
      explanation.push(line);
    }
  }
  return { decisions: Object.fromEntries(evaluations.map((e) => [e.action, e.evaluation.decision])), explanation };
}

/** The first undecidable condition, named, for a "cannot decide" warning. */
export function undecidableReason(evaluations: readonly ActionEvaluation[]): string {
  for (const e of evaluations) {
    const u = e.evaluation.undecidable[0];
    if (u) return `${u.operator ? `${u.operator} ` : ''}${u.key ?? ''}`.trim() + ` in statement ${statementName(u.statement)} of ${u.statement.policy} (${u.why})`;
  }
  return 'a condition the engine cannot evaluate';
}
