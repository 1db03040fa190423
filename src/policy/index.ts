export { parsePolicy, POLICY_VERSIONS } from './parse.js';
export type { ParseResult, PolicyDocument, PolicyParseError, PolicyStatement, Principals } from './parse.js';
export { evaluateAccess, DEFAULT_RESOURCE_POLICY_NAME } from './evaluate.js';
export type {
  AccessRequest,
  ContextValue,
  Decision,
  Evaluation,
  EvaluationInput,
  NamedDocument,
  NonMatch,
  PolicyKind,
  RequestPrincipal,
  StatementRef,
} from './evaluate.js';
export { explainEvaluation, explainNonMatch, describeStatement, describePolicy } from './explain.js';
export { compareStatements, explainParts, type ExplanationParts } from './explain.js';
export { mergeOwnedStatements, MAX_POLICY_LENGTH, canonical } from './merge.js';
export type { MergeResult } from './merge.js';
export { parseOperator } from './conditions.js';
export type { ActualValue } from './conditions.js';
