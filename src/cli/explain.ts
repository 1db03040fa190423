import { UsageError } from '../model/errors.js';
import { EXIT } from '../model/exit-code.js';
import { classifyPullMessage } from '../triage/classify.js';
import { renderExplanation } from '../triage/explain-text.js';
import { loadPaint, writeOut } from './output.js';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `ecr-doctor explain [TEXT]`: exit 0 when the text is recognised, 1 when it is not. */
export async function runExplain(argument: string, o: { json: boolean; color: boolean }): Promise<number> {
  const text = argument.trim() || (await readStdin()).trim();
  if (!text) throw new UsageError('nothing to explain: pass the error text as an argument or on stdin', 'ecr-doctor explain "$(cat build.log)"');
  const classification = classifyPullMessage(text);
  if (o.json) {
    writeOut(`${JSON.stringify(classification, null, 2)}\n`);
  } else {
    const paint = await loadPaint(o.color);
    writeOut(renderExplanation(classification, { color: o.color, paint }));
  }
  return classification.cause === 'unknown' ? EXIT.failed : EXIT.ok;
}
