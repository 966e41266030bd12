import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import './jobs.registry.js';
import { type Auth, createAuth } from './lib/auth.js';
import { clock } from './lib/clock.js';
import { type Config, fastifyTrustProxy } from './lib/config.js';
import type { Deps } from './lib/context.js';
import { type Keyring, loadKeyring } from './lib/crypto.js';
import { type Database, openDatabase, openRuntimeDatabase } from './lib/db.js';
import { rolePasswords } from './lib/db-roles.js';
import { createEventBus, type EventBus } from './lib/events.js';
import { createJobQueue, type JobDeps, type JobQueue } from './lib/jobs.js';
import { createLogger, loggerOptions } from './lib/logger.js';
import { createOutboxMailer, createSmtpMailer, type Mailer, outboxDir } from './lib/mailer.js';
import { getAuthSecret } from './lib/secrets.js';
import { accountRoutes } from './modules/account/account.routes.js';
import { apiKeyRoutes } from './modules/api-keys/api-keys.routes.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { automationRoutes } from './modules/automations/automations.routes.js';
import { runWatchdog } from './modules/automations/engine.js';
import { eventRoutes } from './modules/automations/events.routes.js';
import { campaignRoutes } from './modules/campaigns/campaigns.routes.js';
import { companyRoutes } from './modules/companies/companies.routes.js';
import { contactRoutes } from './modules/contacts/contacts.routes.js';
import { devClockRoutes } from './modules/dev/clock.routes.js';
import { outboxRoutes } from './modules/dev/outbox.routes.js';
import { emailRoutes } from './modules/email/emails.routes.js';
import { createSendRunner } from './modules/email/runner.js';
import { closeTransports } from './modules/email/transport.js';
import { exportRoutes } from './modules/exports/exports.routes.js';
import { fieldRoutes } from './modules/fields/fields.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { importRoutes } from './modules/imports/imports.routes.js';
import { noteRoutes } from './modules/notes/notes.routes.js';
import { notificationRoutes } from './modules/notifications/notifications.routes.js';
import { organizationRoutes } from './modules/organizations/organizations.routes.js';
import { segmentRoutes } from './modules/segments/segments.routes.js';
import { senderRoutes } from './modules/sending/senders.routes.js';
import { sendingRoutes } from './modules/sending/sending.routes.js';
import { suppressionRoutes } from './modules/sending/suppressions.routes.js';
import { tagRoutes } from './modules/tags/tags.routes.js';
import { templateRoutes } from './modules/templates/templates.routes.js';
import { trackingRoutes } from './modules/tracking/tracking.routes.js';
import { webhookRoutes } from './modules/webhooks/webhooks.routes.js';
import { errorBody, registerErrorHandler, safeErrorSummary } from './plugins/errors.js';
import { registerJsonBodyParser } from './plugins/json-body.js';
import { documentedGuards, registerOpenApi } from './plugins/openapi.js';
import { registerSecurityHeaders } from './plugins/security.js';
import { createGuards } from './plugins/session.js';

export const ROOT_DIR = path.resolve(import.meta.dirname, '../..');
export const WEB_DIST = path.join(ROOT_DIR, 'dist/web');
const VERSION = (
  JSON.parse(fs.readFileSync(path.join(ROOT_DIR, 'package.json'), 'utf8')) as { version: string }
).version;

/** How often processes with workers look for undispatched events. */
const EVENT_SWEEP_MS = 2_000;

export interface Runtime {
  config: Config;
  database: Database;
  mailer: Mailer;
  jobs: JobQueue;
  events: EventBus;
  log: Logger;
  keys: Keyring;
  deps: Deps;
  close(): Promise<void>;
}

/** Opens the database (migrating it), the mail transport and the job queue. Shared by API, worker and CLI. */
export async function createRuntime(
  config: Config,
  opts: { database?: Database; log?: Logger } = {},
): Promise<Runtime> {
  const log = opts.log ?? createLogger(config.logLevel);
  if (config.clockOffsetMs) clock.setOffset(config.clockOffsetMs);
  const keys = loadKeyring(config);
  const owner =
    opts.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.databasePoolSize,
      log: (level, message) => log[level]({ component: 'embedded-postgres' }, message),
    }));
  let database: Database = owner;
  try {
    await owner.migrate();
    // From here on the owner is not used: the worker role for cross-organisation work, the app
    // role (forOrg) for each organisation's (decision 012).
    database = await openRuntimeDatabase(owner, rolePasswords(keys), (message) =>
      log.warn({ component: 'database' }, message),
    );
    const mailer = config.smtpUrl
      ? createSmtpMailer(config.smtpUrl, config.mailFrom)
      : createOutboxMailer(outboxDir(config.dataDir), config.mailFrom);
    const jobDeps: JobDeps = { database, mailer, config, log, keys };
    const jobs = await createJobQueue(jobDeps);
    const events = createEventBus({ database, jobs, log });
    jobDeps.events = events;
    // Processes that run workers also sweep the event outbox (events whose writer died before
    // dispatching them); every process dispatches what it writes itself right after commit.
    const sender = createSendRunner({ config, database, keys, log, events, jobs });
    const startWorkers = jobs.startWorkers.bind(jobs);
    let watchdog: NodeJS.Timeout | undefined;
    jobs.startWorkers = async () => {
      await startWorkers();
      events.start(EVENT_SWEEP_MS);
      sender.start();
      // Wakes automation waits that are due and requeues runs whose job was lost.
      watchdog ??= setInterval(() => {
        runWatchdog({ database, config }).catch((err) =>
          log.warn({ err: safeErrorSummary(err) }, 'automation watchdog failed'),
        );
      }, config.automationWatchdogMs);
      watchdog.unref();
    };
    const deps: Deps = { config, database, jobs, events, keys, sender };
    let closed = false;
    return {
      config,
      database,
      mailer,
      jobs,
      events,
      log,
      keys,
      deps,
      async close() {
        if (closed) return;
        closed = true;
        // Messages in flight finish and are recorded; claimed ones go back to the queue.
        if (watchdog) clearInterval(watchdog);
        await sender.stop();
        await events.stop();
        await jobs.stop();
        mailer.close();
        closeTransports();
        await database.close();
      },
    };
  } catch (err) {
    // The runtime database closes its owner too.
    await database.close().catch(() => {});
    throw err;
  }
}

