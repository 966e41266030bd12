import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS, ROLES } from '../../../common/permissions.js';
import type { Guards } from '../../plugins/session.js';
import * as security from './organizations.security.js';
import * as service from './organizations.service.js';

const Role = z.enum(ROLES);
const IdParams = z.object({ id: z.uuid('must be a UUID') });
const OrgName = z.string().trim().min(1, 'is required').max(100);

const OrgSummary = z.object({ id: z.uuid(), name: z.string(), role: Role });
const MeResponse = z.object({
  user: z.object({ id: z.uuid(), name: z.string(), email: z.string(), emailVerified: z.boolean() }),
  organizations: z.array(OrgSummary),
  activeOrganization: OrgSummary.nullable(),
  permissions: z.array(z.enum(PERMISSIONS)),
  /**
   * The session's organisation when the user was removed from it (it still exists): every
   * organisation route answers 403 NOT_A_MEMBER until the user switches to one of theirs.
   */
  removedFrom: z.object({ id: z.uuid(), name: z.string() }).nullable(),
});
const Member = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  name: z.string(),
  email: z.string(),
  role: Role,
  createdAt: z.date(),
});
const Invitation = z.object({
  id: z.uuid(),
  email: z.string(),
  role: Role,
  status: z.enum(['pending', 'accepted', 'canceled', 'expired']),
  expiresAt: z.date(),
  createdAt: z.date(),
  inviterName: z.string().nullable(),
});

