// Wipes the e2e server's data folder. Runs as part of the webServer command, because Playwright
// starts webServer BEFORE globalSetup: a globalSetup that deletes the folder would pull the database
// out from under the running server (its embedded PostgreSQL would lose its files while running).
// An embedded PostgreSQL left running on the folder by a killed run is stopped first.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const dir = path.resolve('.tmp/e2e-data');
let pid = 0;
try {
  pid = Number.parseInt(readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8'), 10) || 0;
} catch {
  // no server ran there
}
const alive = () => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const isPostgres = () => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return process.platform !== 'linux'; // no procfs to ask: trust the pid file
  }
};
if (pid > 0 && alive() && isPostgres()) {
  process.kill(pid, 'SIGQUIT'); // immediate shutdown: the folder is deleted next anyway
  const deadline = Date.now() + 10_000;
  while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}
rmSync(dir, { recursive: true, force: true });
