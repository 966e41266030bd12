import { createRuntime } from './app.js';
import { ConfigError, loadConfig } from './lib/config.js';
import './jobs.registry.js';

/**
 * `moxora worker`: queue workers alone, for production scale-out. With DATABASE_URL it uses that
 * server; without, the embedded PostgreSQL of MOXORA_DATA_DIR (the one `npm start` runs there, or
 * its own when none runs).
 */
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
  const runtime = await createRuntime(config).catch((err) => {
    process.stderr.write(`moxora: Cannot start the worker: ${(err as Error).message}\n`);
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
