import { describe, expect, it } from 'vitest';
import { childPath, parsePolicy, type ParseResult } from '../../src/policy/parse.js';

function ok(r: ParseResult) {
  if (!r.ok) throw new Error(`expected a policy, got ${r.error.path}: ${r.error.message}`);
  return r.policy;
}
function err(r: ParseResult) {
  if (r.ok) throw new Error('expected a parse error');
  return r.error;
}
const stmt = (s: Record<string, unknown>) => ({ Version: '2012-10-17', Statement: [s] });

describe('parsePolicy: accepted forms', () => {
  it('reads JSON text and keeps the raw document and statements', () => {
    const text = JSON.stringify({ Version: '2012-10-17', Id: 'p1', Statement: [{ Sid: 'A', Effect: 'Allow', Principal: '*', Action: 'ecr:*' }] });
    const p = ok(parsePolicy(text));
    expect(p.version).toBe('2012-10-17');
    expect(p.id).toBe('p1');
    expect(p.statements).toHaveLength(1);
    expect(p.statements[0]).toMatchObject({ index: 0, sid: 'A', effect: 'Allow', principal: '*', action: ['ecr:*'] });
    expect(p.raw).toEqual(JSON.parse(text));
    expect(p.statements[0]?.raw).toEqual({ Sid: 'A', Effect: 'Allow', Principal: '*', Action: 'ecr:*' });
  });

  it('accepts a Statement object as a single statement at index 0', () => {
    const p = ok(parsePolicy({ Version: '2012-10-17', Statement: { Effect: 'Deny', Principal: '*', Action: '*' } }));
    expect(p.statements).toHaveLength(1);
    expect(p.statements[0]).toMatchObject({ index: 0, effect: 'Deny' });
  });

  it('numbers statements of an array in order', () => {
    const p = ok(parsePolicy({ Statement: [{ Effect: 'Allow', Action: 'a:b' }, { Effect: 'Deny', Action: 'a:c' }] }));
    expect(p.statements.map((s) => [s.index, s.effect])).toEqual([[0, 'Allow'], [1, 'Deny']]);
  });

  it.each(['2012-10-17', '2008-10-17'])('accepts Version %s', (v) => {
    expect(ok(parsePolicy({ Version: v, Statement: [] })).version).toBe(v);
  });

  it('accepts an absent Version and an empty Statement array', () => {
    const p = ok(parsePolicy({ Statement: [] }));
    expect(p.version).toBeUndefined();
    expect(p.statements).toEqual([]);
  });

  it('reads every Principal form', () => {
    const read = (principal: unknown) => ok(parsePolicy(stmt({ Effect: 'Allow', Principal: principal, Action: 'ecr:*' }))).statements[0]?.principal;
    expect(read('*')).toBe('*');
    expect(read({ AWS: '*' })).toEqual({ AWS: ['*'] });
    expect(read({ AWS: '111122223333' })).toEqual({ AWS: ['111122223333'] });
    expect(read({ AWS: ['arn:aws:iam::111122223333:root', '444455556666'] })).toEqual({ AWS: ['arn:aws:iam::111122223333:root', '444455556666'] });
    expect(read({ Service: 'codebuild.amazonaws.com' })).toEqual({ Service: ['codebuild.amazonaws.com'] });
    expect(read({ Federated: 'cognito-identity.amazonaws.com', CanonicalUser: ['abc'] })).toEqual({ Federated: ['cognito-identity.amazonaws.com'], CanonicalUser: ['abc'] });
    expect(read('arn:aws:iam::111122223333:role/x')).toEqual({ AWS: ['arn:aws:iam::111122223333:role/x'] });
    expect(read(['111122223333', 'arn:aws:iam::444455556666:root'])).toEqual({ AWS: ['111122223333', 'arn:aws:iam::444455556666:root'] });
  });

  it('reads NotPrincipal, NotAction and NotResource', () => {
    const s = ok(parsePolicy(stmt({ Effect: 'Deny', NotPrincipal: { AWS: '111122223333' }, NotAction: 'ecr:Get*', NotResource: ['arn:a', 'arn:b'] }))).statements[0];
    expect(s).toMatchObject({ notPrincipal: { AWS: ['111122223333'] }, notAction: ['ecr:Get*'], notResource: ['arn:a', 'arn:b'] });
    expect(s?.action).toBeUndefined();
    expect(s?.resource).toBeUndefined();
  });

  it('reads Action and Resource as string or array', () => {
    const s = ok(parsePolicy(stmt({ Effect: 'Allow', Action: ['ecr:A', 'ecr:B'], Resource: 'arn:x' }))).statements[0];
    expect(s?.action).toEqual(['ecr:A', 'ecr:B']);
    expect(s?.resource).toEqual(['arn:x']);
  });

  it('reads a Condition, stringifying booleans and numbers, keeping operator names as written', () => {
    const s = ok(
      parsePolicy(
        stmt({
          Effect: 'Allow',
          Action: 'ecr:*',
          Condition: {
            'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': ['a*', 'b'] },
            Bool: { 'aws:SecureTransport': true },
            NumericLessThan: { 's3:max-keys': 10 },
          },
        }),
      ),
    ).statements[0];
    expect(s?.condition).toEqual({
      'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': ['a*', 'b'] },
      Bool: { 'aws:SecureTransport': ['true'] },
      NumericLessThan: { 's3:max-keys': ['10'] },
    });
  });
});

