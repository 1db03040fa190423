#!/usr/bin/env node
import module from 'node:module';
// Node 22.1+ keeps the V8 code it compiled for the bundle on disk (module.enableCompileCache, in
// the OS temp folder or NODE_COMPILE_CACHE) and reuses it on the next start; older Node has no
// such cache and starts as before. Never fatal: a read-only temp folder only loses the cache.
try {
  module.enableCompileCache?.();
} catch {
  // no cache this time
}
await import('../dist/cli.js');
