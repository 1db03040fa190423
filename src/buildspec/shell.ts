/**
 * Buildspec commands read with a real shell parser (mvdan-sh, the JavaScript build of mvdan/sh):
 * pipes, `&&`, `$(...)`, quoting and line continuations are the parser's, not ours. What we add is
 * the evaluation of words against the variables the build has, in the order the shell would see
 * them; a word we cannot evaluate is reported with its expression, never guessed.
 */
import sh from 'mvdan-sh';
import type { Variables } from './variables.js';

const syntax = sh.syntax;

// mvdan/sh token values for the operators we read (mvdan-sh 0.10.1; test/buildspec/shell.test.ts pins them).
const OP = { pipe: 12, pipeAll: 13, defaultUnset: 70, defaultUnsetOrNull: 71, alternateUnset: 68, alternateUnsetOrNull: 69, errorUnset: 72, errorUnsetOrNull: 73, assignUnset: 74, assignUnsetOrNull: 75 } as const;

/** A word after expansion: its text when every part is known, else what stayed unknown. */
export interface ShellWord {
  text?: string;
  /** The word as written. */
  raw: string;
  unresolved: string[];
  /** The command inside a `$(...)` in this word, as literal arguments (for `-p $(aws ecr get-login-password)`). */
  substituted?: string[][];
}

export interface ShellCommand {
  argv: ShellWord[];
  /** The commands piped into this one, left to right (`a | b | this`). */
  pipedFrom: ShellCommand[];
  redirects: { op: number; target: ShellWord }[];
  background: boolean;
}

export interface ParsedLine {
  commands: ShellCommand[];
  error?: string;
}

type Node = any; // mvdan-sh ships no types; every use below checks NodeType first.

function typeOf(n: Node): string {
  return n ? String(syntax.NodeType(n)) : '';
}

/** The words of a command substitution's first simple command, when they are all literal. */
function literalArgs(stmts: Node[]): string[][] {
  const out: string[][] = [];
  for (const st of stmts ?? []) {
    syntax.Walk(st, (n: Node) => {
      if (typeOf(n) === 'CallExpr') out.push((n.Args as Node[]).map((w) => String(w.Lit())));
      return true;
    });
  }
  return out;
}

const ACCOUNT_QUERY = /^aws sts get-caller-identity (?:--query Account --output text|--output text --query Account)$/;

export class WordEvaluator {
  constructor(
    private readonly src: string,
    readonly vars: Variables,
  ) {}

  raw(n: Node): string {
    return this.src.slice(n.Pos().Offset(), n.End().Offset());
  }

  word(w: Node): ShellWord {
    const unresolved: string[] = [];
    const substituted: string[][] = [];
    let text = '';
    const add = (part: string | undefined, why: string) => {
      if (part === undefined) unresolved.push(why);
      else text += part;
    };
    const visit = (parts: Node[]) => {
      for (const p of parts) {
        switch (typeOf(p)) {
          case 'Lit':
          case 'SglQuoted':
            text += String(p.Value);
            break;
          case 'DblQuoted':
            visit(p.Parts);
            break;
          case 'ParamExp':
            add(this.param(p, unresolved), '');
            break;
          case 'CmdSubst': {
            const inner = literalArgs(p.Stmts);
            substituted.push(...inner);
            const only = inner.length === 1 ? inner[0]!.join(' ') : '';
            if (ACCOUNT_QUERY.test(only) && this.vars.account) text += this.vars.account;
            else unresolved.push(`${this.raw(p)} (the output of a command)`);
            break;
          }
          default:
            unresolved.push(`${this.raw(p)} (an expansion ecr-doctor does not evaluate)`);
        }
      }
    };
    visit(w.Parts);
    const clean = unresolved.filter((u) => u !== '');
    return { raw: this.raw(w), unresolved: clean, ...(clean.length === 0 ? { text } : {}), ...(substituted.length ? { substituted } : {}) };
  }

