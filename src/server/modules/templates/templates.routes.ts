import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Guards } from '../../plugins/session.js';
import * as service from './templates.service.js';

const Format = z.enum(['html', 'mjml']);
const TemplateSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  subject: z.string(),
  format: Format,
  createdAt: z.string(),
  updatedAt: z.string(),
});
const Template = TemplateSummary.extend({ body: z.string(), text: z.string().nullable() });
const Rendered = z.object({ subject: z.string(), html: z.string(), text: z.string() });
const Id = z.object({ id: z.uuid() });

const Name = z.string().trim().min(1).max(200);
const Subject = z.string().trim().min(1).max(500);
const Body = z.string().min(1).max(500_000);
/** Plain-text part; null or empty: generated from the HTML. */
const Text = z.string().max(200_000).nullable();
const ContactChoice = { contactId: z.uuid().optional() };
const TAG = ['Templates'];

export async function templateRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = opts.guards.requirePermission('campaigns:read');
  const write = opts.guards.requirePermission('campaigns:write');

  r.get(
    '/api/v1/templates',
    {
      schema: {
        tags: TAG,
        summary: 'Email templates, newest first',
        response: { 200: z.object({ items: z.array(TemplateSummary) }) },
      },
      preHandler: read,
    },
    async (request) => ({ items: await service.listTemplates(request.ctx!) }),
  );
  r.post(
    '/api/v1/templates',
    {
      schema: {
        tags: TAG,
        summary: 'Create an email template (merge fields are validated)',
        body: z
          .object({ name: Name, subject: Subject, format: Format, body: Body, text: Text.optional() })
          .strict(),
        response: { 201: Template },
      },
      preHandler: write,
    },
    async (request, reply) =>
      reply.status(201).send(await service.createTemplate(request.ctx!, request.body)),
  );
  r.post(
    '/api/v1/templates/preview',
    {
      schema: {
        tags: TAG,
        summary: 'Render unsaved template content for a contact or sample data',
        body: z
          .object({ subject: Subject, format: Format, body: Body, text: Text.optional(), ...ContactChoice })
          .strict(),
        response: { 200: Rendered },
      },
      preHandler: read,
    },
    async (request) => service.previewContent(request.ctx!, request.body),
  );
  r.get(
    '/api/v1/templates/:id',
    {
      schema: { tags: TAG, summary: 'Get an email template', params: Id, response: { 200: Template } },
      preHandler: read,
    },
    async (request) => service.getTemplate(request.ctx!, request.params.id),
  );
  r.patch(
    '/api/v1/templates/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Change an email template (merge fields are validated)',
        params: Id,
        body: z
          .object({
            name: Name.optional(),
            subject: Subject.optional(),
            format: Format.optional(),
            body: Body.optional(),
            text: Text.optional(),
          })
          .strict(),
        response: { 200: Template },
      },
      preHandler: write,
    },
    async (request) => service.updateTemplate(request.ctx!, request.params.id, request.body),
  );
  r.delete(
    '/api/v1/templates/:id',
    { schema: { tags: TAG, summary: 'Delete an email template', params: Id }, preHandler: write },
    async (request, reply) => {
      await service.deleteTemplate(request.ctx!, request.params.id);
      return reply.status(204).send();
    },
  );
  r.post(
    '/api/v1/templates/:id/preview',
    {
      schema: {
        tags: TAG,
        summary: 'Render a template for a contact or sample data',
        params: Id,
        body: z.object(ContactChoice).strict().optional(),
        response: { 200: Rendered },
      },
      preHandler: read,
    },
    async (request) => service.previewTemplate(request.ctx!, request.params.id, request.body ?? {}),
  );
  r.post(
    '/api/v1/templates/:id/test',
    {
      schema: {
        tags: TAG,
        summary: 'Send a test of a template to your own address',
        params: Id,
        body: z.object(ContactChoice).strict().optional(),
        response: { 200: z.object({ sentTo: z.string() }) },
      },
      preHandler: write,
    },
    async (request) => service.sendTest(request.ctx!, request.params.id, request.body ?? {}),
  );
}
