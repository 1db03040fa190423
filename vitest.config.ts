import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts one moto server for the whole run; see test/support/moto-global-setup.ts.
    globalSetup: ['test/support/moto-global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