  /** `$A`, `${A}`, `${A:-x}` ...; undefined (with the reason pushed) when it cannot be known. */
  private param(p: Node, unresolved: string[]): string | undefined {
    const name = String(p.Param?.Value ?? '');
    const expr = this.raw(p);
    if (p.Length || p.Repl || p.Slice || p.Excl || p.Index || (p.Exp && !Object.values(OP).includes(p.Exp.Op))) {
      unresolved.push(`${expr} (an expansion ecr-doctor does not evaluate)`);
      return undefined;
    }
    const known = this.vars.get(name);
    const op: number | undefined = p.Exp?.Op;
    const alternative = () => (p.Exp?.Word ? this.word(p.Exp.Word) : { text: '', raw: '', unresolved: [] });
    if (op === OP.defaultUnset || op === OP.defaultUnsetOrNull || op === OP.assignUnset || op === OP.assignUnsetOrNull) {
      const useDefault = known.kind === 'unset' || (known.kind === 'value' && known.value === '' && (op === OP.defaultUnsetOrNull || op === OP.assignUnsetOrNull));
      if (known.kind === 'value' && !useDefault) return known.value;
      if (useDefault) {
        const alt = alternative();
        if (alt.text === undefined) unresolved.push(...alt.unresolved);
        else if (op === OP.assignUnset || op === OP.assignUnsetOrNull) this.vars.set(name, alt.text);
        return alt.text;
      }
    } else if (op === OP.alternateUnset || op === OP.alternateUnsetOrNull) {
      if (known.kind === 'unset') return '';
      if (known.kind === 'value') {
        if (known.value === '' && op === OP.alternateUnsetOrNull) return '';
        const alt = alternative();
        if (alt.text === undefined) unresolved.push(...alt.unresolved);
        return alt.text;
      }
    } else if (known.kind === 'value') {
      return known.value;
    }
    unresolved.push(`${expr} (${known.kind === 'unknown' ? known.why : `${name} is not set by the buildspec, the project or CodeBuild`})`);
    return undefined;
  }
}

/**
 * Parses one buildspec command (which may hold several, joined by `;`, `&&`, pipes) and returns its
 * simple commands in order. Assignments (`A=1`, `export A=1`) update `vars` as the shell would; a
 * prefix assignment (`A=1 docker pull ...`) holds for its command only.
 */
export function parseCommandLine(text: string, vars: Variables): ParsedLine {
  let file: Node;
  try {
    file = syntax.NewParser().Parse(text, 'buildspec');
  } catch (e) {
    const message = typeof (e as Node)?.Error === 'function' ? String((e as Node).Error()) : String(e);
    return { commands: [], error: message.replace(/^buildspec:/, 'line ') };
  }
  const ev = new WordEvaluator(text, vars);
  const commands: ShellCommand[] = [];
  // mvdan-sh (GopherJS) hands out a new wrapper object on every field access, so nodes are keyed by their source range.
  const pipeline = new Map<string, ShellCommand[]>();
  const stmtOf = new Map<string, Node>();
  // Left sides of pipes whose commands are being collected for the command on the right.
  const collectInto = new Map<string, { range: [number, number]; sink: ShellCommand[] }>();

  syntax.Walk(file, (n: Node) => {
    switch (typeOf(n)) {
      case 'Stmt':
        if (n.Cmd) stmtOf.set(rangeKey(n.Cmd), n);
        return true;
      case 'BinaryCmd':
        if (n.Op === OP.pipe || n.Op === OP.pipeAll) {
          // The right side is fed by everything on the left: remember the left's commands as they are found.
          const left: ShellCommand[] = [];
          pipeline.set(rangeKey(n.Y.Cmd), left);
          collectInto.set(rangeKey(n.X.Cmd), { range: rangeOf(n.X.Cmd), sink: left });
        }
        return true;
      case 'DeclClause':
        if (/^(export|declare|typeset|local|readonly)$/.test(String(n.Variant?.Value))) {
          for (const a of n.Args as Node[]) if (a.Name && a.Value) vars.set(String(a.Name.Value), ev.word(a.Value).text, `${ev.raw(a)} (an assignment ecr-doctor could not evaluate)`);
        }
        return true;
      case 'CallExpr': {
        const args = n.Args as Node[];
        if (args.length === 0) {
          for (const a of n.Assigns as Node[]) vars.set(String(a.Name.Value), a.Value ? ev.word(a.Value).text : '', `${ev.raw(a)} (an assignment ecr-doctor could not evaluate)`);
          return true;
        }
        // A prefix assignment (`A=1 cmd $A`) goes into the command's environment only; the shell expands
        // the command's own words before it applies, so they see the outer value.
        const stmt = stmtOf.get(rangeKey(n));
        const command: ShellCommand = {
          argv: args.map((w) => ev.word(w)),
          pipedFrom: pipeline.get(rangeKey(n)) ?? [],
          redirects: ((stmt?.Redirs as Node[]) ?? []).filter((r) => r.Word).map((r) => ({ op: Number(r.Op), target: ev.word(r.Word) })),
          background: !!stmt?.Background,
        };
        commands.push(command);
        const [start, end] = rangeOf(n);
        for (const { range, sink } of collectInto.values()) if (range[0] <= start && end <= range[1]) sink.push(command);
        return true;
      }
      default:
        return true;
    }
  });
  return { commands };
}

function rangeOf(n: Node): [number, number] {
  return [Number(n.Pos().Offset()), Number(n.End().Offset())];
}

function rangeKey(n: Node): string {
  return rangeOf(n).join('-');
}
