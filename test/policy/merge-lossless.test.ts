/** Issue 12, item 2: the cases the hostile-input run found, each as the bytes it used. */
import { describe, expect, it } from 'vitest';
import { mergeOwnedStatements } from '../../src/policy/merge.js';
import { isExactNumber } from '../../src/policy/json-exact.js';

const owns = (sid: string) => sid.startsWith('EcrDoctor');
const OURS = { Sid: 'EcrDoctorCodeBuildPull', Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: ['ecr:BatchGetImage'] };
const FOREIGN_CRLF = '{\r\n\t"Sid": "Caf\\u00e9",\r\n\t"Effect": "Allow",\r\n\t"Principal": {"AWS": "arn:aws:iam::111122223333:role\\/ci"},\r\n\t"Action": "ecr:PutImage",\r\n\t"Condition": {"NumericLessThan": {"aws:n": 1.50}}\r\n}';

function merged(text: string | undefined, owned = [OURS]) {
  const r = mergeOwnedStatements(text, owned, owns);
  if (!r.ok) throw new Error(r.message);
  return r;
}

describe('mergeOwnedStatements keeps every foreign byte', () => {
  it('appends after a CRLF, tab-indented statement with \\u00e9, \\/ and 1.50, leaving it byte for byte', () => {
    const current = `{\r\n\t"Version": "2012-10-17",\r\n\t"Statement": [\r\n\t${FOREIGN_CRLF}\r\n\t]\r\n}`;
    const r = merged(current);
    const end = current.indexOf(FOREIGN_CRLF) + FOREIGN_CRLF.length;
    expect(r.text.slice(0, end)).toBe(current.slice(0, end));
    expect(r.text.endsWith(current.slice(end))).toBe(true);
    // Ours follows the document's own layout: CRLF and tabs.
    expect(r.text.slice(end)).toMatch(/^,\r\n\t\{\r\n\t\t"Sid": "EcrDoctorCodeBuildPull",/);
    expect(r.text).not.toMatch(/[^\r]\n/);
  });

  it('writes ours compactly into a compact policy', () => {
    const r = merged('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:*"}]}');
    expect(r.text).toBe(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:*"},${JSON.stringify(OURS)}]}`);
    expect(r.compact).toBe(true);
  });

  it('wraps an object-form Statement in an array without touching its bytes', () => {
    const current = '{ "Statement" : {"Effect":"Deny" ,"Principal":"*","Action":"ecr:*"} , "Version":"2012-10-17" }';
    const r = merged(current);
    expect(r.text).toBe(`{ "Statement" : [{"Effect":"Deny" ,"Principal":"*","Action":"ecr:*"},${JSON.stringify(OURS)}] , "Version":"2012-10-17" }`);
  });

  it('fills an empty Statement array, and writes the canonical document when there is no policy', () => {
    expect(merged('{"Version":"2012-10-17","Statement":[]}').text).toBe(`{"Version":"2012-10-17","Statement":[${JSON.stringify(OURS)}]}`);
    expect(merged(undefined).text).toBe(JSON.stringify({ Version: '2012-10-17', Statement: [OURS] }, null, 2));
  });

  it('removes a stale statement of ours at the end of a one-line array without gluing its neighbours (jsonc-parser 3.3.1 would)', () => {
    const r = merged('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:*"}, {"Sid":"EcrDoctorOld","Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]}', []);
    expect(r.text).toBe('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:*"}]}');
    expect(r.removed).toEqual(['EcrDoctorOld']);
  });

  it('replaces ours in place between two foreign statements, separators kept', () => {
    const a = '{"Effect":"Deny","Principal":"*","Action":"ecr:*"}';
    const current = `{"Version":"2012-10-17","Statement":[${a} ,\t{"Sid":"EcrDoctorCodeBuildPull","Effect":"Allow","Principal":"*","Action":"ecr:X"}  ,  ${a}]}`;
    const r = merged(current);
    expect(r.text).toBe(`{"Version":"2012-10-17","Statement":[${a} ,\t${JSON.stringify(OURS)}  ,  ${a}]}`);
    expect(r.replaced).toEqual(['EcrDoctorCodeBuildPull']);
  });
});

describe('mergeOwnedStatements refuses what JSON.parse would change', () => {
  it('two "Statement" keys: names the key and the path', () => {
    const r = mergeOwnedStatements('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:*"}],"Statement":[]}', [OURS], owns);
    expect(r).toMatchObject({ ok: false, reason: 'duplicate-key', predicate: 'has two "Statement" keys at $; ecr-doctor will not rewrite it (edit it by hand first)' });
  });

  it('"Effect":"Deny","Effect":"Allow" inside a statement', () => {
    const r = mergeOwnedStatements('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Effect":"Allow","Principal":"*","Action":"ecr:*"}]}', [OURS], owns);
    expect(r).toMatchObject({ ok: false, reason: 'duplicate-key', message: expect.stringContaining('has two "Effect" keys at $.Statement[0]') });
  });

  it('a key written once plainly and once escaped is still the same key', () => {
    const r = mergeOwnedStatements('{"Version":"2012-10-17","Statement":[],"Stat\\u0065ment":[]}', [OURS], owns);
    expect(r).toMatchObject({ ok: false, reason: 'duplicate-key' });
  });

  it.each(['9007199254740993.5', '1.00000000000000001', '1e400'])('the number %s', (n) => {
    const r = mergeOwnedStatements(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:*","Condition":{"NumericLessThan":{"aws:n":${n}}}}]}`, [OURS], owns);
    expect(r).toMatchObject({ ok: false, reason: 'inexact-number', message: expect.stringContaining(`holds the number ${n} at $.Statement[0].Condition.NumericLessThan["aws:n"]`) });
  });

  it('a null condition value is a refusal naming the path, not a crash', () => {
    const r = mergeOwnedStatements('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:*","Condition":{"StringEquals":{"aws:x":null}}}]}', [OURS], owns);
    expect(r).toMatchObject({ ok: false, reason: 'invalid-policy', message: expect.stringContaining('$.Statement[0].Condition.StringEquals["aws:x"]') });
  });
});

describe('isExactNumber', () => {
  it('accepts spellings of a double and rejects what rounds', () => {
    for (const ok of ['0', '-0', '1.0', '1e2', '1E+2', '0.1', '2.50', '9007199254740992', '1e21', '5e-324']) expect(isExactNumber(ok), ok).toBe(true);
    for (const bad of ['9007199254740993', '9007199254740993.5', '1.00000000000000001', '1e400', '-1e400', '2e-400']) expect(isExactNumber(bad), bad).toBe(false);
  });
});
