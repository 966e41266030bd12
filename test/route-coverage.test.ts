import { randomUUID } from 'node:crypto';
import type { RouteOptions } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { client, createOrg, signIn, uniqueEmail } from './helpers/factories.js';
import { multipartFile } from './helpers/multipart.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';
import { queueIdle, waitFor } from './helpers/wait.js';

/**
 * The access rules, checked route by route for every route the app registers (buildApp's
 * onRoute), so a new route is covered the moment it exists:
 *
 * - signed out: 401, unless the route is in PUBLIC below;
 * - a viewer on a route that writes (any method but GET): 403, unless in VIEWER_MAY below;
 * - a route that takes an id: organisation B (its owner's session, and its API key) gets for
 *   organisation A's id exactly the answer it gets for an id that does not exist — 404 for the
 *   owner, never 2xx, never a 403 that only A's ids get — and A's data stays as it was.
 *
 * A new route needs nothing here unless it is public, lets viewers write, takes a body (add a
 * valid sample to BODIES, so requests reach the access checks instead of stopping at 400), or
 * takes the id of a new kind of thing (add a fixture to KINDS).
 */

/** Routes anyone may call signed out, and why. A trailing * matches a prefix (except the catch-all `GET /*`). */
const PUBLIC: Record<string, string> = {
  'GET /api/health': 'health checks (load balancers, `moxora health`)',
  'GET /api/openapi.json': 'the API description',
  'GET /api/docs*': 'the API reference page (Swagger UI) and its files',
  'POST /api/auth/sign-up/email': 'signing up',
  'POST /api/auth/sign-up/invitation': 'signing up through an invitation link',
  'POST /api/auth/sign-in/email': 'signing in',
  'POST /api/auth/send-verification-email': 'a new verification link, before the first sign-in',
  'GET /api/auth/verify-email': 'the verification link in the mail',
  'POST /api/auth/request-password-reset': 'a forgotten password',
  'GET /api/auth/reset-password/:token': 'the reset link in the mail',
  'POST /api/auth/reset-password': 'setting the new password with the token from the mail',
  'GET /api/v1/invitations/:id/preview':
    'the invitation link itself, before signing up: the unguessable id is the credential',
  'POST /api/auth/sign-out': 'signing out without a session is a no-op',
  'POST /api/auth/two-factor/verify-totp':
    'the second sign-in step: the signed, single-use challenge cookie from the password step is the credential',
  'POST /api/auth/two-factor/verify-backup-code':
    'the second sign-in step with a recovery code: the challenge cookie from the password step is the credential',
  'GET /_dev/outbox*':
    'the local mail viewer: loopback callers only, without SMTP_URL, on a loopback HOST with no trusted proxy or DEV_OUTBOX=1, never in production',
  'GET /*': 'the web app (its pages sign in through the API): this catch-all route only, not a prefix',
  'GET /e/*':
    'email links (open pixel, click redirect, unsubscribe and preference pages): the signed token in the URL is the credential',
  'POST /e/*':
    'email links (RFC 8058 one-click unsubscribe, the preference page): the signed token in the URL is the credential',
  'POST /api/v1/webhooks/email/:provider':
    'email provider webhooks: the provider signs each request (401 without a valid signature, as for an unknown key)',
};

/** Routes other than GET that a viewer may call, and why. */
const VIEWER_MAY: Record<string, string> = {
  'PATCH /api/v1/me': "edits the caller's own profile",
  'POST /api/v1/organizations': 'creates a new organisation, owned by the caller',
  'POST /api/v1/organizations/active': "switches the caller's session to another of their organisations",
  'POST /api/v1/organizations/:id/leave': 'any member may leave',
  'POST /api/v1/invitations/:id/accept': 'acts for the invitee, whatever their role elsewhere',
  'POST /api/v1/contacts/search': 'a read whose filter comes as a body',
  'POST /api/v1/exports': 'exports what the caller may read (contacts:read)',
  'POST /api/auth/change-password': "the caller's own password",
  'POST /api/auth/revoke-sessions': "the caller's own sessions",
  'POST /api/auth/two-factor/enable': "the caller's own two-factor sign-in",
  'POST /api/auth/two-factor/disable': "the caller's own two-factor sign-in",
  'POST /api/auth/two-factor/generate-backup-codes': "the caller's own recovery codes",
  'DELETE /api/v1/account/sessions/:id': "the caller's own sessions (another user's id: 404)",
  'POST /api/v1/account/sessions/revoke-others': "the caller's own sessions",
  'POST /api/v1/templates/preview': 'renders unsaved template content (a read, campaigns:read)',
  'POST /api/v1/templates/:id/preview': 'renders a template (a read, campaigns:read)',
  'POST /api/v1/automations/:id/dry-run': 'simulates a run without side effects (a read, automations:read)',
  'POST /api/v1/notifications/:id/read': "marks the caller's own notification read",
  'POST /api/v1/notifications/read-all': "marks the caller's own notifications read",
};

