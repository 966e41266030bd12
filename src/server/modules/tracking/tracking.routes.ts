import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../lib/context.js';
import { pgCode } from '../../lib/sql.js';
import { verifyToken } from '../../lib/tokens.js';
import { ClickBursts, classifyClick, classifyOpen } from './bots.js';
import { EventBuffer } from './buffer.js';
import {
  invalidLinkPage,
  PAGE_CSP,
  preferencesPage,
  unsubscribeAskPage,
  unsubscribeDonePage,
} from './pages.js';
import {
  createLinkResolver,
  findPageSend,
  resubscribe,
  type TrackedEvent,
  unsubscribe,
  writeTrackedEvents,
} from './tracking.service.js';

/**
 * Public tracking and unsubscribe endpoints (no session: the signed token in the URL is the
 * credential; lib/tokens.ts makes these URLs):
 *
 *   GET  /e/o/<token>.gif   open pixel (buffered; never waits for the database)
 *   GET  /e/c/<token>       click: 302 to the stored link (HEAD answered too, recorded as machine)
 *   GET  /e/u/<token>       "Unsubscribe from …?" page with a button (a GET never unsubscribes)
 *   POST /e/u/<token>       RFC 8058 one-click (List-Unsubscribe=One-Click), or the page's button
 *   GET  /e/p/<token>       preference page; POST action=unsubscribe|resubscribe
 */

/** The 43-byte transparent 1×1 GIF. */
export const PIXEL_GIF = Buffer.from(
  'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==',
  'base64',
);

const NO_STORE = 'no-store, private';
const TokenParams = z.object({ token: z.string() });
const FileParams = z.object({ file: z.string() });

/** The buffer of each app (keyed by its HTTP server), for tests and the benchmark: `flush()`. */
const buffers = new WeakMap<object, EventBuffer<TrackedEvent>>();
export function trackingBufferOf(app: FastifyInstance): EventBuffer<TrackedEvent> | undefined {
  return buffers.get(app.server);
}

