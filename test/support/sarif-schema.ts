import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';

/**
 * The SARIF 2.1.0 JSON schema as OASIS published it (sarif-2.1.0-rtm.5, the final 2.1.0 text),
 * from @microsoft/jest-sarif, the one npm package found to ship it (@types/sarif has types only;
 * node-sarif-builder and @microsoft/sarif-builder ship none). It is draft-04, hence ajv-draft-04.
 */
const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as Record<string, unknown>;
// The package is CommonJS: its class is the default export's `default` under Node's ESM interop.
type Validator = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
const Ajv = ((AjvDraft04 as unknown as { default?: unknown }).default ?? AjvDraft04) as new (opts: Record<string, unknown>) => { compile(schema: object): Validator };
// unicodeRegExp off: the published schema's language pattern ("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$")
// has a stray "]" that is an error under the u flag, and fine as the ECMAScript regex the schema means.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
const validate = ajv.compile(schema);

/** The schema's complaints about a log: [] when it is valid SARIF 2.1.0. */
export function sarifSchemaErrors(log: unknown): string[] {
  if (validate(log)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
