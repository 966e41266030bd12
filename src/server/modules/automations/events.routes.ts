import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CustomEventBody } from '../../../common/automations.js';
import type { Guards } from '../../plugins/session.js';
import * as service from './events.service.js';

const TAG = ['Automations'];

export async function eventRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/v1/events',
    {
      schema: {
        tags: TAG,
        summary:
          "Record a custom event for a contact (by id or email): it goes on the contact's timeline and can trigger automations. Properties: at most 16 KB of JSON. Honours Idempotency-Key for 24 hours (the same key again answers the first response, with one event).",
        headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
        body: CustomEventBody.strict(),
        response: { 202: z.object({ id: z.uuid(), contactId: z.uuid(), name: z.string() }) },
      },
      preHandler: opts.guards.requirePermission('contacts:write'),
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(
          await service.recordCustomEvent(request.ctx!, request.body, request.headers['idempotency-key']),
        ),
  );
}
