import { existsSync } from 'node:fs';

/** The system Chromium (Debian package); Playwright's own browser download cannot run here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM_PATH);
export const CHROMIUM_MISSING_MESSAGE = `Chromium not found at ${CHROMIUM_PATH}. Install it with \`apt-get install -y chromium\` or set CHROMIUM_PATH. Never run \`npx playwright install\`.`;