export async function organizationRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const { authenticate, withOrganization, requirePermission } = opts.guards;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/me',
    {
      schema: {
        tags: ['Account'],
        summary: 'The signed-in user, their organisations, role and permissions',
        response: { 200: MeResponse },
      },
      // No organisation guard: a user who left or deleted their last organisation still has an account.
      preHandler: [authenticate],
    },
    async (request) => service.getMe(request.userCtx!, request.activeOrgId ?? null),
  );

  r.patch(
    '/api/v1/me',
    {
      schema: {
        tags: ['Account'],
        summary: "Update the signed-in user's profile",
        body: z.object({ name: z.string().trim().min(1, 'is required').max(100) }),
        response: { 200: MeResponse },
      },
      preHandler: [authenticate],
    },
    async (request) => {
      await service.updateProfile(request.userCtx!, request.body);
      return service.getMe({ ...request.userCtx!, name: request.body.name }, request.activeOrgId ?? null);
    },
  );

  r.post(
    '/api/v1/organizations',
    {
      schema: {
        tags: ['Organizations'],
        summary: 'Create an organisation (you become its owner; it becomes active)',
        body: z.object({ name: OrgName }),
        response: { 201: OrgSummary },
      },
      preHandler: [authenticate],
    },
    async (request, reply) =>
      reply.status(201).send(await service.createOrganization(request.userCtx!, request.body)),
  );

  r.post(
    '/api/v1/organizations/active',
    {
      schema: {
        tags: ['Organizations'],
        summary: 'Switch the active organisation of this session',
        body: z.object({ organizationId: z.uuid('must be a UUID') }),
      },
      preHandler: [authenticate],
    },
    async (request, reply) => {
      await service.switchOrganization(request.userCtx!, request.body);
      return reply.status(204).send();
    },
  );

  const NextActive = z.object({ activeOrganizationId: z.uuid().nullable() });

  r.delete(
    '/api/v1/organizations/:id',
    {
      schema: {
        tags: ['Organizations'],
        summary:
          'Delete an organisation and everything in it (owners only; confirm = its name). Answers the organisation now active',
        params: IdParams,
        querystring: z.object({ confirm: z.string().max(200).optional() }),
        response: { 200: NextActive },
      },
      preHandler: [authenticate],
    },
    async (request) =>
      service.deleteOrganization(
        request.userCtx!,
        request.params.id,
        { confirm: request.query.confirm },
        request.activeOrgId ?? null,
      ),
  );

  r.post(
    '/api/v1/organizations/:id/leave',
    {
      schema: {
        tags: ['Organizations'],
        summary: 'Leave an organisation (its last owner cannot: 409). Answers the organisation now active',
        params: IdParams,
        response: { 200: NextActive },
      },
      preHandler: [authenticate],
    },
    async (request) =>
      service.leaveOrganization(request.userCtx!, request.params.id, request.activeOrgId ?? null),
  );

  r.patch(
    '/api/v1/organization',
    {
      schema: {
        tags: ['Organizations'],
        summary: 'Rename the active organisation',
        body: z.object({ name: OrgName }),
        response: { 200: z.object({ id: z.uuid(), name: z.string() }) },
      },
      preHandler: requirePermission('org:update'),
    },
    async (request) => service.renameOrganization(request.ctx!, request.body),
  );

  r.get(
    '/api/v1/members',
    {
      schema: {
        tags: ['Members'],
        summary: 'Members of the active organisation',
        response: { 200: z.object({ items: z.array(Member) }) },
      },
      preHandler: requirePermission('members:read'),
    },
    async (request) => ({ items: await service.listMembers(request.ctx!) }),
  );

  r.patch(
    '/api/v1/members/:id',
    {
      schema: {
        tags: ['Members'],
        summary: "Change a member's role",
        params: IdParams,
        body: z.object({ role: Role }),
        response: { 200: Member },
      },
      preHandler: requirePermission('members:update'),
    },
    async (request) => service.changeMemberRole(request.ctx!, request.params.id, request.body),
  );

  r.delete(
    '/api/v1/members/:id',
    {
      schema: { tags: ['Members'], summary: 'Remove a member (or leave, when it is you)', params: IdParams },
      preHandler: [authenticate, withOrganization],
    },
    async (request, reply) => {
      await service.removeMember(request.ctx!, request.params.id, request.userCtx!);
      return reply.status(204).send();
    },
  );

  r.get(
    '/api/v1/invitations',
    {
      schema: {
        tags: ['Members'],
        summary: 'Invitations of the active organisation',
        response: { 200: z.object({ items: z.array(Invitation) }) },
      },
      preHandler: requirePermission('members:read'),
    },
    async (request) => ({ items: await service.listInvitations(request.ctx!) }),
  );

  r.post(
    '/api/v1/invitations',
    {
      schema: {
        tags: ['Members'],
        summary: 'Invite someone by email (sends the invitation email)',
        body: z.object({
          email: z.string().trim().toLowerCase().max(254).pipe(z.email('must be a valid email address')),
          role: Role,
        }),
        response: { 201: Invitation },
      },
      preHandler: requirePermission('members:invite'),
    },
    async (request, reply) => reply.status(201).send(await service.inviteMember(request.ctx!, request.body)),
  );

  r.delete(
    '/api/v1/invitations/:id',
    {
      schema: { tags: ['Members'], summary: 'Revoke a pending invitation', params: IdParams },
      preHandler: requirePermission('members:invite'),
    },
    async (request, reply) => {
      await service.revokeInvitation(request.ctx!, request.params.id);
      return reply.status(204).send();
    },
  );

  r.get(
    '/api/v1/invitations/:id/details',
    {
      schema: {
        tags: ['Members'],
        summary: 'An invitation addressed to you (for the accept page)',
        params: IdParams,
        response: {
          200: z.object({
            id: z.uuid(),
            organizationName: z.string(),
            inviterName: z.string().nullable(),
            email: z.string(),
            role: Role,
            status: z.enum(['pending', 'accepted', 'canceled', 'expired']),
            expiresAt: z.date(),
          }),
        },
      },
      preHandler: [authenticate],
    },
    async (request) => service.getInvitationDetails(request.userCtx!, request.params.id),
  );

  r.post(
    '/api/v1/invitations/:id/accept',
    {
      schema: {
        tags: ['Members'],
        summary: 'Accept an invitation addressed to you (its organisation becomes active)',
        params: IdParams,
        response: { 200: z.object({ organizationId: z.uuid() }) },
      },
      preHandler: [authenticate],
    },
    async (request) => service.acceptInvitation(request.userCtx!, request.params.id),
  );

  const SecurityPolicy = z.object({
    requireTwoFactor: z.boolean(),
    membersWithoutTwoFactor: z.number().int(),
  });

  r.get(
    '/api/v1/organization/security',
    {
      schema: {
        tags: ['Organizations'],
        summary: "The active organisation's sign-in policy, and how many members have two-factor sign-in off",
        response: { 200: SecurityPolicy },
      },
      preHandler: requirePermission('org:read', { allowApiKey: false }),
    },
    async (request) => security.getSecurityPolicy(request.ctx!),
  );

  r.put(
    '/api/v1/organization/security',
    {
      schema: {
        tags: ['Organizations'],
        summary:
          'Owners: require two-factor sign-in for every member (members without it are sent to set it up; API keys are not affected)',
        body: z.object({ requireTwoFactor: z.boolean() }),
        response: { 200: SecurityPolicy },
      },
      preHandler: requirePermission('org:update', { allowApiKey: false }),
    },
    async (request) => security.updateSecurityPolicy(request.ctx!, request.body),
  );
}
