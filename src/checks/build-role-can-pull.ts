import type { Check } from './check.js';
import { judgeRolePull } from './service-role-can-pull.js';

/**
 * The pulls a buildspec makes go through `docker login`, which runs as the service role whatever the
 * project's own pull mode (DOMAIN.md §6b): the same judgement as SERVICE_ROLE mode, with its own id.
 */
export const buildRoleCanPull: Check = {
  id: 'build-role-can-pull',
  run(ctx) {
    if (ctx.subject.kind !== 'in-build') return [];
    return judgeRolePull('build-role-can-pull', ctx);
  },
};
