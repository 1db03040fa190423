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
