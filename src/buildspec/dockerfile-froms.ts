/**
 * The images a Dockerfile pulls: each `FROM` that is not an earlier stage or `scratch`, with its
 * `ARG` defaults and `--build-arg` values substituted (Dockerfile reference: "Understand how ARG
 * and FROM interact": only ARGs declared before the first FROM are visible to FROM lines).
 */
import { DockerfileParser } from 'dockerfile-ast';

export interface FromLine {
  line: number;
  /** The image with ARGs substituted; absent when one could not be. */
  image?: string;
  expression: string;
  unresolved: string[];
  platform?: string;
}

/** What substitution needs of the variables: a Map, or the build's variables seen as one. */
export type ArgLookup = Pick<ReadonlyMap<string, string | undefined>, 'has' | 'get'>;

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Substitutes `$A`, `${A}`, `${A:-x}`, `${A:+x}` as the Dockerfile builder does. */
export function substituteArgs(text: string, args: ArgLookup, unresolved: string[]): string | undefined {
  let ok = true;
  const out = text.replace(REF, (whole, braced: string | undefined, op: string | undefined, alt: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const known = args.has(name);
    const value = args.get(name);
    if (op === '-') {
      if (known && value !== undefined && value !== '') return value;
      if (!known || value === '') return alt ?? '';
    } else if (op === '+') {
      if (known && value !== undefined) return value === '' ? '' : (alt ?? '');
      if (!known) return '';
    } else if (known && value !== undefined) {
      return value;
    }
    ok = false;
    unresolved.push(`${whole} (${known ? 'a build argument whose value is not known here' : `no ARG ${name} default or --build-arg for it`})`);
    return whole;
  });
  return ok ? out : undefined;
}

export function readFromLines(text: string, buildArgs: ReadonlyMap<string, string | undefined>): FromLine[] {
  const dockerfile = DockerfileParser.parse(text);
  const args = new Map<string, string | undefined>();
  const firstFrom = dockerfile.getFROMs()[0]?.getRange().start.line ?? Number.POSITIVE_INFINITY;
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    const name = property?.getName();
    if (!name || arg.getRange().start.line > firstFrom) continue;
    const fallback = property?.getValue() ?? undefined;
    args.set(name, buildArgs.has(name) ? buildArgs.get(name) : fallback);
  }
  const stages = new Set<string>();
  const lines: FromLine[] = [];
  for (const from of dockerfile.getFROMs()) {
    const expression = from.getImage() ?? '';
    const stage = from.getBuildStage();
    const unresolved: string[] = [];
    const image = substituteArgs(expression, args, unresolved);
    const platformFlag = from.getPlatformFlag()?.getValue() ?? undefined;
    const platform = platformFlag ? substituteArgs(platformFlag, args, []) : undefined;
    const isStage = image !== undefined && stages.has(image.toLowerCase());
    if (stage) stages.add(stage.toLowerCase());
    if (isStage || image === 'scratch' || expression === '') continue;
    lines.push({ line: from.getRange().start.line + 1, expression, unresolved, ...(image !== undefined ? { image } : {}), ...(platform ? { platform } : {}) });
  }
  return lines;
}