/** Routes that take an id but are not scoped to an organisation, and why. */
const NOT_TENANT: Record<string, string> = {
  'GET /api/v1/invitations/:id/preview': 'public invitation link (see PUBLIC)',
  'GET /api/v1/invitations/:id/details':
    "the invitee's view of an invitation (see accept): another signed-in address gets 403 naming the mismatch",
  'POST /api/v1/invitations/:id/accept':
    "the invitation link's id is the credential (see preview): accepting as another address says so (403)",
};

interface Fixture {
  ids: Record<string, string>;
  otherContact: string;
  otherTag: string;
}

/**
 * A valid body per route, so requests pass validation and reach the access checks. `f` holds
 * the ids of the organisation under test; `caller`, the caller's own organisation and user (for
 * a body that names something of the caller's, like a new owner for a key).
 */
type Caller = { orgId: string; userId: string };
const BODIES: Record<string, (f: Fixture, caller: Caller) => unknown> = {
  'PATCH /api/v1/me': () => ({ name: 'Renamed' }),
  'POST /api/v1/organizations': () => ({ name: 'Another organisation' }),
  'POST /api/v1/organizations/active': (_f, caller) => ({ organizationId: caller.orgId }),
  'PATCH /api/v1/organization': () => ({ name: 'Renamed organisation' }),
  'PATCH /api/v1/members/:id': () => ({ role: 'viewer' }),
  'POST /api/v1/invitations': () => ({ email: uniqueEmail('invitee'), role: 'member' }),
  'POST /api/v1/imports/:id/format': () => ({ delimiter: ';' }),
  'POST /api/v1/imports/:id/start': () => ({ mapping: [] }),
  'POST /api/v1/exports': () => ({ kind: 'contacts_csv' }),
  'POST /api/v1/contacts': () => ({ firstName: 'New' }),
  'POST /api/v1/contacts/search': () => ({}),
  'POST /api/v1/contacts/bulk': (f) => ({ selection: { ids: [f.ids.contacts] }, action: { type: 'delete' } }),
  'PATCH /api/v1/contacts/:id': () => ({ firstName: 'Changed' }),
  'POST /api/v1/contacts/:id/merge': (f) => ({ otherId: f.otherContact }),
  'POST /api/v1/contacts/:id/notes': () => ({ body: 'A note' }),
  'POST /api/v1/companies': () => ({ name: 'New company' }),
  'PATCH /api/v1/companies/:id': () => ({ name: 'Changed company' }),
  'POST /api/v1/companies/:id/notes': () => ({ body: 'A note' }),
  'POST /api/v1/fields': () => ({ entity: 'contact', label: 'New field', type: 'text' }),
  'PATCH /api/v1/fields/:id': () => ({ label: 'Changed field' }),
  'POST /api/v1/tags': () => ({ name: 'new-tag' }),
  'PATCH /api/v1/tags/:id': () => ({ name: 'changed-tag' }),
  'POST /api/v1/tags/:id/merge': (f) => ({ intoId: f.otherTag }),
  'PATCH /api/v1/notes/:id': () => ({ body: 'Changed note' }),
  'POST /api/v1/segments': () => ({ name: 'New segment', filter: { and: [] } }),
  'PATCH /api/v1/segments/:id': () => ({ name: 'Changed segment' }),
  'POST /api/v1/api-keys': () => ({ name: 'New key', scope: 'read' }),
  'PATCH /api/v1/api-keys/:id': (_f, caller) => ({ ownerId: caller.userId }),
  'POST /api/v1/senders': () => ({ name: 'New sender', email: uniqueEmail('sender') }),
  'PATCH /api/v1/senders/:id': () => ({ name: 'Changed sender' }),
  'PUT /api/v1/sending': () => ({ postalAddress: '1 Main Street' }),
  'POST /api/v1/sending/smtp/verify': () => ({}),
  'POST /api/v1/suppressions': () => ({ email: uniqueEmail('suppressed') }),
  'DELETE /api/v1/suppressions/:id': () => ({ reason: 'Asked to be mailed again' }),
  'POST /api/auth/change-password': () => ({ currentPassword: 'password 123', newPassword: 'password 456' }),
  'POST /api/auth/revoke-sessions': () => ({}),
  'POST /api/auth/two-factor/enable': () => ({ password: 'password 123' }),
  'POST /api/auth/two-factor/disable': () => ({ password: 'password 123' }),
  'POST /api/auth/two-factor/generate-backup-codes': () => ({ password: 'password 123' }),
  'POST /api/auth/two-factor/verify-totp': () => ({ code: '123456' }),
  'POST /api/auth/two-factor/verify-backup-code': () => ({ code: 'abcde-fghij' }),
  'POST /api/v1/account/sessions/revoke-others': () => ({}),
  'PUT /api/v1/organization/security': () => ({ requireTwoFactor: false }),
  'PUT /api/v1/sending/webhooks/:provider': () => ({ secret: 'signing-key' }),
  'POST /api/v1/templates': () => ({
    name: `Template ${randomUUID()}`,
    subject: 'Hi',
    format: 'html',
    body: '<p>Hi</p>',
  }),
  'PATCH /api/v1/templates/:id': () => ({ name: 'Changed template' }),
  'POST /api/v1/templates/preview': () => ({ subject: 'Hi', format: 'html', body: '<p>Hi</p>' }),
  'POST /api/v1/templates/:id/preview': () => ({}),
  'POST /api/v1/templates/:id/test': () => ({}),
  'POST /api/v1/campaigns': () => ({ name: 'New campaign' }),
  'PATCH /api/v1/campaigns/:id': () => ({ name: 'Changed campaign' }),
  'POST /api/v1/campaigns/:id/send': () => ({}),
  'POST /api/v1/emails': () => ({ to: uniqueEmail('mailed'), subject: 'Hi', text: 'Hello' }),
  'POST /api/v1/automations': () => ({ name: 'New automation', definition: MANUAL_WORKFLOW }),
  'PATCH /api/v1/automations/:id': () => ({ name: 'Changed automation' }),
  'POST /api/v1/automations/:id/dry-run': (f) => ({ contactId: f.ids.contacts }),
  'POST /api/v1/automations/:id/enrol': (f) => ({ contactIds: [f.ids.contacts] }),
  'POST /api/v1/events': (f) => ({ contact: { id: f.ids.contacts }, name: 'signed_up' }),
};

