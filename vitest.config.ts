import { defineConfig } from 'vitest/config';

const pglite = process.env.TEST_DB === 'pglite';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: pglite ? 2 : 3,
    fileParallelism: true,
    reporters: ['default'],
    // The same suite runs on PostgreSQL (default) and on PGlite (TEST_DB=pglite).
    ...(pglite ? { name: 'pglite' } : { name: 'postgres' }),
  },
});
