import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Guards } from '../../plugins/session.js';
import { AddressOut, AddressSchema, ContactPage, IdParams, PageQuery } from '../contacts/contacts.schemas.js';
import { listContacts } from '../contacts/contacts.service.js';
import * as service from './companies.service.js';

const Company = z.object({
  id: z.uuid(),
  name: z.string(),
  domain: z.string().nullable(),
  industry: z.string().nullable(),
  size: z.string().nullable(),
  website: z.string().nullable(),
  address: AddressOut.nullable(),
  customFields: z.record(z.string(), z.unknown()),
  contactCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const Opt = (max: number) => z.string().trim().max(max).nullable().optional();
const CompanyWrite = z
  .object({
    name: z.string().trim().min(1, 'is required').max(200),
    domain: z
      .string()
      .trim()
      .max(253)
      .regex(/^(https?:\/\/)?[a-z0-9.-]+\.[a-z]{2,}(\/.*)?$/i, 'must be a domain like example.com')
      .nullable(),
    industry: Opt(100),
    size: Opt(50),
    website: z.union([z.url({ protocol: /^https?$/ }), z.literal(''), z.null()]),
    address: AddressSchema.nullable(),
    customFields: z.record(z.string().max(64), z.unknown()),
  })
  .partial()
  .strict();
const TAG = ['Companies'];

export async function companyRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = opts.guards.requirePermission('contacts:read');
  const write = opts.guards.requirePermission('contacts:write');
  r.get(
    '/api/v1/companies',
    {
      schema: {
        tags: TAG,
        summary: 'List companies',
        querystring: PageQuery,
        response: { 200: z.object({ items: z.array(Company), nextCursor: z.string().nullable() }) },
      },
      preHandler: read,
    },
    async (request) => service.listCompanies(request.ctx!, request.query),
  );
  r.post(
    '/api/v1/companies',
    {
      schema: {
        tags: TAG,
        summary: 'Create a company',
        body: CompanyWrite.required({ name: true }),
        response: { 201: Company },
      },
      preHandler: write,
    },
    async (request, reply) => reply.status(201).send(await service.createCompany(request.ctx!, request.body)),
  );
  r.get(
    '/api/v1/companies/:id',
    {
      schema: { tags: TAG, summary: 'Get a company', params: IdParams, response: { 200: Company } },
      preHandler: read,
    },
    async (request) => service.getCompany(request.ctx!, request.params.id),
  );
  r.patch(
    '/api/v1/companies/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Update a company',
        params: IdParams,
        body: CompanyWrite,
        response: { 200: Company },
      },
      preHandler: write,
    },
    async (request) => service.updateCompany(request.ctx!, request.params.id, request.body),
  );
  r.delete(
    '/api/v1/companies/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Delete a company (its contacts are unlinked, not deleted)',
        params: IdParams,
      },
      preHandler: write,
    },
    async (request, reply) => {
      await service.deleteCompany(request.ctx!, request.params.id);
      return reply.status(204).send();
    },
  );
  r.get(
    '/api/v1/companies/:id/contacts',
    {
      schema: {
        tags: TAG,
        summary: "A company's contacts",
        params: IdParams,
        querystring: PageQuery,
        response: { 200: ContactPage },
      },
      preHandler: read,
    },
    async (request) => {
      await service.getCompany(request.ctx!, request.params.id); // 404 for another organisation's company
      return listContacts(request.ctx!, { ...request.query, companyId: request.params.id });
    },
  );
}
