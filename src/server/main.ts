import { buildApp, createRuntime } from './app.js';
import { ConfigError, loadConfig } from './lib/config.js';

/**
 * `npm start`: migrate, then API + web + workers in one process. Exits with one clear line
 * on a configuration or startup problem.
 */
function fail(message: string): never {
  process.stderr.write(`moxora: ${message}\n`);
  process.exit(1);
}

async function main() {
  const started = performance.now();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  let runtime: Awaited<ReturnType<typeof createRuntime>>;
  try {
    runtime = await createRuntime(config);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (config.databaseUrl) {
      fail(`Cannot use DATABASE_URL (${redactDbUrl(config.databaseUrl)}): ${e.message}`);
    }
    // One line, even when PostgreSQL's own output (initdb, the server log) is in the message.
    fail(
      `Cannot open the embedded PostgreSQL in ${config.dataDir}: ${e.message.replace(/\s*\n\s*/g, ' | ')}`,
    );
  }
  const { app } = await buildApp(runtime);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    runtime.log.info({ signal }, 'shutting down: finishing active requests and jobs');
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    await app.close().catch(() => {});
    await runtime.close().catch((err) => runtime.log.error({ err }, 'error while closing'));
    process.exit(0);
  };
  // Installed before listening and before the workers start, so an early signal still shuts down cleanly.
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    await runtime.close().catch(() => {});
    if (e.code === 'EADDRINUSE')
      fail(`PORT ${config.port} is already in use: stop the other process or set PORT`);
    if (e.code === 'EACCES') fail(`PORT ${config.port} needs privileges: choose a port above 1023`);
    fail(`Cannot listen on ${config.host}:${config.port}: ${e.message}`);
  }
  await runtime.jobs.startWorkers();
  runtime.log.info(
    {
      url: config.baseUrl,
      database: runtime.database.kind,
      mail: runtime.mailer.kind,
      startupMs: Math.round(performance.now() - started),
    },
    `Moxora is running at ${config.baseUrl}`,
  );
  const embedded = runtime.database.embedded;
  if (embedded) {
    runtime.log.info(
      { pgData: embedded.pgData, port: embedded.port, initialised: embedded.initialised },
      embedded.owner
        ? `Embedded PostgreSQL: ${embedded.pgData} on 127.0.0.1:${embedded.port} (stops with this process)`
        : `Embedded PostgreSQL: ${embedded.pgData} on 127.0.0.1:${embedded.port}, run by Moxora process ${embedded.ownerPid} (it stops when that process stops)`,
    );
  }
  if (runtime.mailer.kind === 'outbox')
    runtime.log.info(
      config.devOutbox
        ? `Outbox viewer: ${config.baseUrl}/_dev/outbox`
        : 'Mail goes to the outbox folder; its viewer /_dev/outbox is off (HOST is not loopback, or a proxy is trusted): set HOST=127.0.0.1 or DEV_OUTBOX=1 to read it in the browser',
    );
}

export function redactDbUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable)';
  }
}

main().catch((err) => {
  process.stderr.write(`moxora: startup failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
