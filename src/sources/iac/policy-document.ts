/**
 * The JSON of a `data "aws_iam_policy_document"`, computed from its statement blocks the way the
 * AWS provider renders it (data-source docs: one value stays a string, several become an array;
 * `principals`/`not_principals` group identifiers by type; `condition` nests test → variable →
 * values). Statement blocks are given as plain values, already resolved.
 */
export interface PolicyDocumentStatement {
  sid?: string;
  effect?: string;
  actions?: string[];
  not_actions?: string[];
  resources?: string[];
  not_resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  not_principals?: { type: string; identifiers: string[] }[];
  condition?: { test: string; variable: string; values: string[] }[];
}

const one = (values: string[]): string | string[] => (values.length === 1 ? values[0]! : [...values].sort());

function principalsOf(blocks: { type: string; identifiers: string[] }[]): string | Record<string, string | string[]> {
  if (blocks.length === 1 && blocks[0]!.type === '*' && blocks[0]!.identifiers.includes('*')) return '*';
  const byType = new Map<string, string[]>();
  for (const b of blocks) byType.set(b.type, [...(byType.get(b.type) ?? []), ...b.identifiers]);
  return Object.fromEntries([...byType].map(([type, ids]) => [type, one(ids)]));
}

export function renderPolicyDocument(statements: readonly PolicyDocumentStatement[], version = '2012-10-17'): string {
  const rendered = statements.map((s) => {
    const out: Record<string, unknown> = {};
    if (s.sid) out.Sid = s.sid;
    out.Effect = s.effect ?? 'Allow';
    if (s.actions?.length) out.Action = one(s.actions);
    if (s.not_actions?.length) out.NotAction = one(s.not_actions);
    if (s.resources?.length) out.Resource = one(s.resources);
    if (s.not_resources?.length) out.NotResource = one(s.not_resources);
    if (s.principals?.length) out.Principal = principalsOf(s.principals);
    if (s.not_principals?.length) out.NotPrincipal = principalsOf(s.not_principals);
    if (s.condition?.length) {
      const conditions: Record<string, Record<string, string | string[]>> = {};
      for (const c of s.condition) (conditions[c.test] ??= {})[c.variable] = one(c.values);
      out.Condition = conditions;
    }
    return out;
  });
  return JSON.stringify({ Version: version, Statement: rendered }, null, 2);
}
