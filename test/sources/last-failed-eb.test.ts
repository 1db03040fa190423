// --last-failed on the eb path, through the real CodeBuild client against a replay server (moto
// cannot serve BatchGetBuilds). CodeBuild API Reference, "ListBuilds": ids come "in
// ascending/descending order by build ID", up to 100 per page with nextToken; "BatchGetBuilds":
// at most 100 ids, builds[].startTime (epoch seconds on the wire).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { findLastFailedBuild, MAX_EB_CANDIDATES } from '../../src/sources/live/codebuild.js';
import { startReplayServer, type ReplayServer } from '../support/replay-server.js';

const TARGET = 'CodeBuild_20161006';
const PREFIX = 'Elastic-Beanstalk-my-app-';
// Build ids sort by project name then uuid, not by time: the newest failure is on page 2.
const page1 = [`${PREFIX}app-250101_000000-AAAAA:0001`, `${PREFIX}app-250101_000000-AAAAA:0002`, 'other-project:0003'];
const page2 = [`${PREFIX}app-250301_000000-ZZZZZ:0004`, `${PREFIX}app-250201_000000-MMMMM:0005`];
const started: Record<string, [number, string]> = {
  [page1[0]!]: [1735689600, 'FAILED'], // 2025-01-01
  [page1[1]!]: [1740787200, 'SUCCEEDED'], // 2025-03-01, newer but succeeded
  [page2[0]!]: [1740700800, 'FAILED'], // 2025-02-28: the newest failure
  [page2[1]!]: [1738368000, 'FAULT'], // 2025-02-01
};

let replay: ReplayServer;
let client: CodeBuildClient;

beforeAll(async () => {
  replay = await startReplayServer({
    [`${TARGET}.ListBuilds`]: (body: { nextToken?: string }) => (body.nextToken === 'p2' ? { ids: page2 } : { ids: page1, nextToken: 'p2' }),
    [`${TARGET}.BatchGetBuilds`]: (body: { ids: string[] }) => ({
      builds: body.ids.filter((id) => started[id]).map((id) => ({ id, projectName: id.split(':')[0], buildStatus: started[id]![1], startTime: started[id]![0], environment: {}, phases: [] })),
      buildsNotFound: body.ids.filter((id) => !started[id]),
    }),
  });
  client = new CodeBuildClient({ region: 'us-east-1', endpoint: replay.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
});
afterAll(async () => {
  await replay?.close();
});

describe('findLastFailedBuild on the eb path', () => {
  it('collects the matching ids across pages, reads them, and picks the newest startTime among the failed', async () => {
    const found = await findLastFailedBuild(client, { matches: (id) => id.startsWith(PREFIX) });
    expect(found.build.state === 'present' && found.build.value.id).toBe(page2[0]);
    expect(found.note).toBe(`--last-failed: ${page2[0]} started 2025-02-28T00:00:00.000Z, the newest startTime of 3 failed among 4 matching build ids in 2 ListBuilds pages`);
    const lists = replay.requests.filter((r) => r.target === `${TARGET}.ListBuilds`);
    expect(lists.map((r) => r.body)).toEqual([{ sortOrder: 'DESCENDING' }, { sortOrder: 'DESCENDING', nextToken: 'p2' }]);
    const gets = replay.requests.filter((r) => r.target === `${TARGET}.BatchGetBuilds`);
    expect(gets.map((r) => (r.body as { ids: string[] }).ids)).toEqual([[...page1.slice(0, 2), ...page2]]);
  });

  it('is bounded: an endless listing stops at MAX_EB_CANDIDATES matching ids and says older builds were not read', async () => {
    let n = 0;
    const endless = await startReplayServer({
      [`${TARGET}.ListBuilds`]: () => ({ ids: Array.from({ length: 100 }, () => `${PREFIX}x-${String(++n).padStart(5, '0')}:u`), nextToken: `t${n}` }),
      [`${TARGET}.BatchGetBuilds`]: (body: { ids: string[] }) => ({ builds: body.ids.map((id) => ({ id, projectName: id.split(':')[0], buildStatus: 'SUCCEEDED', startTime: 1735689600, environment: {}, phases: [] })) }),
    });
    try {
      const c = new CodeBuildClient({ region: 'us-east-1', endpoint: endless.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
      const found = await findLastFailedBuild(c, { matches: (id) => id.startsWith(PREFIX) });
      expect(found.build.state).toBe('absent');
      const read = endless.requests.filter((r) => r.target === `${TARGET}.BatchGetBuilds`).flatMap((r) => (r.body as { ids: string[] }).ids);
      expect(read).toHaveLength(MAX_EB_CANDIDATES);
      expect(found.note).toContain('older builds were not read');
    } finally {
      await endless.close();
    }
  });
});
