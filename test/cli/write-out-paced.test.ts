import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeOutPaced } from '../../src/cli/output.js';

/** A reader that takes one write per tick, like a pipe to a slower jq. */
function slowReader(highWaterMark: number) {
  const got: string[] = [];
  let most = 0;
  const out = new Writable({
    highWaterMark,
    write(chunk, _enc, done) {
      got.push(String(chunk));
      setTimeout(done, 1);
    },
  });
  const watch = () => {
    most = Math.max(most, out.writableLength);
  };
  return { out, got, watch, most: () => most };
}

// --format jsonl over 10,000 projects writes ~60 MB; to a pipe Node's writes are asynchronous, so
// without waiting for 'drain' the lines piled up in memory (issue 15: ≤ 250 MB).
describe('writeOutPaced', () => {
  it('waits for a reader that is behind, so no more than one write is ever queued', async () => {
    const r = slowReader(1024);
    const line = `${'x'.repeat(999)}\n`;
    for (let i = 0; i < 50; i++) {
      await writeOutPaced(line.repeat(2), r.out);
      r.watch();
    }
    expect(r.most()).toBeLessThanOrEqual(2 * line.length);
    await new Promise((resolve) => r.out.end(resolve));
    expect(r.got.join('')).toBe(line.repeat(100));
  });

  it('scrubs what it writes like writeOut, and a reader that goes away ends the wait', async () => {
    const r = slowReader(1);
    const pending = writeOutPaced('token AKIAIOSFODNN7EXAMPLE end\n', r.out);
    r.out.destroy();
    await pending;
    expect(r.got.join('')).toMatch(/^token .* end\n$/);
    expect(r.got.join('')).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });
});
