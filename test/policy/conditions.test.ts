import { describe, expect, it } from 'vitest';
import { evaluateConditions, parseOperator, type ContextValue } from '../../src/policy/conditions.js';

function holds(operator: string, key: string, values: string[], context: Record<string, ContextValue>, variables = true) {
  const ctx = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v] as const));
  return evaluateConditions({ [operator]: { [key]: values } }, ctx, { variables }).result;
}
const SA = 'arn:aws:codebuild:us-east-1:111122223333:project/mine';

describe('condition operators on a present single value', () => {
  const cases: [string, string[], string, 'match' | 'no-match'][] = [
    ['StringEquals', ['abc'], 'abc', 'match'],
    ['StringEquals', ['ABC'], 'abc', 'no-match'],
    ['StringEquals', ['a*'], 'abc', 'no-match'],
    ['StringEquals', ['x', 'abc'], 'abc', 'match'],
    ['StringNotEquals', ['abc'], 'abc', 'no-match'],
    ['StringNotEquals', ['x', 'y'], 'abc', 'match'],
    ['StringNotEquals', ['x', 'abc'], 'abc', 'no-match'],
    ['StringEqualsIgnoreCase', ['ABC'], 'abc', 'match'],
    ['StringNotEqualsIgnoreCase', ['ABC'], 'abc', 'no-match'],
    ['StringNotEqualsIgnoreCase', ['ABD'], 'abc', 'match'],
    ['StringLike', ['a*'], 'abc', 'match'],
    ['StringLike', ['a?c'], 'abc', 'match'],
    ['StringLike', ['A*'], 'abc', 'no-match'],
    ['StringNotLike', ['a*'], 'abc', 'no-match'],
    ['StringNotLike', ['b*'], 'abc', 'match'],
    ['ArnEquals', [SA], SA, 'match'],
    ['ArnEquals', ['arn:aws:codebuild:us-east-1:111122223333:project/*'], SA, 'match'],
    ['ArnLike', ['arn:aws:codebuild:*:111122223333:project/m?ne'], SA, 'match'],
    ['ArnLike', ['arn:aws:codebuild:us-east-1:111122223333:project/MINE'], SA, 'no-match'],
    ['ArnLike', ['arn:aws:codebuild:*'], SA, 'no-match'],
    ['ArnLike', ['*'], SA, 'no-match'],
    ['ArnLike', ['arn:aws:codebuild:*:*:*'], SA, 'match'],
    ['ArnLike', ['arn:*:*:*:*:*'], 'not-an-arn', 'no-match'],
    ['ArnNotEquals', [SA], SA, 'no-match'],
    ['ArnNotLike', ['arn:aws:codebuild:*:*:project/other'], SA, 'match'],
    ['Bool', ['true'], 'true', 'match'],
    ['Bool', ['TRUE'], 'true', 'match'],
    ['Bool', ['false'], 'true', 'no-match'],
    ['Bool', ['yes'], 'yes', 'no-match'],
    ['Null', ['false'], 'x', 'match'],
    ['Null', ['true'], 'x', 'no-match'],
  ];
  it.each(cases)('%s %j against %s → %s', (op, values, actual, expected) => {
    expect(holds(op, 'aws:SourceArn', values, { 'aws:SourceArn': actual })).toBe(expected);
  });

  it('accepts booleans from the context for Bool', () => {
    expect(holds('Bool', 'aws:SecureTransport', ['true'], { 'aws:SecureTransport': true })).toBe('match');
    expect(holds('Bool', 'aws:SecureTransport', ['true'], { 'aws:SecureTransport': false })).toBe('no-match');
  });

  it('matches keys case-insensitively', () => {
    expect(holds('StringEquals', 'AWS:SOURCEACCOUNT', ['1'], { 'aws:SourceAccount': '1' })).toBe('match');
  });
});

