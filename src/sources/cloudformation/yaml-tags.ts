import { isMap, isScalar, LineCounter, parseDocument, type CollectionTag, type Document, type ScalarTag } from 'yaml';

/**
 * CloudFormation's YAML short forms (`!Ref X`, `!GetAtt A.B`, `!Sub ...`, ...) as the `yaml`
 * package's custom tags, each turned into its long form ({ "Ref": X }, { "Fn::GetAtt": [A, B] }).
 * The short forms are listed in the CloudFormation user guide's intrinsic function reference.
 */
const FUNCTIONS = ['Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or', 'ToJsonString', 'Length'];

type Tag = ScalarTag | CollectionTag;

function tagsFor(name: string, key: string, scalar: (v: string) => unknown = (v) => v): Tag[] {
  const tag = `!${name}`;
  const wrap = (value: unknown) => ({ [key]: value });
  return [
    { tag, resolve: (v: string) => wrap(scalar(v)) } as ScalarTag,
    { tag, collection: 'seq', resolve: (seq: { toJSON(): unknown }) => wrap(seq.toJSON()) } as unknown as CollectionTag,
    { tag, collection: 'map', resolve: (map: { toJSON(): unknown }) => wrap(map.toJSON()) } as unknown as CollectionTag,
  ];
}

export const CLOUDFORMATION_TAGS: Tag[] = [
  ...tagsFor('Ref', 'Ref'),
  ...tagsFor('Condition', 'Condition'),
  // !GetAtt Logical.Attribute: the scalar form splits at the first dot.
  ...tagsFor('GetAtt', 'Fn::GetAtt', (v) => {
    const dot = v.indexOf('.');
    return dot < 0 ? [v] : [v.slice(0, dot), v.slice(dot + 1)];
  }),
  ...FUNCTIONS.flatMap((f) => tagsFor(f, `Fn::${f}`)),
];

export interface ParsedTemplate {
  value: unknown;
  document: Document;
  lines: LineCounter;
}

/** JSON is YAML 1.2, so one parser gives both formats, with positions for file:line. */
export function parseTemplate(text: string): ParsedTemplate {
  const lines = new LineCounter();
  const document = parseDocument(text, { customTags: CLOUDFORMATION_TAGS, lineCounter: lines, uniqueKeys: false });
  if (document.errors.length > 0) {
    const e = document.errors[0]!;
    const at = e.linePos?.[0];
    throw new Error(`${at ? `line ${at.line}, column ${at.col}: ` : ''}${e.message.split('\n')[0]}`);
  }
  return { value: document.toJS({ maxAliasCount: 100 }), document, lines };
}

/** The line of each Resources key (a logical id). */
export function resourceLines(parsed: ParsedTemplate): Map<string, number> {
  const out = new Map<string, number>();
  const resources = parsed.document.get('Resources', true);
  if (!isMap(resources)) return out;
  for (const pair of resources.items) {
    if (isScalar(pair.key) && pair.key.range) out.set(String(pair.key.value), parsed.lines.linePos(pair.key.range[0]).line);
  }
  return out;
}
