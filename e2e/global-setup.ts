import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromiumAvailable } from './chromium';

/**
 * Runs after the webServer has started (Playwright's order), so it must not touch the data folder;
 * e2e/reset-data.mjs wipes `.tmp/e2e-data` before the server starts. Here we only check that the
 * server really started on that folder.
 */
export default function globalSetup(): void {
  if (!chromiumAvailable) return; // no browser: no server was started, the tests skip themselves
  if (!existsSync(path.resolve('.tmp/e2e-data'))) {
    throw new Error(
      '[e2e] .tmp/e2e-data does not exist: did the server start with MOXORA_DATA_DIR=.tmp/e2e-data?',
    );
  }
}
