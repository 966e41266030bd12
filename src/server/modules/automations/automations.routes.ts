import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AUTOMATION_STATUSES,
  AutomationCreateBody,
  AutomationUpdateBody,
  NODE_TYPES,
  RUN_STATES,
  Trigger,
} from '../../../common/automations.js';
import { webhookSecretFor } from '../../lib/outbound.js';
import type { Guards } from '../../plugins/session.js';
import * as service from './automations.service.js';
import { dryRun } from './dry-run.js';
import * as runs from './runs.service.js';

const TAG = ['Automations'];
const Id = z.object({ id: z.uuid() });
const Counts = z.object({
  enrolled: z.number(),
  active: z.number(),
  waiting: z.number(),
  completed: z.number(),
  exited: z.number(),
  failed: z.number(),
  canceled: z.number(),
});
const GraphIssue = z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() });
const AutomationSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  status: z.enum(AUTOMATION_STATUSES),
  latestVersion: z.number(),
  activeVersion: z.number().nullable(),
  trigger: Trigger.nullable(),
  triggerSummary: z.string(),
  counts: Counts,
  createdAt: z.string(),
  updatedAt: z.string(),
});
const StepCounts = z.object({
  done: z.number(),
  waiting: z.number(),
  running: z.number(),
  failed: z.number(),
  skipped: z.number(),
});
/**
 * The graph as responses carry it. The request schema (WorkflowDefinition) cannot encode
 * responses (its filters are preprocessed on input), so nodes pass through as stored.
 */
const DefinitionOut = z
  .object({
    nodes: z.array(z.looseObject({ id: z.string(), type: z.enum(NODE_TYPES as [string, ...string[]]) })),
    edges: z.array(z.object({ from: z.string(), to: z.string(), exit: z.string() })),
    settings: z.looseObject({ reentry: z.boolean() }),
  })
  .describe('The workflow graph, as the request body of POST /api/v1/automations takes it');
const Automation = AutomationSummary.extend({
  definition: DefinitionOut,
  issues: z.array(GraphIssue).describe('What stands between the latest version and activation'),
  stepCounts: z.record(z.string(), StepCounts).describe('Per node id, over all versions'),
});
const RunSummary = z.object({
  id: z.uuid(),
  automationId: z.uuid(),
  version: z.number(),
  contact: z.object({ id: z.uuid(), name: z.string(), email: z.string().nullable() }),
  state: z.enum(RUN_STATES),
  currentNode: z.string().nullable(),
  wakeAt: z.string().nullable(),
  enrolledAt: z.string(),
  updatedAt: z.string(),
  endedAt: z.string().nullable(),
  exitReason: z.string().nullable(),
  error: z.string().nullable(),
});
const RunDetail = RunSummary.extend({
  automation: z.object({ id: z.uuid(), name: z.string() }),
  context: z.record(z.string(), z.unknown()),
  steps: z.array(
    z.object({
      nodeId: z.string(),
      nodeType: z.string(),
      summary: z.string(),
      state: z.enum(['running', 'waiting', 'done', 'failed', 'skipped']),
      outcome: z.string().nullable(),
      result: z.unknown(),
      error: z.string().nullable(),
      attempts: z.number(),
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
    }),
  ),
});
const DryRun = z.object({
  steps: z.array(
    z.object({
      nodeId: z.string(),
      type: z.enum(NODE_TYPES as [string, ...string[]]),
      label: z.string().optional(),
      summary: z.string(),
      outcome: z.string().optional().describe('The exit taken: yes/no, event/timeout, a split label'),
      note: z.string().optional(),
    }),
  ),
  end: z.enum(['completed', 'exit', 'goal', 'not_enrolled']),
  reason: z.string().optional(),
});
const TriggerEvent = z
  .object({ type: z.string().min(1).max(100), data: z.record(z.string(), z.unknown()).default({}) })
  .describe('The trigger event, as the run context (conditions on event properties, wait for an event)');