/** A workflow that parks its runs in a long wait (so fixtures stay still while compared). */
const MANUAL_WORKFLOW = {
  nodes: [
    { id: 'start', type: 'trigger', trigger: { type: 'manual' } },
    { id: 'wait', type: 'wait', duration: { amount: 30, unit: 'days' } },
  ],
  edges: [{ from: 'start', to: 'wait' }],
};

/** Query strings some routes need to get past their own checks to the lookup. */
const QUERIES: Record<string, string> = {
  'DELETE /api/v1/fields/:id': '?confirm=true',
};

/** How to make one of each kind of thing a route's :id names (by the path segment before it). */
type Make = (s: TestServer, org: Awaited<ReturnType<typeof createOrg>>) => Promise<string>;
const KINDS: Record<string, Make> = {
  organizations: async (_s, org) => org.orgId,
  members: async (s, org) => {
    const items = (await client(s, org.owner).get('/api/v1/members')).json().items as Array<{
      id: string;
      userId: string;
    }>;
    return items.find((m) => m.userId === org.member!.userId)!.id;
  },
  invitations: async (s, org) =>
    created(await client(s, org.owner).post('/api/v1/invitations', { email: uniqueEmail(), role: 'member' })),
  contacts: async (s, org) =>
    created(
      await client(s, org.owner).post('/api/v1/contacts', {
        firstName: 'Secret',
        email: uniqueEmail('contact'),
      }),
    ),
  companies: async (s, org) =>
    created(await client(s, org.owner).post('/api/v1/companies', { name: `Company ${randomUUID()}` })),
  notes: async (s, org) => {
    const contact = await KINDS.contacts!(s, org);
    return created(await client(s, org.owner).post(`/api/v1/contacts/${contact}/notes`, { body: 'Secret' }));
  },
  fields: async (s, org) =>
    created(
      await client(s, org.owner).post('/api/v1/fields', {
        entity: 'contact',
        label: `Field ${randomUUID().slice(0, 8)}`,
        type: 'text',
      }),
    ),
  tags: async (s, org) =>
    created(await client(s, org.owner).post('/api/v1/tags', { name: `tag-${randomUUID().slice(0, 8)}` })),
  segments: async (s, org) =>
    created(await client(s, org.owner).post('/api/v1/segments', { name: 'Segment', filter: { and: [] } })),
  'api-keys': async (s, org) =>
    created(await client(s, org.owner).post('/api/v1/api-keys', { name: 'Key', scope: 'read' })),
  imports: async (s, org) => {
    const { payload, headers } = multipartFile('people.csv', 'email,first name\nann@x.test,Ann\n');
    return created(
      await s.app.inject({
        method: 'POST',
        url: '/api/v1/imports',
        payload,
        headers: { ...headers, cookie: org.owner.cookie, origin: s.origin },
      }),
    );
  },
  exports: async (s, org) => {
    const id = created(await client(s, org.owner).post('/api/v1/exports', { kind: 'contacts_csv' }));
    await waitFor(
      async () => {
        const { status } = (await client(s, org.owner).get(`/api/v1/exports/${id}`)).json();
        return status === 'done' || status === 'failed' ? status : undefined;
      },
      { what: `export ${id} to finish` },
    );
    return id;
  },
  templates: async (s, org) =>
    created(
      await client(s, org.owner).post('/api/v1/templates', {
        name: `Template ${randomUUID()}`,
        subject: 'Secret {{ contact.firstName }}',
        format: 'html',
        body: '<p>Secret</p>',
      }),
    ),
  senders: async (s, org) =>
    created(
      await client(s, org.owner).post('/api/v1/senders', { name: 'Sender', email: uniqueEmail('sender') }),
    ),
  suppressions: async (s, org) =>
    created(await client(s, org.owner).post('/api/v1/suppressions', { email: uniqueEmail('suppressed') })),
  campaigns: async (s, org) =>
    created(await client(s, org.owner).post('/api/v1/campaigns', { name: `Campaign ${randomUUID()}` })),
  emails: async (s, org) =>
    created(
      await client(s, org.owner).post('/api/v1/emails', {
        to: uniqueEmail('mailed'),
        subject: 'Secret',
        text: 'Hi',
      }),
    ),
  automations: async (s, org) => {
    const c = client(s, org.owner);
    const id = created(await c.post('/api/v1/automations', { name: 'Secret', definition: MANUAL_WORKFLOW }));
    created(await c.post(`/api/v1/automations/${id}/activate`));
    return id;
  },
  runs: async (s, org) => {
    const c = client(s, org.owner);
    const automation = await KINDS.automations!(s, org);
    const contact = await KINDS.contacts!(s, org);
    const enrol = await c.post(`/api/v1/automations/${automation}/enrol`, { contactIds: [contact] });
    if (enrol.json().enrolled !== 1) throw new Error(`fixture not created: ${enrol.body}`);
    return waitFor(
      async () => {
        const [run] = (await c.get(`/api/v1/automations/${automation}/runs`)).json().items;
        return run?.state === 'waiting' ? (run.id as string) : undefined;
      },
      { what: 'the fixture run to wait' },
    );
  },
  notifications: async (s, org) =>
    (
      await s.runtime.database.query<{ id: string }>(
        `insert into notifications (org_id, user_id, title) values ($1, $2, 'Secret') returning id`,
        [org.orgId, org.owner.userId],
      )
    ).rows[0]!.id,
  // A spare session of A's owner (sessions belong to a user, not an organisation: another user gets 404).
  sessions: async (s, org) => {
    await signIn(s, org.owner.email, org.owner.password);
    return (
      await s.runtime.database.query<{ id: string }>(
        'select id from sessions where user_id = $1 order by created_at desc limit 1',
        [org.owner.userId],
      )
    ).rows[0]!.id;
  },
  'bulk-operations': async (s, org) =>
    (
      await s.runtime.database.query<{ id: string }>(
        `insert into bulk_operations (org_id, action, selection, status) values ($1, '{}', '{}', 'done') returning id`,
        [org.orgId],
      )
    ).rows[0]!.id,
};