export async function trackingRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const service = { database: deps.database, events: deps.events };
  const links = createLinkResolver(deps.database);
  const bursts = new ClickBursts();
  const buffer = new EventBuffer<TrackedEvent>({
    write: (batch) => writeTrackedEvents(service, batch, app.log),
    held: (event) => event.type === 'clicked',
    log: app.log,
    // Refused for its data (22xxx data exception, 23xxx constraint): retrying cannot help.
    isPoison: (err) => /^2[23]/.test(pgCode(err) ?? ''),
  });
  buffers.set(app.server, buffer);
  // Runs inside app.close(), which main.ts and the tests await before runtime.close() closes the
  // database: every buffered event is written on a graceful stop.
  app.addHook('onClose', async () => {
    await buffer.close();
  });

  // Form posts (the pages' buttons, RFC 8058 one-click): for these routes only.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 8 * 1024 },
    (_request, body, done) => {
      const out: Record<string, string> = {};
      for (const [k, v] of new URLSearchParams(body as string)) {
        if (k !== '__proto__' && k !== 'constructor' && k !== 'prototype') out[k] = v;
      }
      done(null, out);
    },
  );

  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/e/o/:file',
    {
      schema: {
        tags: ['Tracking'],
        hide: true, // email links, not part of the REST API (docs/operations.md, "Tracking")
        summary: 'Open pixel of a sent message (`/e/o/<token>.gif`): a transparent GIF, the open recorded',
        params: FileParams,
      },
      logLevel: 'warn',
    },
    async (request, reply) => {
      const { file } = request.params;
      const token = file.endsWith('.gif') ? file.slice(0, -4) : null;
      const v = token ? verifyToken(deps.keys, 'open', token) : null;
      if (!v) return reply.status(404).header('cache-control', NO_STORE).type('text/plain').send('Not found');
      if (request.method === 'GET') {
        const now = Date.now();
        const reason = classifyOpen(factsOf(request));
        buffer.push({
          sendId: v.sendId,
          type: 'opened',
          source: 'tracking',
          occurredAt: new Date(now),
          receivedAt: now,
          ...(reason ? { machine: true, detail: { machineReason: reason } } : {}),
        });
      }
      return (
        reply
          .header('cache-control', NO_STORE)
          // Webmail pages on other origins embed it: the app-wide same-origin policy would block it.
          .header('cross-origin-resource-policy', 'cross-origin')
          .type('image/gif')
          .send(PIXEL_GIF)
      );
    },
  );

  r.get(
    '/e/c/:token',
    {
      schema: {
        tags: ['Tracking'],
        hide: true, // email links, not part of the REST API (docs/operations.md, "Tracking")
        summary: 'Tracked link of a sent message: redirects (302) to the stored URL, the click recorded',
        params: TokenParams,
      },
      logLevel: 'warn',
    },
    async (request, reply) => {
      const v = verifyToken(deps.keys, 'click', request.params.token);
      if (!v || v.linkId === undefined) return invalid(reply);
      const link = await links.resolve(v.linkId);
      if (!link) return invalid(reply);
      const { url } = link;
      const now = Date.now();
      const reason = classifyClick(factsOf(request));
      const event: TrackedEvent = {
        sendId: v.sendId,
        type: 'clicked',
        source: 'tracking',
        linkId: v.linkId,
        linkOrgId: link.orgId,
        occurredAt: new Date(now),
        receivedAt: now,
        detail: reason ? { url, machineReason: reason } : { url },
        ...(reason ? { machine: true } : {}),
      };
      bursts.record(event, now);
      buffer.push(event);
      return reply.header('cache-control', NO_STORE).redirect(url, 302);
    },
  );

  r.get(
    '/e/u/:token',
    {
      schema: {
        tags: ['Tracking'],
        hide: true, // email links, not part of the REST API (docs/operations.md, "Tracking")
        summary: 'Unsubscribe page of a sent message: asks, with a button (visiting it changes nothing)',
        params: TokenParams,
      },
    },
    async (request, reply) => {
      const v = verifyToken(deps.keys, 'unsubscribe', request.params.token);
      const send = v ? await findPageSend(service, v.sendId) : null;
      if (!send) return invalid(reply);
      return page(reply, unsubscribeAskPage(send, preferencesPath(request.params.token)));
    },
  );

  r.post(
    '/e/u/:token',
    {
      schema: {
        tags: ['Tracking'],
        hide: true, // email links, not part of the REST API (docs/operations.md, "Tracking")
        summary:
          'Unsubscribes the recipient of a sent message at once: RFC 8058 one-click (body List-Unsubscribe=One-Click) or the page button',
        params: TokenParams,
      },
    },
    async (request, reply) => {
      const v = verifyToken(deps.keys, 'unsubscribe', request.params.token);
      if (!v) return invalid(reply);
      const fromPage = formField(request, 'via') === 'page';
      const send = await unsubscribe(service, v.sendId, fromPage ? 'preferences' : 'tracking');
      if (!send) return invalid(reply);
      if (!fromPage) {
        // One-click (a mail provider's POST): a plain 200, no page, no redirect.
        return reply
          .header('cache-control', NO_STORE)
          .type('text/plain; charset=utf-8')
          .send('Unsubscribed\n');
      }
      return page(reply, unsubscribeDonePage(send, preferencesPath(request.params.token)));
    },
  );

  r.get(
    '/e/p/:token',
    {
      schema: {
        tags: ['Tracking'],
        hide: true, // email links, not part of the REST API (docs/operations.md, "Tracking")
        summary: "Preference page of a sent message: the sender, the masked address, the recipient's status",
        params: TokenParams,
      },
    },
    async (request, reply) => {
      const v = verifyToken(deps.keys, 'unsubscribe', request.params.token);
      const send = v ? await findPageSend(service, v.sendId) : null;
      if (!send) return invalid(reply);
      return page(reply, preferencesPage(send));
    },
  );

  r.post(
    '/e/p/:token',
    {
      schema: {
        tags: ['Tracking'],
        hide: true, // email links, not part of the REST API (docs/operations.md, "Tracking")
        summary:
          'Changes the subscription from the preference page (form field action=unsubscribe|resubscribe)',
        params: TokenParams,
      },
    },
    async (request, reply) => {
      const v = verifyToken(deps.keys, 'unsubscribe', request.params.token);
      if (!v) return invalid(reply);
      const action = formField(request, 'action');
      if (action !== 'unsubscribe' && action !== 'resubscribe') {
        const send = await findPageSend(service, v.sendId);
        if (!send) return invalid(reply);
        return page(reply.status(400), preferencesPage(send, 'Choose Unsubscribe or Resubscribe.'));
      }
      const send =
        action === 'unsubscribe'
          ? await unsubscribe(service, v.sendId, 'preferences')
          : await resubscribe(service, v.sendId);
      if (!send) return invalid(reply);
      const notice =
        action === 'unsubscribe'
          ? 'You are unsubscribed.'
          : send.status === 'subscribed'
            ? 'You are subscribed again.'
            : 'Your subscription could not be changed from here.';
      return page(reply, preferencesPage(send, notice));
    },
  );
}

function factsOf(request: FastifyRequest) {
  return { method: request.method, ip: request.ip, userAgent: request.headers['user-agent'] };
}

function formField(request: FastifyRequest, name: string): string | undefined {
  const body = request.body;
  if (!body || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

const preferencesPath = (token: string) => `/e/p/${encodeURIComponent(token)}`;

function page(reply: FastifyReply, html: string) {
  return reply
    .header('content-security-policy', PAGE_CSP)
    .header('cache-control', NO_STORE)
    .header('x-robots-tag', 'noindex, nofollow')
    .type('text/html; charset=utf-8')
    .send(html);
}

function invalid(reply: FastifyReply) {
  return page(reply.status(404), invalidLinkPage());
}
