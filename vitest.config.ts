import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The suites share one engine and database: run files one after another.
    fileParallelism: false,
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 300_000,
    reporters: ['default'],
  },
});
