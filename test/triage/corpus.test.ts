import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PULL_CAUSES, classifyPullMessage, type PullCause } from '../../src/triage/classify.js';
import { renderExplanation } from '../../src/triage/explain-text.js';

interface CorpusEntry {
  text: string;
  cause: PullCause;
  /** The image the text names (the error line's own, else the pull started nearest before it). */
  image?: string;
  source: string;
  note?: string;
}

const corpus = JSON.parse(readFileSync(new URL('../../fixtures/error-messages/corpus.json', import.meta.url), 'utf8')) as {
  entries: CorpusEntry[];
};

describe('error-message corpus', () => {
  it('holds at least 25 distinct texts, each with a known cause and a source', () => {
    expect(corpus.entries.length).toBeGreaterThanOrEqual(25);
    expect(new Set(corpus.entries.map((e) => e.text)).size).toBe(corpus.entries.length);
    for (const entry of corpus.entries) {
      expect(PULL_CAUSES).toContain(entry.cause);
      expect(entry.source).toMatch(/^(https:\/\/|DOMAIN\.md §7|Japanese blog post)/);
    }
  });

  it('covers every cause', () => {
    const covered = new Set(corpus.entries.map((e) => e.cause));
    expect([...PULL_CAUSES].filter((c) => !covered.has(c))).toEqual([]);
  });

  it('uses only sanitised account ids', () => {
    for (const entry of corpus.entries) {
      for (const id of entry.text.match(/(?<![\w-])\d{12}(?![\w-])/g) ?? []) expect(['123456789012', '111122223333']).toContain(id);
    }
  });

  it.each(corpus.entries.map((e) => [e.cause, e.text.slice(0, 70), e] as const))('%s: %s', (_cause, _head, entry) => {
    const c = classifyPullMessage(entry.text);
    expect(c.cause).toBe(entry.cause);
    expect(c.details.image).toBe(entry.image);
    if (c.evidence !== undefined) expect(entry.text).toContain(c.evidence);
    if (entry.cause !== 'unknown') expect(c.evidence).toBeDefined();

    const explained = renderExplanation(c, { color: false });
    if (entry.cause === 'unknown') {
      expect(explained).toContain('does not recognise this message');
      expect(explained).toContain('ecr-doctor doctor --build <build-id>');
    } else {
      expect(explained).toContain(`(${entry.cause})`);
      expect(explained).toContain(c.nextStep);
    }
  });

  it('keeps each cause when the text is surrounded by unrelated log lines', () => {
    const before = '[Container] 2024/05/01 10:00:00.000 Running on CodeBuild On-demand\n[Container] 2024/05/01 10:00:00.100 Waiting for agent ping\n';
    const after = '\n[Container] 2024/05/01 10:00:09.900 Phase complete: BUILD State: FAILED';
    for (const entry of corpus.entries) {
      expect(classifyPullMessage(`${before}${entry.text}${after}`).cause, entry.text).toBe(entry.cause);
    }
  });
});