/** Builds the HTTP app on a runtime. Used by main.ts and by tests through app.inject. */
export async function buildApp(
  runtime: Runtime,
  opts: {
    logStream?: NodeJS.WritableStream;
    /** Sees every route as it is added (tests derive their route-by-route checks from it). */
    onRoute?: (route: RouteOptions) => void;
  } = {},
): Promise<{ app: FastifyInstance; auth: Auth }> {
  const { config, deps, log } = runtime;
  const secret = await getAuthSecret(runtime.database, config, runtime.keys);
  const auth = createAuth({ config, database: runtime.database, jobs: runtime.jobs, secret, log });

  const app = Fastify({
    logger: opts.logStream
      ? { ...loggerOptions(config.logLevel), stream: opts.logStream }
      : loggerOptions(config.logLevel),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{8,64}$/.test(given) ? given : randomUUID();
    },
    trustProxy: fastifyTrustProxy(config.trustProxy),
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  registerErrorHandler(app);
  registerJsonBodyParser(app);
  await registerSecurityHeaders(app, config);
  await registerOpenApi(app, { config, version: VERSION });

  const guards = documentedGuards(createGuards(auth, deps));
  await app.register(healthRoutes, { deps, version: VERSION });
  await app.register(authRoutes, { auth, deps });
  await app.register(organizationRoutes, { guards });
  await app.register(accountRoutes, { auth, deps, guards });
  await app.register(multipart, {
    limits: { fileSize: config.importMaxBytes, files: 1, fields: 10, parts: 12 },
  });
  for (const routes of [
    importRoutes,
    exportRoutes,
    contactRoutes,
    companyRoutes,
    fieldRoutes,
    tagRoutes,
    noteRoutes,
    segmentRoutes,
    apiKeyRoutes,
    senderRoutes,
    sendingRoutes,
    suppressionRoutes,
    templateRoutes,
    campaignRoutes,
    emailRoutes,
    automationRoutes,
    eventRoutes,
    notificationRoutes,
  ]) {
    await app.register(routes, { guards });
  }
  // Public (signed tokens), with its own form parser and an onClose flush of the event buffer.
  await app.register(trackingRoutes, { deps });
  await app.register(webhookRoutes, { guards, deps });
  if (config.devClock && config.env !== 'production') {
    await app.register(devClockRoutes, { deps });
  }
  if (config.devOutbox && !config.smtpUrl) {
    await app.register(outboxRoutes, { dir: outboxDir(config.dataDir) });
  }

  const webRoot = config.webDist ?? WEB_DIST;
  const hasWeb = fs.existsSync(path.join(webRoot, 'index.html'));
  if (hasWeb) {
    // wildcard: files are looked up per request, so a rebuilt UI is served without a restart.
    // index.html for directory paths: `/` is the app's first page (with `index: false` the
    // static plugin answered 403 for it); other directories have no index and fall through to
    // the not-found handler below, which serves the SPA too.
    await app.register(fastifyStatic, {
      root: webRoot,
      prefix: '/',
      wildcard: true,
      index: ['index.html'],
      setHeaders(res, file) {
        if (file.includes(`${path.sep}assets${path.sep}`))
          res.header('cache-control', 'public, max-age=31536000, immutable');
        else if (file.endsWith('.html')) res.header('cache-control', 'no-cache');
      },
    });
  }
  // Not async: as an async handler returning the reply, serving index.html through sendFile
  // made Node warn MaxListenersExceededWarning ('close' listeners piling up on the response).
  app.setNotFoundHandler((request, reply) => {
    const isApi = request.url.startsWith('/api/') || request.url.startsWith('/_dev/');
    if (!isApi && (request.method === 'GET' || request.method === 'HEAD')) {
      if (hasWeb) {
        reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').sendFile('index.html');
        return;
      }
      reply
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><title>Moxora</title><p>The web UI is not built. Run <code>npm run build</code>.</p>',
        );
      return;
    }
    reply
      .status(404)
      .send(errorBody(request.id, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`));
  });

  await app.ready();
  return { app, auth };
}
