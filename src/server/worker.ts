import { createRuntime } from './app.js';
import { ConfigError, loadConfig } from './lib/config.js';
import { DataDirLockedError } from './lib/datadir-lock.js';
import './jobs.registry.js';

/** `moxora worker`: queue workers alone, for production scale-out against PostgreSQL. */
export async function runWorker() {
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
  if (!config.databaseUrl) {
    process.stderr.write(
      'moxora: DATABASE_URL is required for a separate worker (the embedded database belongs to `npm start`)\n',
    );
    process.exit(1);
  }
  const runtime = await createRuntime(config).catch((err) => {
    const msg =
      err instanceof DataDirLockedError ? err.message : `Cannot start the worker: ${(err as Error).message}`;
    process.stderr.write(`moxora: ${msg}\n`);
    process.exit(1);
  });
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    runtime.log.info('worker shutting down: finishing or releasing active jobs');
    await runtime.close();
    process.exit(0);
  };
  // Handlers before the workers: a job can run (and a signal arrive) while later queues register.
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  await runtime.jobs.startWorkers();
  if (!stopping) runtime.log.info({ concurrency: config.workerConcurrency }, 'worker started');
}
