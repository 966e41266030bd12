// Wipes the e2e server's data folder. Runs as part of the webServer command, because Playwright
// starts webServer BEFORE globalSetup: a globalSetup that deletes the folder would pull the database
// out from under the running server (PGlite then fails with "could not open file base/…").
import { rmSync } from 'node:fs';
import path from 'node:path';

rmSync(path.resolve('.tmp/e2e-data'), { recursive: true, force: true });
