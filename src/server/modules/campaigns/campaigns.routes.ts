import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CAMPAIGN_STATUSES,
  CampaignAudience,
  EXCLUSION_REASONS,
  SEND_STATES,
} from '../../../common/email.js';
import type { Guards } from '../../plugins/session.js';
import * as service from './campaigns.service.js';

const TAG = ['Campaigns'];
const Id = z.object({ id: z.uuid() });
const Counts = z.object({
  queued: z.number(),
  sending: z.number(),
  sent: z.number(),
  failed: z.number(),
  skipped: z.number(),
  total: z.number(),
});
const CampaignBase = z.object({
  id: z.uuid(),
  name: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  templateId: z.uuid().nullable(),
  senderId: z.uuid().nullable(),
  audience: z.unknown(),
  scheduledAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  recipientCount: z.number().nullable(),
  excluded: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const Campaign = CampaignBase.extend({ counts: Counts });
const CampaignListItem = CampaignBase.extend({
  sent: z.number(),
  uniqueOpens: z.number(),
  uniqueClicks: z.number(),
});
const Name = z.string().trim().min(1).max(200);
const Stats = z.object({
  sent: z.number(),
  delivered: z.number(),
  bounced: z.number(),
  complained: z.number(),
  unsubscribed: z.number(),
  opens: z.number(),
  machineOpens: z.number(),
  uniqueOpens: z.number(),
  uniqueMachineOpens: z.number(),
  clicks: z.number(),
  machineClicks: z.number(),
  uniqueClicks: z.number(),
  uniqueMachineClicks: z.number(),
});

export async function campaignRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = opts.guards.requirePermission('campaigns:read');
  const write = opts.guards.requirePermission('campaigns:write');
  const send = opts.guards.requirePermission('campaigns:send');

  r.get(
    '/api/v1/campaigns',
    {
      schema: {
        tags: TAG,
        summary: 'Campaigns, newest first, with their sent, unique open and unique click counts',
        response: { 200: z.object({ items: z.array(CampaignListItem) }) },
      },
      preHandler: read,
    },
    async (request) => ({ items: await service.listCampaigns(request.ctx!) }),
  );
  r.post(
    '/api/v1/campaigns',
    {
      schema: {
        tags: TAG,
        summary: 'Create a draft campaign',
        body: z
          .object({
            name: Name,
            templateId: z.uuid().nullable().optional(),
            senderId: z.uuid().nullable().optional(),
            audience: CampaignAudience.optional(),
          })
          .strict(),
        response: { 201: Campaign },
      },
      preHandler: write,
    },
    async (request, reply) =>
      reply.status(201).send(await service.createCampaign(request.ctx!, request.body)),
  );
  r.get(
    '/api/v1/campaigns/:id',
    {
      schema: {
        tags: TAG,
        summary: 'A campaign: its status and ledger counts (queued, sending, sent, failed, skipped)',
        params: Id,
        response: { 200: Campaign },
      },
      preHandler: read,
    },
    async (request) => service.getCampaign(request.ctx!, request.params.id),
  );
  r.patch(
    '/api/v1/campaigns/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Change a draft campaign',
        params: Id,
        body: z
          .object({
            name: Name.optional(),
            templateId: z.uuid().nullable().optional(),
            senderId: z.uuid().nullable().optional(),
            audience: CampaignAudience.optional(),
          })
          .strict(),
        response: { 200: Campaign },
      },
      preHandler: write,
    },
    async (request) => service.updateCampaign(request.ctx!, request.params.id, request.body),
  );
  r.delete(
    '/api/v1/campaigns/:id',
    {
      schema: { tags: TAG, summary: 'Delete a draft, sent or canceled campaign', params: Id },
      preHandler: write,
    },
    async (request, reply) => {
      await service.deleteCampaign(request.ctx!, request.params.id);
      return reply.status(204).send();
    },
  );
  r.get(
    '/api/v1/campaigns/:id/review',
    {
      schema: {
        tags: TAG,
        summary: 'Who would receive the campaign now, and who is excluded and why',
        params: Id,
        response: {
          200: z.object({
            recipients: z.number(),
            excluded: z.record(z.enum(EXCLUSION_REASONS), z.number()),
            total: z.number(),
            ready: z.boolean(),
            missing: z.array(z.string()),
          }),
        },
      },
      preHandler: read,
    },
    async (request) => service.reviewCampaign(request.ctx!, request.params.id),
  );
  r.post(
    '/api/v1/campaigns/:id/send',
    {
      schema: {
        tags: TAG,
        summary:
          'Send now, or at a time: `at` as YYYY-MM-DDTHH:mm in the organisation time zone, or an ISO date-time with an offset',
        params: Id,
        body: z
          .object({ at: z.string().max(40).optional() })
          .strict()
          .optional(),
        response: { 200: Campaign },
      },
      preHandler: send,
    },
    async (request) => service.sendCampaign(request.ctx!, request.params.id, request.body ?? {}),
  );
  for (const [verb, fn, summary] of [
    ['pause', service.pauseCampaign, 'Pause a sending campaign (messages in flight finish)'],
    ['resume', service.resumeCampaign, 'Resume a paused campaign'],
    [
      'cancel',
      service.cancelCampaign,
      'Cancel a scheduled, sending or paused campaign (the queued rest is skipped)',
    ],
  ] as const) {
    r.post(
      `/api/v1/campaigns/:id/${verb}`,
      { schema: { tags: TAG, summary, params: Id, response: { 200: Campaign } }, preHandler: send },
      async (request) => fn(request.ctx!, request.params.id),
    );
  }
  r.get(
    '/api/v1/campaigns/:id/report',
    {
      schema: {
        tags: TAG,
        summary: 'Campaign report from the aggregates: totals, rates, hourly series, clicks per link',
        params: Id,
        response: {
          200: z.object({
            campaign: CampaignBase,
            counts: Counts,
            totals: Stats,
            rates: z.record(z.string(), z.number()),
            series: z.array(Stats.extend({ at: z.string() })),
            links: z.array(
              z.object({ id: z.number(), url: z.string(), clicks: z.number(), humanClicks: z.number() }),
            ),
          }),
        },
      },
      preHandler: read,
    },
    async (request) => service.campaignReport(request.ctx!, request.params.id),
  );
  r.get(
    '/api/v1/campaigns/:id/recipients',
    {
      schema: {
        tags: TAG,
        summary: "The campaign's recipients with each one's ledger state and engagement",
        params: Id,
        querystring: z.object({
          state: z.enum(SEND_STATES).optional(),
          cursor: z.uuid().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.uuid(),
                contactId: z.uuid().nullable(),
                name: z.string().nullable(),
                email: z.string(),
                state: z.enum(SEND_STATES),
                reason: z.string().nullable(),
                attempts: z.number(),
                lastError: z.string().nullable(),
                sentAt: z.string().nullable(),
                deliveredAt: z.string().nullable(),
                bouncedAt: z.string().nullable(),
                bounceType: z.string().nullable(),
                complainedAt: z.string().nullable(),
                unsubscribedAt: z.string().nullable(),
                openedAt: z.string().nullable(),
                clickedAt: z.string().nullable(),
                machineOpenedAt: z.string().nullable(),
                machineClickedAt: z.string().nullable(),
                opens: z.number(),
                clicks: z.number(),
              }),
            ),
            nextCursor: z.string().nullable(),
          }),
        },
      },
      preHandler: read,
    },
    async (request) =>
      service.campaignRecipients(request.ctx!, request.params.id, {
        state: request.query.state,
        after: request.query.cursor,
        limit: request.query.limit,
      }),
  );
}
