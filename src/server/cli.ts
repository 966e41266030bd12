import { parseArgs } from 'node:util';
import { createRuntime } from './app.js';
import { ConfigError, loadConfig } from './lib/config.js';
import { openDatabase } from './lib/db.js';

const HELP = `Usage: moxora <command>

Commands:
  start            API, web UI and workers in one process (same as npm start)
  worker           queue workers only (needs DATABASE_URL)
  migrate          apply database migrations and exit
  health           print database and queue status as JSON
  help             this text

Configuration comes from environment variables; see docs/operations.md.`;

async function main() {
  const { positionals } = parseArgs({ allowPositionals: true, strict: false });
  const command = positionals[0] ?? 'help';
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`moxora: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  switch (command) {
    case 'start':
      await import('./main.js');
      return;
    case 'worker': {
      const { runWorker } = await import('./worker.js');
      await runWorker();
      return;
    }
    case 'migrate': {
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      await database.migrate();
      await database.close();
      process.stdout.write(`migrations applied (${database.kind})\n`);
      return;
    }
    case 'health': {
      const runtime = await createRuntime({ ...config, logLevel: 'silent' });
      const queue = await runtime.jobs.health();
      await runtime.database.query('select 1');
      process.stdout.write(`${JSON.stringify({ database: runtime.database.kind, queue })}\n`);
      await runtime.close();
      return;
    }
    default:
      process.stdout.write(`${HELP}\n`);
      if (command !== 'help') process.exit(1);
  }
}

main().catch((err) => {
  process.stderr.write(`moxora: ${(err as Error).message}\n`);
  process.exit(1);
});
