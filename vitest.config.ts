import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts one moto server for the whole run; see test/support/moto-global-setup.ts.
    globalSetup: ['test/support/moto-global-setup.ts'],
    testTimeout: 20_000,
    // The SDK clients the tests use to set up moto would print the SDK's Node 22 notice in every worker.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    hookTimeout: 30_000,
  },
});
