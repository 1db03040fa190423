/**
 * Evaluates what is static in a Terraform expression, over the syntax tree @cdktf/hcl2json's
 * getExpressionAst returns (HashiCorp's own HCL parser compiled to WASM): literals, templates,
 * tuples, objects, references, jsonencode and a few pure functions, conditionals on known values.
 * Everything else (for expressions, splats, most functions) is unknown, never guessed.
 */
export class HclUnknown {
  constructor(readonly reason: string) {}
}

export interface HclNode {
  type: string;
  meta?: Record<string, unknown>;
  range: { start: { byte: number }; end: { byte: number } };
  children: HclNode[];
}

/** Resolves a reference ("var.x", "aws_ecr_repository.build.repository_url", "local.y[0]"). */
export type ReferenceResolver = (accessor: string) => unknown;

/** Reads a file for file(PATH): its text, or an HclUnknown saying why not. */
export type FileReader = (path: string) => unknown;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof HclUnknown);

export function firstHclUnknown(v: unknown): HclUnknown | undefined {
  if (v instanceof HclUnknown) return v;
  if (Array.isArray(v)) for (const x of v) {
    const u = firstHclUnknown(x);
    if (u) return u;
  }
  if (isObj(v)) for (const x of Object.values(v)) {
    const u = firstHclUnknown(x);
    if (u) return u;
  }
  return undefined;
}

export function evaluateNode(node: HclNode, source: Buffer, resolve: ReferenceResolver, readFile?: FileReader): unknown {
  const text = () => source.subarray(node.range.start.byte, node.range.end.byte).toString('utf8');
  const kids = node.children;
  switch (node.type) {
    case 'literalValue': {
      const { type, value } = node.meta as { type?: string; value?: string };
      if (type === 'number') return Number(value);
      if (type === 'bool') return value === 'true';
      if (type === 'null' || value === undefined) return null;
      return value;
    }
    case 'template': {
      // A template that is one interpolation is that value itself (HCL spec, template expressions).
      if (kids.length === 1 && kids[0]!.type !== 'literalValue') return evaluateNode(kids[0]!, source, resolve, readFile);
      const parts = kids.map((k) => evaluateNode(k, source, resolve, readFile));
      const u = parts.find((p) => p instanceof HclUnknown);
      if (u) return u;
      return parts.map((p) => (p === null ? '' : typeof p === 'object' ? JSON.stringify(p) : String(p))).join('');
    }
    case 'scopeTraversal':
      return resolve(String(node.meta?.fullAccessor ?? text()));
    case 'tuple':
      return kids.map((k) => evaluateNode(k, source, resolve, readFile));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (let i = 0; i + 1 < kids.length; i += 2) {
        const keyNode = kids[i]!;
        const key = keyNode.children.length ? evaluateNode(keyNode.children[0]!, source, resolve, readFile) : source.subarray(keyNode.range.start.byte, keyNode.range.end.byte).toString('utf8');
        if (typeof key !== 'string') return new HclUnknown(`an object key is not static (${String(key)})`);
        out[key.replace(/^"|"$/g, '')] = evaluateNode(kids[i + 1]!, source, resolve, readFile);
      }
      return out;
    }
    case 'function': {
      const args = kids.map((k) => evaluateNode(k, source, resolve, readFile));
      // file(PATH) reads a file of the configuration (an inline buildspec kept next to the .tf).
      if (node.meta?.name === 'file' && readFile) return firstHclUnknown(args) ?? (typeof args[0] === 'string' ? readFile(args[0]) : new HclUnknown('file() of a non-string'));
      return callFunction(String(node.meta?.name), args);
    }
    case 'conditional': {
      const [c, t, f] = kids.map((k) => evaluateNode(k, source, resolve, readFile));
      if (c instanceof HclUnknown) return c;
      return c === true ? t : c === false ? f : new HclUnknown('a condition that is not a bool');
    }
    case 'templateWrap': // "${x}": the value of x itself
    case 'parenthesesExpression':
      return kids[0] ? evaluateNode(kids[0], source, resolve, readFile) : new HclUnknown('empty parentheses');
    default:
      return new HclUnknown(`the expression ${text().slice(0, 60)} is evaluated by Terraform at plan time`);
  }
}

function callFunction(name: string, args: unknown[]): unknown {
  const u = args.map(firstHclUnknown).find(Boolean);
  if (u) return u;
  switch (name) {
    case 'jsonencode':
      return JSON.stringify(args[0]);
    case 'jsondecode':
      try {
        return JSON.parse(String(args[0]));
      } catch {
        return new HclUnknown('jsondecode of text that is not JSON');
      }
    case 'tostring':
      return String(args[0]);
    case 'tolist':
    case 'toset':
      return Array.isArray(args[0]) ? args[0] : new HclUnknown(`${name} of a non-list`);
    case 'concat':
      return args.every(Array.isArray) ? (args as unknown[][]).flat() : new HclUnknown('concat of non-lists');
    case 'lower':
      return String(args[0]).toLowerCase();
    case 'upper':
      return String(args[0]).toUpperCase();
    case 'join':
      return Array.isArray(args[1]) ? args[1].map(String).join(String(args[0])) : new HclUnknown('join of a non-list');
    case 'format': {
      let i = 1;
      return String(args[0]).replace(/%[sdv%]/g, (m) => (m === '%%' ? '%' : String(args[i++])));
    }
    default:
      return new HclUnknown(`the function ${name}() is not evaluated by ecr-doctor`);
  }
}