export async function automationRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = opts.guards.requirePermission('automations:read');
  const write = opts.guards.requirePermission('automations:write');

  r.get(
    '/api/v1/automations',
    {
      schema: {
        tags: TAG,
        summary: 'Automations, newest first, with their trigger and run counts',
        response: { 200: z.object({ items: z.array(AutomationSummary) }) },
      },
      preHandler: read,
    },
    async (request) => ({ items: await service.listAutomations(request.ctx!) }),
  );
  r.post(
    '/api/v1/automations',
    {
      schema: {
        tags: TAG,
        summary:
          'Create a draft automation. Graph problems do not block saving a draft: they are returned in `issues`.',
        body: AutomationCreateBody.strict(),
        response: { 201: Automation },
      },
      preHandler: write,
    },
    async (request, reply) =>
      reply.status(201).send(await service.createAutomation(request.ctx!, request.body)),
  );
  r.get(
    '/api/v1/automations/webhook-secret',
    {
      schema: {
        tags: TAG,
        summary:
          "The organisation's Standard Webhooks secret (whsec_…): receivers of a workflow's webhooks verify its signatures with it",
        response: { 200: z.object({ secret: z.string() }) },
      },
      preHandler: write,
    },
    async (request) => ({ secret: webhookSecretFor(request.ctx!.deps.keys, request.ctx!.orgId) }),
  );
  r.get(
    '/api/v1/automations/:id',
    {
      schema: {
        tags: TAG,
        summary: 'An automation: its latest version, issues, run counts and per-step counts',
        params: Id,
        response: { 200: Automation },
      },
      preHandler: read,
    },
    async (request) => service.getAutomation(request.ctx!, request.params.id),
  );
  r.patch(
    '/api/v1/automations/:id',
    {
      schema: {
        tags: TAG,
        summary:
          'Change an automation. A graph change after the first activation makes a new version; on an active automation the new version must be valid (400 with details.issues) and takes over new enrolments at once, while running ones finish on theirs.',
        params: Id,
        body: AutomationUpdateBody.strict(),
        response: { 200: Automation },
      },
      preHandler: write,
    },
    async (request) => service.updateAutomation(request.ctx!, request.params.id, request.body),
  );
  r.delete(
    '/api/v1/automations/:id',
    {
      schema: { tags: TAG, summary: 'Delete an automation with its versions and runs', params: Id },
      preHandler: write,
    },
    async (request, reply) => {
      await service.deleteAutomation(request.ctx!, request.params.id);
      return reply.status(204).send();
    },
  );
  r.post(
    '/api/v1/automations/:id/activate',
    {
      schema: {
        tags: TAG,
        summary:
          'Activate (or resume) an automation on its latest version: 400 VALIDATION_FAILED with details.issues when it cannot run',
        params: Id,
        response: { 200: Automation },
      },
      preHandler: write,
    },
    async (request) => service.activateAutomation(request.ctx!, request.params.id),
  );
  r.post(
    '/api/v1/automations/:id/pause',
    {
      schema: {
        tags: TAG,
        summary: 'Pause an automation: no new enrolments, due steps wait until it is activated again',
        params: Id,
        response: { 200: Automation },
      },
      preHandler: write,
    },
    async (request) => service.pauseAutomation(request.ctx!, request.params.id),
  );
  r.get(
    '/api/v1/automations/:id/versions',
    {
      schema: {
        tags: TAG,
        summary: "An automation's versions, newest first",
        params: Id,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                version: z.number(),
                createdAt: z.string(),
                createdBy: z.object({ id: z.string(), name: z.string() }).nullable(),
                publishedAt: z.string().nullable(),
                active: z.boolean(),
              }),
            ),
          }),
        },
      },
      preHandler: read,
    },
    async (request) => service.listVersions(request.ctx!, request.params.id),
  );
  r.get(
    '/api/v1/automations/:id/versions/:version',
    {
      schema: {
        tags: TAG,
        summary: 'One version of an automation with its definition',
        // A version number; anything else is a version that does not exist (404).
        params: Id.extend({ version: z.string().max(20).describe('A version number (1, 2 …)') }),
        response: { 200: z.object({ version: z.number(), definition: DefinitionOut }) },
      },
      preHandler: read,
    },
    async (request) => service.getVersion(request.ctx!, request.params.id, request.params.version),
  );
  r.post(
    '/api/v1/automations/:id/dry-run',
    {
      schema: {
        tags: TAG,
        summary:
          'The path a contact would take through the automation (active version, else the latest) and what would happen, without doing any of it',
        params: Id,
        body: z.object({ contactId: z.uuid(), event: TriggerEvent.optional() }).strict(),
        response: { 200: DryRun },
      },
      preHandler: read,
    },
    async (request) => dryRun(request.ctx!, request.params.id, request.body),
  );
  r.post(
    '/api/v1/automations/:id/enrol',
    {
      schema: {
        tags: TAG,
        summary:
          'Enrol contacts by hand (up to 10,000 ids, or a segment) into an active automation (409 otherwise); restricted contacts, contacts with an open run and, without re-entry, earlier ones are skipped',
        params: Id,
        body: z
          .object({
            contactIds: z.array(z.uuid()).min(1).max(10_000).optional(),
            segmentId: z.uuid().optional(),
          })
          .strict(),
        response: { 200: z.object({ enrolled: z.number(), skipped: z.number() }) },
      },
      preHandler: write,
    },
    async (request) => service.enrolContacts(request.ctx!, request.params.id, request.body),
  );
  r.get(
    '/api/v1/automations/:id/runs',
    {
      schema: {
        tags: TAG,
        summary: "An automation's runs, newest first (cursor: the nextCursor of the previous page)",
        params: Id,
        querystring: z.object({
          state: z.enum(RUN_STATES).optional(),
          contactId: z.uuid().optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
          cursor: z.uuid().optional(),
        }),
        response: { 200: z.object({ items: z.array(RunSummary), nextCursor: z.string().nullable() }) },
      },
      preHandler: read,
    },
    async (request) => runs.listRuns(request.ctx!, request.params.id, request.query),
  );
  r.get(
    '/api/v1/runs/:id',
    {
      schema: {
        tags: TAG,
        summary: 'A run with each step taken: its state, exit, result, error and times',
        params: Id,
        response: { 200: RunDetail },
      },
      preHandler: read,
    },
    async (request) => runs.getRun(request.ctx!, request.params.id),
  );
  r.post(
    '/api/v1/runs/:id/cancel',
    {
      schema: {
        tags: TAG,
        summary: 'Cancel an active or waiting run (409 otherwise)',
        params: Id,
        response: { 200: RunDetail },
      },
      preHandler: write,
    },
    async (request) => runs.cancelRun(request.ctx!, request.params.id),
  );
  r.post(
    '/api/v1/runs/:id/retry',
    {
      schema: {
        tags: TAG,
        summary: 'Retry a failed run from the step that failed (409 unless failed)',
        params: Id,
        response: { 200: RunDetail },
      },
      preHandler: write,
    },
    async (request) => runs.retryRun(request.ctx!, request.params.id),
  );
}
