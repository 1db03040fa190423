import { randomInt } from 'node:crypto';

// moto keeps one backend per account id (header x-moto-account-id), so each test file gets
// accounts of its own instead of resetting the shared server, which would wipe the state of
// files running in parallel. The default moto account 123456789012 is never handed out.
const workerSlot = Number(process.env['VITEST_POOL_ID'] ?? process.env['VITEST_WORKER_ID'] ?? '0') % 90;
// A random block per module instance keeps ids apart across sequential files in one worker.
const fileBlock = randomInt(0, 10_000_000);
let counter = 0;
const issued = new Set<string>();

/** A fresh 12-digit account id, unique within this test run (with overwhelming probability across workers). */
export function nextAccountId(): string {
  for (;;) {
    counter += 1;
    if (counter > 999) throw new Error('nextAccountId: more than 999 accounts in one test file');
    const id = `${workerSlot + 10}${String(fileBlock).padStart(7, '0')}${String(counter).padStart(3, '0')}`;
    if (!issued.has(id)) {
      issued.add(id);
      return id;
    }
  }
}

/** `n` distinct fresh account ids, e.g. a build account and a registry account. */
export function nextAccountIds(n: number): string[] {
  return Array.from({ length: n }, () => nextAccountId());
}
