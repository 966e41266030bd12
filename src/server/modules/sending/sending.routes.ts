import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Guards } from '../../plugins/session.js';
import * as service from './sending.service.js';

const Host = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(253)
  .regex(/^[A-Za-z0-9.-]+$|^\[?[0-9A-Fa-f:.]+\]?$/, 'must be a host name or an IP address');

const SmtpInput = z
  .object({
    host: Host,
    port: z.number().int().min(1).max(65535),
    secure: z.boolean(),
    user: z.string().trim().max(254).nullable().optional(),
    /** Omitted: keep the stored password. null: clear it. */
    password: z.string().min(1).max(1000).nullable().optional(),
  })
  .strict();

const Sending = z.object({
  postalAddress: z.string(),
  timeZone: z.string(),
  throttlePerSecond: z.number().int(),
  smtp: z
    .object({
      host: z.string(),
      port: z.number().int(),
      secure: z.boolean(),
      user: z.string().nullable(),
      passwordSet: z.boolean(),
    })
    .nullable(),
  delivery: z.enum(['organization-smtp', 'instance-smtp', 'outbox']),
  ready: z.boolean(),
  missing: z.array(z.string()),
});
const TAG = ['Sending'];

export async function sendingRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = opts.guards.requirePermission('campaigns:read');
  const write = opts.guards.requirePermission('settings:write');
  r.get(
    '/api/v1/sending',
    {
      schema: {
        tags: TAG,
        summary:
          'Sending settings: footer postal address, time zone, throttle, SMTP (never its password), and whether marketing sends are ready',
        response: { 200: Sending },
      },
      preHandler: read,
    },
    async (request) => service.getSending(request.ctx!),
  );
  r.put(
    '/api/v1/sending',
    {
      schema: {
        tags: TAG,
        summary:
          'Change sending settings (only the fields given). smtp: null removes the SMTP server; an omitted SMTP password keeps the stored one',
        body: z
          .object({
            postalAddress: z.string().trim().max(1000).optional(),
            timeZone: z.string().trim().min(1).max(64).optional(),
            throttlePerSecond: z.number().int().min(1).max(10000).optional(),
            smtp: SmtpInput.nullable().optional(),
          })
          .strict(),
        response: { 200: Sending },
      },
      preHandler: write,
    },
    async (request) => service.updateSending(request.ctx!, request.body),
  );
  r.post(
    '/api/v1/sending/smtp/verify',
    {
      schema: {
        tags: TAG,
        summary:
          'Test an SMTP server: the given settings, or the stored ones when none are given (an omitted password uses the stored one)',
        body: z.object({ smtp: SmtpInput.optional() }).strict(),
        response: {
          200: z.object({ ok: z.boolean(), error: z.string().optional() }),
        },
      },
      preHandler: write,
    },
    async (request) => service.verifySmtp(request.ctx!, request.body.smtp),
  );
}
