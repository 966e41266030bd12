import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    // Upper bounds only: tests wait for conditions (test/helpers/wait.ts), never for fixed times.
    // Sized for a busy 2-core machine; tests that start processes set their own (helpers/process.ts).
    testTimeout: 60_000,
    // beforeAll clones a database; a few start processes (and initialise a PostgreSQL data folder).
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 3,
    fileParallelism: true,
    // Tests run in a random order within each file (the seed is printed): a test that only passes
    // after another one has made its data fails here rather than some day.
    sequence: { shuffle: { files: false, tests: true } },
    reporters: ['default'],
    // On TEST_DATABASE_URL's server, or on an embedded PostgreSQL of its own (test/global-setup.ts).
    name: process.env.TEST_DATABASE_URL ? 'postgres' : 'embedded-postgres',
  },
});
