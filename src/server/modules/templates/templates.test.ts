import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createOrg, uniqueEmail } from '../../../../test/helpers/factories.js';
import { mailsTo, waitForMail } from '../../../../test/helpers/outbox.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { systemCtx } from '../../lib/context.js';
import { AppError } from '../../lib/errors.js';
import { sendTest } from './templates.service.js';

describe.skipIf(databaseMissing)('templates', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const sample = (over: Record<string, unknown> = {}) => ({
    name: `Welcome ${randomUUID().slice(0, 8)}`,
    subject: 'Welcome, {{ contact.firstName | default: "friend" }}',
    format: 'html',
    body: '<h1>Hi {{ contact.firstName | default: "there" }}</h1><p>{{ company.name }} · {{ organization.name }}</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
    ...over,
  });

  async function contactIn(orgId: string, firstName: string, extra: Record<string, unknown> = {}) {
    const { rows } = await server.runtime.database.query<{ id: string }>(
      `insert into contacts (org_id, first_name, last_name, email, custom) values ($1, $2, 'Tester', $3, $4) returning id`,
      [orgId, firstName, uniqueEmail('c'), JSON.stringify(extra)],
    );
    return rows[0]!.id;
  }

  it('creates, lists, reads, changes and deletes templates, validating merge fields', async () => {
    const { owner, member, viewer } = await createOrg(server, ['member', 'viewer']);
    const c = client(server, member!);

    const first = await c.post('/api/v1/templates', sample({ name: 'First' }));
    expect(first.statusCode, first.body).toBe(201);
    const a = first.json();
    expect(a).toMatchObject({ name: 'First', format: 'html', text: null });
    const b = (
      await c.post('/api/v1/templates', sample({ name: 'Second', text: 'Hi {{ contact.lastName }}' }))
    ).json();
    expect(b.text).toBe('Hi {{ contact.lastName }}');

    // Newest first; viewers may read.
    const list = (await client(server, viewer!).get('/api/v1/templates')).json().items;
    expect(list.map((t: { name: string }) => t.name)).toEqual(['Second', 'First']);
    expect((await client(server, viewer!).get(`/api/v1/templates/${a.id}`)).json()).toMatchObject({
      id: a.id,
      body: a.body,
    });

    // An unknown merge field is refused, naming it, on create and on change; nothing changes.
    const unknown = await c.post(
      '/api/v1/templates',
      sample({ body: '<p>{{ contact.favouriteColour }}</p>' }),
    );
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'Unknown merge field "contact.favouriteColour"',
    });
    const badPatch = await c.patch(`/api/v1/templates/${a.id}`, { subject: 'Hi {{ contact.nickname }}' });
    expect(badPatch.statusCode).toBe(400);
    expect(badPatch.json().error.message).toContain('"contact.nickname"');
    const syntax = await c.patch(`/api/v1/templates/${a.id}`, { body: '<p>{% if %}</p>' });
    expect(syntax.statusCode).toBe(400);
    expect((await c.get(`/api/v1/templates/${a.id}`)).json().subject).toBe(a.subject);

    // Custom fields of the organisation are merge fields once they exist.
    const custom = sample({ body: '<p>{{ contact.custom.plan }}</p>' });
    expect((await c.post('/api/v1/templates', custom)).statusCode).toBe(400);
    const field = await client(server, owner).post('/api/v1/fields', {
      entity: 'contact',
      label: 'Plan',
      type: 'text',
    });
    expect(field.json().key).toBe('plan');
    expect((await c.post('/api/v1/templates', custom)).statusCode).toBe(201);

    // Duplicate names (case-insensitive) conflict.
    const dup = await c.post('/api/v1/templates', sample({ name: 'first' }));
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('CONFLICT');
    expect((await c.patch(`/api/v1/templates/${b.id}`, { name: 'FIRST' })).statusCode).toBe(409);

    // Changes: format switch to MJML, text cleared (generated again).
    const mjml =
      '<mjml><mj-body><mj-section><mj-column><mj-text>Hey {{ contact.firstName }}</mj-text></mj-column></mj-section></mj-body></mjml>';
    const changed = await c.patch(`/api/v1/templates/${b.id}`, { format: 'mjml', body: mjml, text: '' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ format: 'mjml', body: mjml, text: null, name: 'Second' });
    const badMjml = await c.patch(`/api/v1/templates/${b.id}`, {
      body: '<mjml><mj-body><mj-nope/></mj-body></mjml>',
    });
    expect(badMjml.statusCode).toBe(400);
    expect(badMjml.json().error.message).toMatch(/MJML error/);

    // Viewers may not write.
    const v = client(server, viewer!);
    expect((await v.post('/api/v1/templates', sample())).statusCode).toBe(403);
    expect((await v.patch(`/api/v1/templates/${a.id}`, { name: 'Mine' })).statusCode).toBe(403);
    expect((await v.delete(`/api/v1/templates/${a.id}`)).statusCode).toBe(403);
    expect((await v.post(`/api/v1/templates/${a.id}/test`, {})).statusCode).toBe(403);

    expect((await c.delete(`/api/v1/templates/${a.id}`)).statusCode).toBe(204);
    expect((await c.get(`/api/v1/templates/${a.id}`)).statusCode).toBe(404);
    expect((await c.delete(`/api/v1/templates/${a.id}`)).statusCode).toBe(404);
  });

  it("previews a template for one of the organisation's contacts or sample data, never another organisation's", async () => {
    const { orgId, owner, viewer } = await createOrg(server, ['viewer']);
    const c = client(server, owner);
    await client(server, owner).post('/api/v1/fields', { entity: 'contact', label: 'Plan', type: 'text' });
    const t = (
      await c.post(
        '/api/v1/templates',
        sample({ body: `${sample().body}<p>Plan: {{ contact.custom.plan }}</p>` }),
      )
    ).json();
    const { rows } = await server.runtime.database.query<{ id: string }>(
      `insert into companies (org_id, name) values ($1, 'Engines Ltd') returning id`,
      [orgId],
    );
    const ada = await contactIn(orgId, '<b>Ada</b>', { plan: 'Gold' });
    await server.runtime.database.query('update contacts set company_id = $1 where id = $2', [
      rows[0]!.id,
      ada,
    ]);

    // Viewers may preview (a read).
    const res = await client(server, viewer!).post(`/api/v1/templates/${t.id}/preview`, { contactId: ada });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json();
    expect(out.subject).toBe('Welcome, <b>Ada</b>');
    expect(out.html).toContain('Hi &lt;b&gt;Ada&lt;/b&gt;');
    expect(out.html).toContain('Engines Ltd');
    expect(out.html).toContain('Plan: Gold');
    expect(out.html).toContain('href="#unsubscribe-preview"');
    expect(out.text).toContain('Hi <b>Ada</b>');

    // Without a contact: sample data.
    const sampleOut = (await c.post(`/api/v1/templates/${t.id}/preview`, {})).json();
    expect(sampleOut.subject).toBe('Welcome, Alex');
    expect(sampleOut.html).toContain('Plan: [plan]');

    // Unsaved content, with validation errors as 400.
    const live = await c.post('/api/v1/templates/preview', {
      subject: 'Hi {{ contact.firstName }}',
      format: 'html',
      body: '<p>{{ contact.lastName }}</p>',
      contactId: ada,
    });
    expect(live.statusCode, live.body).toBe(200);
    expect(live.json()).toMatchObject({ subject: 'Hi <b>Ada</b>', text: 'Tester' });
    const liveBad = await c.post('/api/v1/templates/preview', {
      subject: 'x',
      format: 'html',
      body: '<p>{{ contact.shoeSize }}</p>',
    });
    expect(liveBad.statusCode).toBe(400);
    expect(liveBad.json().error.details.issues).toEqual([
      { path: ['body'], message: 'Unknown merge field "contact.shoeSize" (line 1)' },
    ]);

    // Another organisation's contact: 404, on both previews, and for a contact id nobody has.
    const other = await createOrg(server);
    const theirs = await contactIn(other.orgId, 'Mallory');
    const cross = await c.post(`/api/v1/templates/${t.id}/preview`, { contactId: theirs });
    expect(cross.statusCode).toBe(404);
    expect(cross.json().error.code).toBe('NOT_FOUND');
    expect(cross.body).not.toContain('Mallory');
    expect(
      (
        await c.post('/api/v1/templates/preview', {
          subject: 'x',
          format: 'html',
          body: 'x',
          contactId: theirs,
        })
      ).statusCode,
    ).toBe(404);
    expect((await c.post(`/api/v1/templates/${t.id}/preview`, { contactId: randomUUID() })).statusCode).toBe(
      404,
    );
  });

  it('answers 404 to another organisation on every template id route, and changes nothing', async () => {
    const a = await createOrg(server);
    const b = await createOrg(server);
    const t = (await client(server, a.owner).post('/api/v1/templates', sample())).json();
    const cb = client(server, b.owner);
    const calls = [
      cb.get(`/api/v1/templates/${t.id}`),
      cb.patch(`/api/v1/templates/${t.id}`, { name: 'Stolen' }),
      cb.post(`/api/v1/templates/${t.id}/preview`, {}),
      cb.post(`/api/v1/templates/${t.id}/test`, {}),
      cb.delete(`/api/v1/templates/${t.id}`),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
    expect((await cb.get('/api/v1/templates')).json().items).toEqual([]);
    expect((await client(server, a.owner).get(`/api/v1/templates/${t.id}`)).json()).toEqual(t);
    expect((await mailsTo(server, b.owner.email)).filter((m) => m.subject.startsWith('[Test]'))).toEqual([]);
  });

  it("sends a test to the signed-in user's own address, rendered for a contact or sample data", async () => {
    const { orgId, owner, member } = await createOrg(server, ['member']);
    const t = (await client(server, owner).post('/api/v1/templates', sample())).json();
    const ada = await contactIn(orgId, 'Ada');

    const res = await client(server, member!).post(`/api/v1/templates/${t.id}/test`, { contactId: ada });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ sentTo: member!.email });
    const mail = await waitForMail(server, member!.email, /^\[Test\] Welcome, Ada$/);
    expect(mail.html).toContain('Hi Ada');
    expect(mail.html).toContain('#unsubscribe-preview');
    expect(mail.text).toContain('Hi Ada');
    // To the caller only.
    expect((await mailsTo(server, owner.email)).filter((m) => m.subject.startsWith('[Test]'))).toEqual([]);

    // Sample data without a contact.
    await client(server, owner).post(`/api/v1/templates/${t.id}/test`, {});
    await waitForMail(server, owner.email, /^\[Test\] Welcome, Alex$/);

    // Another organisation's contact is not a recipient's data here.
    const other = await createOrg(server);
    const theirs = await contactIn(other.orgId, 'Mallory');
    expect(
      (await client(server, owner).post(`/api/v1/templates/${t.id}/test`, { contactId: theirs })).statusCode,
    ).toBe(404);

    // An API key sends to the member it belongs to.
    const key = (
      await client(server, owner).post('/api/v1/api-keys', { name: 'Key', scope: 'read_write' })
    ).json();
    const withKey = () =>
      server.app.inject({
        method: 'POST',
        url: `/api/v1/templates/${t.id}/test`,
        headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
        payload: '{}',
      });
    const byKey = await withKey();
    expect(byKey.statusCode, byKey.body).toBe(200);
    expect(byKey.json()).toEqual({ sentTo: owner.email });
    // A caller that is no user (API keys always belong to a member; the system, a job) is refused.
    const err = await sendTest(systemCtx(server.runtime.deps, orgId), t.id, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(400);
    expect((err as AppError).message).toMatch(/your own address/);
  });
});
