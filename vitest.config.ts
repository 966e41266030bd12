import { defineConfig } from 'vitest/config';

const pglite = process.env.TEST_DB === 'pglite';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    // Upper bounds only: tests wait for conditions (test/helpers/wait.ts), never for fixed times.
    // Sized for a busy 2-core machine; tests that start processes set their own (helpers/process.ts).
    testTimeout: 60_000,
    // beforeAll creates a database: on PGlite that is an initdb, 15-35 s on a loaded 2-core machine.
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: pglite ? 2 : 3,
    fileParallelism: true,
    // Tests run in a random order within each file (the seed is printed): a test that only passes
    // after another one has made its data fails here rather than some day.
    sequence: { shuffle: { files: false, tests: true } },
    reporters: ['default'],
    // The same suite runs on PostgreSQL (default) and on PGlite (TEST_DB=pglite).
    ...(pglite ? { name: 'pglite' } : { name: 'postgres' }),
  },
});