describe('a key absent from the request', () => {
  const cases: [string, 'match' | 'no-match'][] = [
    ['StringEquals', 'no-match'],
    ['StringLike', 'no-match'],
    ['ArnLike', 'no-match'],
    ['Bool', 'no-match'],
    ['StringNotEquals', 'match'],
    ['StringNotLike', 'match'],
    ['ArnNotLike', 'match'],
    ['ArnNotEquals', 'match'],
    ['StringNotEqualsIgnoreCase', 'match'],
    ['StringEqualsIfExists', 'match'],
    ['ArnLikeIfExists', 'match'],
    ['BoolIfExists', 'match'],
    ['StringNotEqualsIfExists', 'match'],
    ['ForAnyValue:StringEquals', 'no-match'],
    ['ForAnyValue:StringEqualsIfExists', 'no-match'],
    ['ForAnyValue:StringNotEquals', 'no-match'],
    ['ForAllValues:StringEquals', 'match'],
    ['ForAllValues:StringNotLike', 'match'],
  ];
  it.each(cases)('%s → %s', (op, expected) => {
    expect(holds(op, 'aws:SourceArn', ['x'], {})).toBe(expected);
  });

  it('Null true holds and Null false fails', () => {
    expect(holds('Null', 'aws:SourceVpce', ['true'], {})).toBe('match');
    expect(holds('Null', 'aws:SourceVpce', ['false'], {})).toBe('no-match');
  });
});

describe('multi-valued keys', () => {
  const tags = { 'aws:TagKeys': ['team', 'env'] };
  it('ForAnyValue needs one request value to match', () => {
    expect(holds('ForAnyValue:StringEquals', 'aws:TagKeys', ['env'], tags)).toBe('match');
    expect(holds('ForAnyValue:StringEquals', 'aws:TagKeys', ['cost'], tags)).toBe('no-match');
    expect(holds('ForAnyValue:StringNotEquals', 'aws:TagKeys', ['env'], tags)).toBe('match');
    expect(holds('ForAnyValue:StringNotEquals', 'aws:TagKeys', ['env', 'team'], tags)).toBe('no-match');
    expect(holds('ForAnyValue:StringLike', 'aws:TagKeys', ['e*'], tags)).toBe('match');
  });
  it('ForAllValues needs every request value to match', () => {
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', ['team', 'env', 'x'], tags)).toBe('match');
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', ['team'], tags)).toBe('no-match');
    expect(holds('ForAllValues:StringNotEquals', 'aws:TagKeys', ['cost'], tags)).toBe('match');
    expect(holds('ForAllValues:StringNotEquals', 'aws:TagKeys', ['env'], tags)).toBe('no-match');
  });
  it('treats an empty list as ForAnyValue false and ForAllValues true', () => {
    expect(holds('ForAnyValue:StringEquals', 'aws:TagKeys', ['x'], { 'aws:TagKeys': [] })).toBe('no-match');
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', ['x'], { 'aws:TagKeys': [] })).toBe('match');
  });
  it('reads a single value as a one-element set', () => {
    expect(holds('ForAnyValue:StringEquals', 'aws:SourceAccount', ['1'], { 'aws:SourceAccount': '1' })).toBe('match');
  });
  it('never matches a multi-valued key with a single-valued operator, negated or not', () => {
    expect(holds('StringEquals', 'aws:TagKeys', ['team'], tags)).toBe('no-match');
    expect(holds('StringNotEquals', 'aws:TagKeys', ['cost'], tags)).toBe('no-match');
    expect(holds('StringEqualsIfExists', 'aws:TagKeys', ['team'], tags)).toBe('no-match');
  });
});

