import { parseArgs } from 'node:util';
import { createRuntime } from './app.js';
import { ConfigError, loadConfig } from './lib/config.js';
import { openDatabase } from './lib/db.js';

const HELP = `Usage: moxora <command>

Commands:
  start            API, web UI and workers in one process (same as npm start)
  worker           queue workers only
  migrate          apply database migrations and exit
  health           print database and queue status as JSON
  import FILE --org ORG [--policy create_update|create_only|update_only] [--dry-run] [--tags a,b]
                   import a CSV file into an organisation (id or name), with a progress bar
  export --org ORG --out FILE [--search Q] [--segment ID] [--columns a,b] [--bom]
                   export contacts to CSV
  rotate-keys      re-encrypt every stored secret under ENCRYPTION_KEY; the previous keys go in
                   ENCRYPTION_KEYS_OLD (comma-separated) until it has run, then can be dropped
  help             this text

Without DATABASE_URL, commands use the embedded PostgreSQL of MOXORA_DATA_DIR (default ./data):
the server a running \`npm start\` runs there, or one they start and stop themselves.
Configuration comes from environment variables; see docs/operations.md.`;

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    strict: false,
    options: {
      org: { type: 'string' },
      policy: { type: 'string' },
      'dry-run': { type: 'boolean' },
      tags: { type: 'string' },
      out: { type: 'string' },
      search: { type: 'string' },
      segment: { type: 'string' },
      columns: { type: 'string' },
      bom: { type: 'boolean' },
    },
  });
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
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
    case 'rotate-keys': {
      const { loadKeyring } = await import('./lib/crypto.js');
      const { rotateKeys } = await import('./lib/rotate-keys.js');
      const keys = loadKeyring(config);
      const { openRuntimeDatabase } = await import('./lib/db.js');
      const { rolePasswords } = await import('./lib/db-roles.js');
      const owner = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      await owner.migrate();
      // Every organisation's secrets: the worker role (row-level security is forced even on the
      // owner, who has no policy). Its password follows the new key from here on.
      const database = await openRuntimeDatabase(owner, rolePasswords(keys));
      try {
        const report = await rotateKeys(database, keys);
        for (const r of report)
          process.stdout.write(
            `${r.table}.${r.column}: ${r.rotated} re-encrypted, ${r.current} already under key ${keys.currentKeyId}\n`,
          );
        const total = report.reduce((n, r) => n + r.rotated, 0);
        process.stdout.write(
          `${total} secret(s) re-encrypted under key ${keys.currentKeyId}; ENCRYPTION_KEYS_OLD can now be removed\n`,
        );
      } finally {
        await database.close();
      }
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
    case 'import':
    case 'export': {
      const org = str(values.org);
      if (!org) throw new Error(`--org is required (an organisation id or name)`);
      const { cliImport, cliExport } = await import('./cli-data.js');
      const runtime = await createRuntime({ ...config, logLevel: 'warn' });
      let code = 1;
      try {
        if (command === 'import') {
          const file = positionals[1];
          if (!file) throw new Error('moxora import FILE --org ORG');
          const policy = (str(values.policy) ?? 'create_update') as
            | 'create_update'
            | 'create_only'
            | 'update_only';
          if (!['create_update', 'create_only', 'update_only'].includes(policy))
            throw new Error(`--policy ${policy} is not one of create_update, create_only, update_only`);
          code = await cliImport(runtime, {
            file,
            org,
            policy,
            dryRun: values['dry-run'] === true,
            tags: (str(values.tags) ?? '')
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          });
        } else {
          const out = str(values.out);
          if (!out) throw new Error('--out FILE is required');
          code = await cliExport(runtime, {
            org,
            out,
            search: str(values.search),
            segmentId: str(values.segment),
            columns: str(values.columns)
              ?.split(',')
              .map((c) => c.trim()),
            bom: values.bom === true,
          });
        }
      } finally {
        await runtime.close();
      }
      process.exit(code);
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
