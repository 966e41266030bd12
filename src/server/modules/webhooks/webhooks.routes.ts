import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EMAIL_PROVIDERS } from '../../../common/email.js';
import type { Deps } from '../../lib/context.js';
import type { Guards } from '../../plugins/session.js';
import * as service from './webhooks.service.js';

const Provider = z.enum(EMAIL_PROVIDERS);
/** Checked by the service (404 for an unknown one), so that access is decided before the value. */
const ProviderParam = z.object({
  provider: z
    .string()
    .max(20)
    .describe(`One of ${EMAIL_PROVIDERS.join(', ')}`),
});
const WebhookItem = z.object({
  provider: Provider,
  /** Where the provider posts (null until the endpoint is first saved). */
  url: z.string().nullable(),
  /** Whether the endpoint has what its checks need; the secret itself is never returned. */
  configured: z.boolean(),
  config: z.record(z.string(), z.unknown()),
});
const TAG = ['Sending'];
const INBOUND_TAG = ['Webhooks'];
const MAX_BODY = 1024 * 1024;

export async function webhookRoutes(app: FastifyInstance, opts: { guards: Guards; deps: Deps }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = opts.guards.requirePermission('settings:read');
  const write = opts.guards.requirePermission('settings:write');

  r.get(
    '/api/v1/sending/webhooks',
    {
      schema: {
        tags: TAG,
        summary: 'Provider webhook endpoints (Amazon SES, Postmark, SendGrid, Mailgun, Resend)',
        response: { 200: z.object({ items: z.array(WebhookItem) }) },
      },
      preHandler: read,
    },
    async (request) => ({ items: await service.listWebhooks(request.ctx!) }),
  );
  r.put(
    '/api/v1/sending/webhooks/:provider',
    {
      schema: {
        tags: TAG,
        summary: "Set a provider webhook's secret (stored encrypted, never returned) and settings",
        description:
          'ses: config { topicArns } (allow-list, required), no secret. postmark: config { username }, ' +
          'secret = the basic-auth password. sendgrid: secret = the verification public key. mailgun: ' +
          'secret = the HTTP webhook signing key. resend: secret = the whsec_… signing secret.',
        params: ProviderParam,
        body: z
          .object({
            secret: z.string().max(10_000).optional(),
            config: z.record(z.string(), z.unknown()).optional(),
          })
          .strict(),
        response: { 200: WebhookItem },
      },
      preHandler: write,
    },
    async (request) => service.putWebhook(request.ctx!, request.params.provider, request.body),
  );
  r.delete(
    '/api/v1/sending/webhooks/:provider',
    {
      schema: {
        tags: TAG,
        summary: 'Remove a provider webhook endpoint (its URL stops working)',
        params: ProviderParam,
      },
      preHandler: write,
    },
    async (request, reply) => {
      await service.deleteWebhook(request.ctx!, request.params.provider);
      return reply.status(204).send();
    },
  );

  // The inbound route keeps the raw body (signatures are over the bytes), in its own scope so
  // that no other route's parsing changes. SNS posts text/plain.
  await app.register(async (inbound) => {
    inbound.removeAllContentTypeParsers();
    inbound.addContentTypeParser(
      ['application/json', 'text/plain'],
      { parseAs: 'buffer', bodyLimit: MAX_BODY },
      (_request, body, done) => done(null, body),
    );
    inbound.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/webhooks/email/:provider',
      {
        schema: {
          tags: INBOUND_TAG,
          summary: 'Delivery events from an email provider (signed; the URL comes from the sending settings)',
          description:
            'Public: the provider authenticates with its signature (SNS, ECDSA, HMAC, Svix) or basic auth. ' +
            'An unknown key and a missing or wrong signature both answer 401. Replays are acknowledged and dropped.',
          params: z.object({ provider: Provider }),
          querystring: z.object({ key: z.string().max(100).optional() }),
          response: { 200: z.object({ received: z.number().int() }) },
        },
        bodyLimit: MAX_BODY,
      },
      async (request) =>
        service.receiveWebhook(
          opts.deps,
          {
            provider: request.params.provider,
            key: request.query.key,
            headers: request.headers,
            rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          },
          request.log,
        ),
    );
  });
}