describe('what the engine will not guess', () => {
  it.each(['NumericLessThan', 'DateGreaterThan', 'IpAddress', 'NotIpAddress', 'BinaryEquals', 'NumericEqualsIfExists', 'ForAnyValue:NumericEquals'])(
    '%s is unknown, with operator and key',
    (op) => {
      const ctx = new Map<string, ContextValue>([['aws:sourceip', '10.0.0.1']]);
      const out = evaluateConditions({ [op]: { 'aws:SourceIp': ['10.0.0.0/8'] } }, ctx, { variables: true });
      expect(out).toEqual({ result: 'unknown', unknowns: [{ operator: op, key: 'aws:SourceIp', why: expect.stringContaining(op) }] });
    },
  );
  it('rejects invented operators and NullIfExists as unknown', () => {
    expect(parseOperator('StringEqualz')).toEqual({ ok: false, why: '"StringEqualz" is not a known condition operator' });
    expect(parseOperator('NullIfExists').ok).toBe(false);
    expect(parseOperator('ForSomeValues:StringEquals').ok).toBe(false);
  });
  it('a context value marked unknown makes the key unknown', () => {
    expect(holds('StringEquals', 'aws:SourceVpce', ['vpce-1'], { 'aws:SourceVpce': { unknown: true } })).toBe('unknown');
    expect(holds('Null', 'aws:SourceVpce', ['true'], { 'aws:SourceVpce': { unknown: true } })).toBe('unknown');
  });
  it('a policy variable is unknown in 2012-10-17 and literal in 2008-10-17', () => {
    expect(holds('StringEquals', 'aws:SourceAccount', ['${aws:PrincipalAccount}'], { 'aws:SourceAccount': '1' })).toBe('unknown');
    expect(holds('StringEquals', 'aws:SourceAccount', ['${aws:PrincipalAccount}'], { 'aws:SourceAccount': '1' }, false)).toBe('no-match');
  });
  it('a false condition wins over an unknown one in the same statement', () => {
    const ctx = new Map<string, ContextValue>([['aws:sourceaccount', '1']]);
    const out = evaluateConditions(
      { NumericLessThan: { 'aws:EpochTime': ['1'] }, StringEquals: { 'aws:SourceAccount': ['2'] } },
      ctx,
      { variables: true },
    );
    expect(out.result).toBe('no-match');
  });
});

describe('non-match details', () => {
  const detail = (op: string, key: string, values: string[], context: Record<string, ContextValue>) => {
    const ctx = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v] as const));
    const out = evaluateConditions({ [op]: { [key]: values } }, ctx, { variables: true });
    return out.result === 'no-match' ? out.detail : out.result;
  };
  it('says what was expected and what the request had, word for word', () => {
    expect(detail('ArnLike', 'aws:SourceArn', ['arn:aws:codebuild:us-east-1:111122223333:project/other'], { 'aws:SourceArn': SA })).toBe(
      'condition ArnLike aws:SourceArn expects "arn:aws:codebuild:us-east-1:111122223333:project/other" but the request has "arn:aws:codebuild:us-east-1:111122223333:project/mine"',
    );
    expect(detail('StringEquals', 'aws:SourceAccount', ['1', '2'], {})).toBe('condition StringEquals aws:SourceAccount expects one of "1", "2" but the request has no aws:SourceAccount');
    expect(detail('StringNotEquals', 'aws:SourceAccount', ['1'], { 'aws:SourceAccount': '1' })).toBe(
      'condition StringNotEquals aws:SourceAccount expects a value other than "1" but the request has "1"',
    );
    expect(detail('Null', 'aws:SourceVpce', ['true'], { 'aws:SourceVpce': 'vpce-1' })).toBe('condition Null aws:SourceVpce expects the key to be absent but the request has "vpce-1"');
    expect(detail('ForAllValues:StringEquals', 'aws:TagKeys', ['a'], { 'aws:TagKeys': ['a', 'b'] })).toBe(
      'condition ForAllValues:StringEquals aws:TagKeys expects every value to be "a" but the request has "a", "b"',
    );
    expect(detail('StringEquals', 'aws:TagKeys', ['a'], { 'aws:TagKeys': ['a', 'b'] })).toBe(
      'condition StringEquals aws:TagKeys expects "a" but the request has "a", "b", and a single-valued operator never matches a multi-valued key',
    );
  });
});