function created(res: { statusCode: number; body: string; json(): unknown }): string {
  if (res.statusCode >= 300) throw new Error(`fixture not created: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
}

interface Route {
  key: string; // "METHOD /path"
  method: string;
  url: string;
  takesBody: boolean;
  kind: string | undefined; // what :id names
}

function listRoutes(routes: RouteOptions[]): Route[] {
  const out = new Map<string, Route>();
  for (const r of routes) {
    for (const method of [r.method].flat()) {
      if (method === 'HEAD') continue; // Fastify's twin of each GET
      const key = `${method} ${r.url}`;
      const segments = r.url.split('/');
      const at = segments.indexOf(':id');
      out.set(key, {
        key,
        method,
        url: r.url,
        takesBody: Boolean((r.schema as { body?: unknown } | undefined)?.body),
        kind: at > 0 ? segments[at - 1] : undefined,
      });
    }
  }
  return [...out.values()].sort((a, b) => a.key.localeCompare(b.key));
}

const isPrefix = (k: string) => k.endsWith('*') && k !== 'GET /*';
const matches = (table: Record<string, string>, key: string) =>
  Object.keys(table).some((k) => (isPrefix(k) ? key.startsWith(k.slice(0, -1)) : k === key));

// The routes are read from a live app, so the file builds one while it is collected.
// With the dev outbox on (explicitly: it depends on HOST and TRUST_PROXY, lib/config.ts), so its routes are checked too.
const server = databaseMissing ? undefined : await createTestServer({ devOutbox: true });
const ROUTES = server ? listRoutes(server.routes) : [];
const PROTECTED = ROUTES.filter((r) => !matches(PUBLIC, r.key));
const VIEWER_REFUSED = PROTECTED.filter((r) => r.method !== 'GET' && !matches(VIEWER_MAY, r.key));
const WITH_ID = PROTECTED.filter((r) => r.kind && !matches(NOT_TENANT, r.key));

afterAll(async () => {
  await server?.close();
});

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('access rules of every route', () => {
  const s = server!;
  let a: Awaited<ReturnType<typeof createOrg>>;
  let fixture: Fixture;
  let keyB: string;
  let b: Awaited<ReturnType<typeof createOrg>>;
  let orgTables: string[];

  async function setUp() {
    if (fixture) return;
    a = await createOrg(s, ['admin', 'member', 'viewer']);
    b = await createOrg(s);
    const ids: Record<string, string> = {};
    for (const [kind, make] of Object.entries(KINDS)) ids[kind] = await make(s, a);
    fixture = {
      ids,
      otherContact: await KINDS.contacts!(s, a),
      otherTag: await KINDS.tags!(s, a),
    };
    keyB = (await client(s, b.owner).post('/api/v1/api-keys', { name: 'B key', scope: 'read_write' })).json()
      .key;
    orgTables = (
      await s.runtime.database.query<{ table_name: string }>(
        `select table_name from information_schema.columns
          where column_name = 'org_id' and table_schema = 'public' order by table_name`,
      )
    ).rows.map((r) => r.table_name);
    // Jobs the fixtures started (exports, timeline work …) finish before anything is compared.
    await queueIdle(s);
  }

  /** Everything organisation A holds: every row of every table with an org_id, and the organisation. */
  async function snapshotA() {
    const out: Record<string, unknown> = {};
    for (const table of orgTables) {
      out[table] = (
        await s.runtime.database.query<{ rows: unknown }>(
          `select coalesce(json_agg(t order by t::text), '[]') as rows from "${table}" t where org_id = $1`,
          [a.orgId],
        )
      ).rows[0]!.rows;
    }
    out.organization = (
      await s.runtime.database.query('select * from organizations where id = $1', [a.orgId])
    ).rows;
    return out;
  }

  type Credentials = { cookie: string } | { key: string } | null;
  function call(route: Route, credentials: Credentials, caller: Caller, id: string) {
    const body = BODIES[route.key]?.(fixture, caller);
    const headers: Record<string, string> = { origin: s.origin };
    if (credentials && 'cookie' in credentials) headers.cookie = credentials.cookie;
    if (credentials && 'key' in credentials) headers.authorization = `Bearer ${credentials.key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return s.app.inject({
      method: route.method as 'GET',
      url: route.url.replace(':id', id) + (QUERIES[route.key] ?? ''),
      headers,
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  it('knows how to call every route: a sample body for each that takes one, a fixture for each kind of id', () => {
    const noBody = PROTECTED.filter((r) => r.takesBody && !BODIES[r.key]).map((r) => r.key);
    expect(noBody, 'add a valid sample body to BODIES in test/route-coverage.test.ts').toEqual([]);
    const noKind = WITH_ID.filter((r) => !KINDS[r.kind!]).map((r) => `${r.key} (${r.kind})`);
    expect(noKind, 'add a fixture for this kind of id to KINDS in test/route-coverage.test.ts').toEqual([]);
  });

  it('has no allowlist entry for a route that no longer exists', () => {
    const keys = ROUTES.map((r) => r.key);
    const stale = [PUBLIC, VIEWER_MAY, NOT_TENANT, BODIES, QUERIES]
      .flatMap((t) => Object.keys(t))
      // The web app's catch-all exists only when the UI is built (dist/web).
      .filter((k) => k !== 'GET /*')
      .filter((k) => !keys.some((key) => (isPrefix(k) ? key.startsWith(k.slice(0, -1)) : k === key)));
    expect(stale).toEqual([]);
  });

  it.each(PROTECTED.map((r) => [r.key, r] as const))(
    '%s: answers 401 to a signed-out caller',
    async (_k, route) => {
      await setUp();
      const res = await call(route, null, { orgId: randomUUID(), userId: randomUUID() }, randomUUID());
      expect(res.statusCode, res.body).toBe(401);
      // better-auth's own 401s (/api/auth/*) carry its code, UNAUTHORIZED.
      if (route.url.startsWith('/api/v1/')) expect(res.json().error.code).toBe('UNAUTHENTICATED');
    },
  );

  it.each(VIEWER_REFUSED.map((r) => [r.key, r] as const))(
    '%s: answers 403 to a viewer of the organisation, and changes nothing',
    async (_k, route) => {
      await setUp();
      const before = await snapshotA();
      const viewer = { orgId: a.orgId, userId: a.viewer!.userId };
      const res = await call(route, a.viewer!, viewer, route.kind ? fixture.ids[route.kind]! : randomUUID());
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json().error.code).toBe('FORBIDDEN');
      expect(await snapshotA()).toEqual(before);
    },
  );

  it.each(WITH_ID.map((r) => [r.key, r] as const))(
    "%s: another organisation's owner and API key get 404 for its id, as for an id that does not exist, and it stays unchanged",
    async (_k, route) => {
      await setUp();
      const before = await snapshotA();
      const idOfA = fixture.ids[route.kind!]!;
      // The owner of B may do anything in B: the only thing between it and A's data is the tenant scope.
      const ofB = { orgId: b.orgId, userId: b.owner.userId };
      const owner = await call(route, b.owner, ofB, idOfA);
      expect(owner.statusCode, owner.body).toBe(404);
      expect(owner.json().error.code).toBe('NOT_FOUND');
      // B's API key: the same answer as for an id nobody has (a route that refuses API keys or the
      // key's role says 403 to every id alike, which tells nothing about A).
      const key = await call(route, { key: keyB }, ofB, idOfA);
      const nobody = await call(route, { key: keyB }, ofB, randomUUID());
      expect(key.statusCode, key.body).toBe(nobody.statusCode);
      expect([403, 404], key.body).toContain(key.statusCode);
      expect(await snapshotA()).toEqual(before);
    },
  );
});
