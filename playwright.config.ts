import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM_MISSING_MESSAGE, CHROMIUM_PATH, chromiumAvailable } from './e2e/chromium';

const PORT = 3123;
const BASE_URL = `http://localhost:${PORT}`;

if (!chromiumAvailable) {
  if (process.env.CI === 'true') {
    throw new Error(`[e2e] ${CHROMIUM_MISSING_MESSAGE}`);
  }
  const line = '!'.repeat(100);
  console.warn(
    `\n${line}\n[e2e] WARNING: ${CHROMIUM_MISSING_MESSAGE}\n[e2e] The end-to-end tests will be SKIPPED.\n${line}\n`,
  );
}

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.e2e.ts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: process.env.CI === 'true',
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 15_000 },
  reporter:
    process.env.CI === 'true'
      ? [['list']]
      : [['list'], ['html', { open: 'never', outputFolder: 'test-results/html' }]],
  outputDir: 'test-results/artifacts',
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: BASE_URL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1280, height: 800 },
        launchOptions: {
          executablePath: CHROMIUM_PATH,
          args: [
            '--no-sandbox',
            '--headless',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
            '--disable-quic',
          ],
        },
      },
    },
  ],
  // No browser, no point starting the server.
  webServer: chromiumAvailable
    ? {
        // Start from an empty database and outbox every run (see e2e/reset-data.mjs for why not globalSetup),
        // and test the current UI, not a stale dist/web (E2E_SKIP_BUILD=1 when CI built it just before).
        command: [
          'node e2e/reset-data.mjs',
          process.env.E2E_SKIP_BUILD === '1'
            ? null
            : 'npx vite build --config vite.config.ts --logLevel warn',
          // The compiled server, as npm start runs it (on the embedded PostgreSQL: no DATABASE_URL).
          'node scripts/build-server.mjs --if-stale',
          'node dist/server/src/server/main.js',
        ]
          .filter(Boolean)
          .join(' && '),
        url: `${BASE_URL}/api/health`,
        reuseExistingServer: false,
        // SIGTERM, not the default SIGKILL: the server then stops its embedded PostgreSQL (which
        // runs in its own process group and would outlive a killed server).
        gracefulShutdown: { signal: 'SIGTERM', timeout: 30_000 },
        timeout: 180_000,
        stdout: 'pipe',
        stderr: 'pipe',
        env: {
          PORT: String(PORT),
          MOXORA_DATA_DIR: '.tmp/e2e-data',
          BASE_URL,
          NODE_ENV: 'test',
          // Small, so the import spec can show a file refused before it is uploaded.
          IMPORT_MAX_BYTES: String(2 * 1024 * 1024),
          // Every spec signs people up from the same address; the default (10 per 15 min) is for the real world.
          RATE_LIMIT_SIGN_UP_PER_IP: '200',
          // Likewise for verification mails (10 per hour per address by default).
          RATE_LIMIT_VERIFY_MAIL_PER_IP: '200',
          LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
          // The automations spec jumps over a 1-day wait with POST /_dev/clock.
          DEV_CLOCK: '1',
          // Specs read mail at /_dev/outbox (served on a loopback HOST, the default; explicit here so
          // the specs do not depend on that default).
          DEV_OUTBOX: '1',
        },
      }
    : undefined,
});