describe('parsePolicy: rejections carry the JSON path', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['JSON syntax error', '{"Statement": [', '$', /not valid JSON/],
    ['a non-object document (array)', [], '$', /JSON object, not an array/],
    ['a non-object document (null)', null, '$', /not null/],
    ['a non-object document (number)', 42, '$', /not a number/],
    ['a non-string Version', { Version: 2012, Statement: [] }, '$.Version', /must be a string/],
    ['an unknown Version', { Version: '2020-01-01', Statement: [] }, '$.Version', /2012-10-17/],
    ['a non-string Id', { Id: 1, Statement: [] }, '$.Id', /Id must be a string/],
    ['a missing Statement', { Version: '2012-10-17' }, '$.Statement', /needs a Statement/],
    ['a string Statement', { Statement: 'x' }, '$.Statement', /object or an array/],
    ['a non-object statement', { Statement: [{ Effect: 'Allow', Action: 'a:b' }, 7] }, '$.Statement[1]', /statement must be an object/],
    ['a missing Effect', stmt({ Action: 'a:b' }), '$.Statement[0].Effect', /needs an Effect/],
    ['an invalid Effect', { Statement: [{ Effect: 'Allow', Action: 'a' }, { Effect: 'allow', Action: 'a' }] }, '$.Statement[1].Effect', /"Allow" or "Deny"/],
    ['Action and NotAction', stmt({ Effect: 'Allow', Action: 'a', NotAction: 'b' }), '$.Statement[0].NotAction', /both Action and NotAction/],
    ['neither Action nor NotAction', stmt({ Effect: 'Allow' }), '$.Statement[0]', /Action or a NotAction/],
    ['Resource and NotResource', stmt({ Effect: 'Allow', Action: 'a', Resource: '*', NotResource: '*' }), '$.Statement[0].NotResource', /both Resource and NotResource/],
    ['Principal and NotPrincipal', stmt({ Effect: 'Deny', Action: 'a', Principal: '*', NotPrincipal: '*' }), '$.Statement[0].NotPrincipal', /both Principal and NotPrincipal/],
    ['a non-string Action entry', stmt({ Effect: 'Allow', Action: ['a', 3] }), '$.Statement[0].Action[1]', /expected a string, not a number/],
    ['a non-string Resource', stmt({ Effect: 'Allow', Action: 'a', Resource: { x: 1 } }), '$.Statement[0].Resource', /string or an array/],
    ['a non-string Sid', stmt({ Sid: 5, Effect: 'Allow', Action: 'a' }), '$.Statement[0].Sid', /Sid must be a string/],
    ['a non-string principal entry', stmt({ Effect: 'Allow', Action: 'a', Principal: { AWS: [null] } }), '$.Statement[0].Principal.AWS[0]', /expected a string, not null/],
    ['an unknown principal type', stmt({ Effect: 'Allow', Action: 'a', Principal: { Aws: '*' } }), '$.Statement[0].Principal.Aws', /unknown principal type/],
    ['an empty principal map', stmt({ Effect: 'Allow', Action: 'a', Principal: {} }), '$.Statement[0].Principal', /at least one/],
    ['a numeric Principal', stmt({ Effect: 'Allow', Action: 'a', Principal: 1 }), '$.Statement[0].Principal', /principal map/],
    ['a non-object Condition', stmt({ Effect: 'Allow', Action: 'a', Condition: [] }), '$.Statement[0].Condition', /Condition must be an object/],
    ['a non-object operator block', stmt({ Effect: 'Allow', Action: 'a', Condition: { StringEquals: 'x' } }), '$.Statement[0].Condition.StringEquals', /object of keys/],
    [
      'a null condition value',
      stmt({ Effect: 'Allow', Action: 'a', Condition: { StringEquals: { 'aws:SourceArn': null } } }),
      '$.Statement[0].Condition.StringEquals["aws:SourceArn"]',
      /string, number or boolean, not null/,
    ],
    [
      'an object inside a condition value array',
      stmt({ Effect: 'Allow', Action: 'a', Condition: { 'ForAnyValue:StringLike': { 'aws:TagKeys': ['a', {}] } } }),
      '$.Statement[0].Condition["ForAnyValue:StringLike"]["aws:TagKeys"][1]',
      /not an object/,
    ],
    ['an unknown statement element (typo)', stmt({ Effect: 'Allow', Action: 'a', Conditon: {} }), '$.Statement[0].Conditon', /unknown statement element/],
  ];
  it.each(cases)('rejects %s', (_name, input, path, message) => {
    const e = err(parsePolicy(input));
    expect(e.path).toBe(path);
    expect(e.message).toMatch(message);
  });

  it('uses the bare Statement path for a Statement object', () => {
    expect(err(parsePolicy({ Statement: { Action: 'a' } })).path).toBe('$.Statement.Effect');
  });
});

describe('childPath', () => {
  it('uses dots for identifiers and JSON-quoted brackets otherwise', () => {
    expect(childPath('$', 'Statement')).toBe('$.Statement');
    expect(childPath('$.Statement', 2)).toBe('$.Statement[2]');
    expect(childPath('$.C', 'aws:SourceArn')).toBe('$.C["aws:SourceArn"]');
  });
});
