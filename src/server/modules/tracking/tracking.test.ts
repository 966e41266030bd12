import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { signToken, trackingUrls } from '../../lib/tokens.js';
import { PIXEL_GIF, trackingBufferOf } from './tracking.routes.js';

const CHROME =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const PERSON = { 'user-agent': CHROME };

describe.skipIf(databaseMissing)('tracking and unsubscribe endpoints', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const q = <R = Record<string, unknown>>(text: string, values?: unknown[]) =>
    server.runtime.database.query<R>(text, values).then((r) => r.rows);
  const path = (url: string) => new URL(url).pathname;
  const keys = () => server.runtime.keys;
  const flush = () => trackingBufferOf(server.app)!.flush();

  /** An organisation, a subscribed contact and one message sent to it `sentAgoMs` ago. */
  async function sent(opts: { orgName?: string; sentAgoMs?: number; email?: string } = {}) {
    const [org] = await q<{ id: string }>('insert into organizations (name) values ($1) returning id', [
      opts.orgName ?? 'Acme Tools',
    ]);
    const email = opts.email ?? `jane.${randomUUID().slice(0, 8)}@example.com`;
    const [contact] = await q<{ id: string }>(
      `insert into contacts (org_id, first_name, email, subscription_status, consent_source)
       values ($1, 'Jane', $2, 'subscribed', 'signup form') returning id`,
      [org!.id, email],
    );
    const [send] = await q<{ id: string }>(
      `insert into email_sends (org_id, contact_id, kind, email, state, message_id, sent_at)
       values ($1, $2, 'transactional', $3, 'sent', $4, now() - make_interval(secs => $5::float8 / 1000))
       returning id`,
      [org!.id, contact!.id, email, `<${randomUUID()}@localhost>`, opts.sentAgoMs ?? 3_600_000],
    );
    return { orgId: org!.id, contactId: contact!.id, sendId: send!.id, email };
  }

  async function link(orgId: string, url: string) {
    const [row] = await q<{ id: number }>(
      'insert into email_links (org_id, url) values ($1, $2) returning id',
      [orgId, url],
    );
    return Number(row!.id);
  }

  const eventsOf = (sendId: string) =>
    q<{
      type: string;
      machine: boolean;
      link_id: string | null;
      source: string;
      detail: Record<string, unknown>;
    }>('select type, machine, link_id, source, detail from email_events where send_id = $1 order by id', [
      sendId,
    ]);
  const ledger = (sendId: string) =>
    q<{
      opened_at: Date | null;
      machine_opened_at: Date | null;
      clicked_at: Date | null;
      machine_clicked_at: Date | null;
      unsubscribed_at: Date | null;
    }>('select * from email_sends where id = $1', [sendId]).then((r) => r[0]!);
  const contactOf = (contactId: string) =>
    q<{ subscription_status: string; consent_source: string | null }>(
      'select subscription_status, consent_source from contacts where id = $1',
      [contactId],
    ).then((r) => r[0]!);
  const timeline = (contactId: string, type: string) =>
    q<{ data: Record<string, unknown> }>(
      'select data from contact_events where contact_id = $1 and type = $2 order by id',
      [contactId, type],
    );

  const get = (url: string, headers: Record<string, string> = PERSON, remoteAddress = '203.0.113.10') =>
    server.app.inject({ method: 'GET', url, headers, remoteAddress });
  const click = (url: string, opts: { method?: 'GET' | 'HEAD'; headers?: Record<string, string> } = {}) =>
    server.app.inject({
      method: opts.method ?? 'GET',
      url,
      headers: opts.headers ?? PERSON,
      remoteAddress: '203.0.113.10',
    });
  const postForm = (url: string, body: string) =>
    server.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...PERSON },
      payload: body,
    });

  describe('open pixel', () => {
    it('answers the transparent GIF at once and records a human open (ledger opened_at) after the flush', async () => {
      const s = await sent();
      const res = await get(path(trackingUrls.open(server.baseUrl, keys(), s.sendId)));
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/gif');
      expect(res.headers['cache-control']).toBe('no-store, private');
      expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(res.rawPayload.equals(PIXEL_GIF)).toBe(true);
      expect(res.rawPayload).toHaveLength(43);
      await flush();
      expect(await eventsOf(s.sendId)).toEqual([
        { type: 'opened', machine: false, link_id: null, source: 'tracking', detail: {} },
      ]);
      const row = await ledger(s.sendId);
      expect(row.opened_at).toBeInstanceOf(Date);
      expect(row.machine_opened_at).toBeNull();
      expect(await timeline(s.contactId, 'email.opened')).toHaveLength(1);
    });

    it('records an Apple Mail Privacy Protection open as a machine open (machine_opened_at, not opened_at)', async () => {
      const s = await sent();
      const url = path(trackingUrls.open(server.baseUrl, keys(), s.sendId));
      expect((await get(url, { 'user-agent': 'Mozilla/5.0' }, '17.58.63.12')).statusCode).toBe(200);
      expect((await get(url, { 'user-agent': 'Mozilla/5.0' }, '203.0.113.99')).statusCode).toBe(200);
      await flush();
      const events = await eventsOf(s.sendId);
      expect(events.map((e) => [e.machine, e.detail.machineReason])).toEqual([
        [true, 'apple_privacy_proxy'],
        [true, 'generic_user_agent'],
      ]);
      const row = await ledger(s.sendId);
      expect(row.machine_opened_at).toBeInstanceOf(Date);
      expect(row.opened_at).toBeNull();
    });

    it('answers 404 to a tampered, truncated or foreign token and records nothing', async () => {
      const s = await sent();
      const good = path(trackingUrls.open(server.baseUrl, keys(), s.sendId));
      const token = good.slice('/e/o/'.length, -'.gif'.length);
      const tampered = `/e/o/${flipLastChar(token)}.gif`;
      expect((await get(tampered)).statusCode).toBe(404);
      expect((await get(`/e/o/${token}.png`)).statusCode).toBe(404);
      expect((await get(`/e/o/${token.slice(0, -1)}.gif`)).statusCode).toBe(404);
      // A token signed for another purpose (the unsubscribe link's) is not an open token.
      expect((await get(`/e/o/${signToken(keys(), 'unsubscribe', s.sendId)}.gif`)).statusCode).toBe(404);
      await flush();
      expect(await eventsOf(s.sendId)).toEqual([]);
    });

    it('writes every buffered open on a graceful stop (500 hits, then app.close())', async () => {
      const other = await createTestServer();
      let closed = false;
      try {
        const [org] = (
          await other.runtime.database.query<{ id: string }>(
            "insert into organizations (name) values ('Stop Co') returning id",
          )
        ).rows;
        const [send] = (
          await other.runtime.database.query<{ id: string }>(
            `insert into email_sends (org_id, kind, email, state, message_id, sent_at)
             values ($1, 'transactional', 'stop@example.com', 'sent', $2, now() - interval '1 hour') returning id`,
            [org!.id, `<${randomUUID()}@localhost>`],
          )
        ).rows;
        const url = path(trackingUrls.open(other.baseUrl, other.runtime.keys, send!.id));
        const hits = await Promise.all(
          Array.from({ length: 500 }, () =>
            other.app.inject({ method: 'GET', url, headers: PERSON, remoteAddress: '203.0.113.20' }),
          ),
        );
        expect(hits.every((h) => h.statusCode === 200)).toBe(true);
        await other.app.close(); // no explicit flush: the close must write them
        closed = true;
        const { rows } = await other.runtime.database.query<{ n: number }>(
          "select count(*)::int as n from email_events where send_id = $1 and type = 'opened'",
          [send!.id],
        );
        expect(rows[0]!.n).toBe(500);
        const ledgerRow = await other.runtime.database.query<{ opens: number }>(
          'select opens from email_sends where id = $1',
          [send!.id],
        );
        expect(ledgerRow.rows[0]!.opens).toBe(500);
      } finally {
        if (!closed) await other.app.close();
        await other.close();
      }
    });
  });

  describe('click', () => {
    it('redirects (302) to the stored URL and records a human click an hour after sending', async () => {
      const s = await sent();
      const linkId = await link(s.orgId, 'https://example.com/pricing?utm_source=newsletter');
      const res = await click(path(trackingUrls.click(server.baseUrl, keys(), s.sendId, linkId)));
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('https://example.com/pricing?utm_source=newsletter');
      expect(res.headers['cache-control']).toBe('no-store, private');
      await flush();
      const events = await eventsOf(s.sendId);
      expect(events).toMatchObject([{ type: 'clicked', machine: false, link_id: String(linkId) }]);
      const row = await ledger(s.sendId);
      expect(row.clicked_at).toBeInstanceOf(Date);
      expect(row.machine_clicked_at).toBeNull();
      const [l] = await q<{ clicks: number; human_clicks: number }>(
        'select clicks, human_clicks from email_links where id = $1',
        [linkId],
      );
      expect(l).toEqual({ clicks: 1, human_clicks: 1 });
      const [entry] = await timeline(s.contactId, 'email.clicked');
      expect(entry?.data).toMatchObject({
        sendId: s.sendId,
        url: 'https://example.com/pricing?utm_source=newsletter',
      });
    });

    it('answers 404 without a redirect to a tampered token, and records nothing', async () => {
      const s = await sent();
      const linkId = await link(s.orgId, 'https://example.com/a');
      const good = path(trackingUrls.click(server.baseUrl, keys(), s.sendId, linkId));
      const res = await click(`/e/c/${flipLastChar(good.slice('/e/c/'.length))}`);
      expect(res.statusCode).toBe(404);
      expect(res.headers.location).toBeUndefined();
      expect(res.headers['content-type']).toContain('text/html');
      // Another link id under the same MAC is tampering too.
      const token = good.slice('/e/c/'.length);
      const [body, mac] = token.split('.');
      const otherLink = `${body!.split('-')[0]}-${(linkId + 1).toString(36)}.${mac}`;
      expect((await click(`/e/c/${otherLink}`)).statusCode).toBe(404);
      // An open token is not a click token.
      expect((await click(`/e/c/${signToken(keys(), 'open', s.sendId)}`)).statusCode).toBe(404);
      await flush();
      expect(await eventsOf(s.sendId)).toEqual([]);
    });

    it('answers 404 to a valid token naming a link that does not exist', async () => {
      const s = await sent();
      const res = await click(path(trackingUrls.click(server.baseUrl, keys(), s.sendId, 987_654_321)));
      expect(res.statusCode).toBe(404);
      expect(res.headers.location).toBeUndefined();
      await flush();
      expect(await eventsOf(s.sendId)).toEqual([]);
    });

    it("never counts a click of organisation A's message on organisation B's link, nor touches B's message", async () => {
      const a = await sent({ orgName: 'Org A' });
      const b = await sent({ orgName: 'Org B' });
      const linkOfB = await link(b.orgId, 'https://example.com/b-only');
      // A pair we would never sign (rendering only pairs a message with its own links).
      const res = await click(`/e/c/${signToken(keys(), 'click', a.sendId, linkOfB)}`);
      expect(res.statusCode).toBe(302);
      await flush();
      expect(await eventsOf(a.sendId)).toEqual([]);
      expect(await eventsOf(b.sendId)).toEqual([]);
      const [l] = await q<{ clicks: number }>('select clicks from email_links where id = $1', [linkOfB]);
      expect(l!.clicks).toBe(0);
      // B's unsubscribe and preference tokens act on B's message only; A's stay A's.
      expect(
        (await postForm(path(trackingUrls.unsubscribe(server.baseUrl, keys(), a.sendId)), '')).statusCode,
      ).toBe(200);
      expect((await contactOf(a.contactId)).subscription_status).toBe('unsubscribed');
      expect((await contactOf(b.contactId)).subscription_status).toBe('subscribed');
      expect((await get(path(trackingUrls.preferences(server.baseUrl, keys(), b.sendId)))).body).toContain(
        'Org B',
      );
    });

    it('never redirects to a stored URL that is not http(s)', async () => {
      const s = await sent();
      const linkId = await link(s.orgId, 'javascript:alert(1)');
      const res = await click(path(trackingUrls.click(server.baseUrl, keys(), s.sendId, linkId)));
      expect(res.statusCode).toBe(404);
      expect(res.headers.location).toBeUndefined();
    });

    it('answers a HEAD request but records it as a machine click', async () => {
      const s = await sent();
      const linkId = await link(s.orgId, 'https://example.com/head');
      const res = await click(path(trackingUrls.click(server.baseUrl, keys(), s.sendId, linkId)), {
        method: 'HEAD',
      });
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('https://example.com/head');
      await flush();
      expect(await eventsOf(s.sendId)).toMatchObject([
        { type: 'clicked', machine: true, detail: { machineReason: 'head_request' } },
      ]);
      const row = await ledger(s.sendId);
      expect(row.machine_clicked_at).toBeInstanceOf(Date);
      expect(row.clicked_at).toBeNull();
    });

    it('records a scanner agent click as machine', async () => {
      const s = await sent();
      const linkId = await link(s.orgId, 'https://example.com/scan');
      const url = path(trackingUrls.click(server.baseUrl, keys(), s.sendId, linkId));
      expect((await click(url, { headers: { 'user-agent': 'python-requests/2.32.3' } })).statusCode).toBe(
        302,
      );
      await flush();
      expect(await eventsOf(s.sendId)).toMatchObject([
        { machine: true, detail: { machineReason: 'scanner_agent' } },
      ]);
    });

    it('takes a click within 10 seconds of sending for a machine (a gateway scanning on arrival)', async () => {
      const s = await sent({ sentAgoMs: 1_000 });
      const linkId = await link(s.orgId, 'https://example.com/early');
      const res = await click(path(trackingUrls.click(server.baseUrl, keys(), s.sendId, linkId)));
      expect(res.statusCode).toBe(302);
      await flush();
      expect(await eventsOf(s.sendId)).toMatchObject([
        { type: 'clicked', machine: true, detail: { machineReason: 'early_click' } },
      ]);
      expect((await ledger(s.sendId)).clicked_at).toBeNull();
    });

    it('takes 3 distinct links of one message clicked at once for machines, all of them; 2 links stay human', async () => {
      const s = await sent();
      const ids = [
        await link(s.orgId, 'https://example.com/1'),
        await link(s.orgId, 'https://example.com/2'),
        await link(s.orgId, 'https://example.com/3'),
      ];
      for (const id of ids) {
        expect((await click(path(trackingUrls.click(server.baseUrl, keys(), s.sendId, id)))).statusCode).toBe(
          302,
        );
      }
      const two = await sent();
      for (const id of [
        await link(two.orgId, 'https://example.com/x'),
        await link(two.orgId, 'https://example.com/y'),
      ]) {
        expect(
          (await click(path(trackingUrls.click(server.baseUrl, keys(), two.sendId, id)))).statusCode,
        ).toBe(302);
      }
      await flush();
      const burst = await eventsOf(s.sendId);
      expect(burst).toHaveLength(3);
      expect(burst.every((e) => e.machine && e.detail.machineReason === 'link_burst')).toBe(true);
      expect((await ledger(s.sendId)).clicked_at).toBeNull();
      const human = await eventsOf(two.sendId);
      expect(human.map((e) => e.machine)).toEqual([false, false]);
    });
  });

  describe('unsubscribe', () => {
    it('GET shows a page with a button and never unsubscribes; the RFC 8058 one-click POST does, durably, once', async () => {
      const s = await sent({ orgName: 'Acme Tools' });
      const url = path(trackingUrls.unsubscribe(server.baseUrl, keys(), s.sendId));
      const page = await get(url);
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('Unsubscribe from Acme Tools?');
      expect(page.body).toMatch(/<form method="post">/);
      expect(page.body).not.toContain(s.email);
      // Link scanners fetch the page (GET and HEAD): nothing changes.
      await server.app.inject({ method: 'HEAD', url });
      expect((await contactOf(s.contactId)).subscription_status).toBe('subscribed');

      const res = await postForm(url, 'List-Unsubscribe=One-Click');
      expect(res.statusCode).toBe(200);
      expect(res.headers.location).toBeUndefined();
      expect(res.headers['content-type']).toContain('text/plain');
      // Applied before the answer: no flush needed.
      expect((await contactOf(s.contactId)).subscription_status).toBe('unsubscribed');
      expect((await ledger(s.sendId)).unsubscribed_at).toBeInstanceOf(Date);
      expect(await timeline(s.contactId, 'email.unsubscribed')).toHaveLength(1);
      expect(await eventsOf(s.sendId)).toMatchObject([{ type: 'unsubscribed', source: 'tracking' }]);

      // Idempotent: a second one-click changes and records nothing more.
      expect((await postForm(url, 'List-Unsubscribe=One-Click')).statusCode).toBe(200);
      expect(await timeline(s.contactId, 'email.unsubscribed')).toHaveLength(1);
      expect(await eventsOf(s.sendId)).toHaveLength(1);
      // The page now says so.
      expect((await get(url)).body).toContain('You are unsubscribed');
    });

    it("unsubscribes from the page's button with a confirmation page (source: preferences)", async () => {
      const s = await sent();
      const url = path(trackingUrls.unsubscribe(server.baseUrl, keys(), s.sendId));
      const res = await postForm(url, 'via=page');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('You are unsubscribed');
      expect((await contactOf(s.contactId)).subscription_status).toBe('unsubscribed');
      expect(await eventsOf(s.sendId)).toMatchObject([{ type: 'unsubscribed', source: 'preferences' }]);
    });

    it('accepts a one-click POST sent as multipart/form-data (what RFC 8058 recommends)', async () => {
      const s = await sent();
      const boundary = '----moxora-test';
      const res = await server.app.inject({
        method: 'POST',
        url: path(trackingUrls.unsubscribe(server.baseUrl, keys(), s.sendId)),
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`,
      });
      expect(res.statusCode).toBe(200);
      expect((await contactOf(s.contactId)).subscription_status).toBe('unsubscribed');
    });

    it('answers 404 to a tampered unsubscribe token and changes nothing', async () => {
      const s = await sent();
      const url = path(trackingUrls.unsubscribe(server.baseUrl, keys(), s.sendId));
      const bad = `/e/u/${flipLastChar(url.slice('/e/u/'.length))}`;
      expect((await get(bad)).statusCode).toBe(404);
      expect((await postForm(bad, 'List-Unsubscribe=One-Click')).statusCode).toBe(404);
      // A valid signature for a message that does not exist.
      const ghost = path(trackingUrls.unsubscribe(server.baseUrl, keys(), randomUUID()));
      expect((await postForm(ghost, 'List-Unsubscribe=One-Click')).statusCode).toBe(404);
      expect((await contactOf(s.contactId)).subscription_status).toBe('subscribed');
    });

    it('serves the pages under a strict policy (no script) and escapes what it shows', async () => {
      const s = await sent({ orgName: '<script>alert("x")</script> & Sons' });
      for (const url of [
        path(trackingUrls.unsubscribe(server.baseUrl, keys(), s.sendId)),
        path(trackingUrls.preferences(server.baseUrl, keys(), s.sendId)),
      ]) {
        const res = await get(url);
        expect(res.statusCode).toBe(200);
        expect(res.body).not.toContain('<script');
        expect(res.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons');
        const csp = String(res.headers['content-security-policy']);
        expect(csp).toContain("default-src 'none'");
        expect(csp).not.toContain('script-src');
        expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
        expect(res.headers['cache-control']).toBe('no-store, private');
        expect(res.body).toContain('name="viewport"');
      }
    });
  });

  describe('preference page', () => {
    it('shows the organisation, the masked address and the status; unsubscribes and resubscribes (consent recorded)', async () => {
      const s = await sent({
        orgName: 'Acme Tools',
        email: `jane.doe.${randomUUID().slice(0, 6)}@example.com`,
      });
      const url = path(trackingUrls.preferences(server.baseUrl, keys(), s.sendId));
      const page = await get(url);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Acme Tools');
      expect(page.body).toContain('j•••@e•••.com');
      expect(page.body).not.toContain(s.email);
      expect(page.body).toContain('<dd>Subscribed</dd>');
      expect(page.body).toContain('value="unsubscribe"');

      const out = await postForm(url, 'action=unsubscribe');
      expect(out.statusCode).toBe(200);
      expect(out.body).toContain('You are unsubscribed.');
      expect(out.body).toContain('<dd>Unsubscribed</dd>');
      expect(out.body).toContain('value="resubscribe"');
      expect((await contactOf(s.contactId)).subscription_status).toBe('unsubscribed');

      const back = await postForm(url, 'action=resubscribe');
      expect(back.statusCode).toBe(200);
      expect(back.body).toContain('You are subscribed again.');
      expect(await contactOf(s.contactId)).toEqual({
        subscription_status: 'subscribed',
        consent_source: 'Preference page',
      });
      expect(await timeline(s.contactId, 'email.resubscribed')).toHaveLength(1);
      expect((await eventsOf(s.sendId)).map((e) => [e.type, e.source])).toEqual([
        ['unsubscribed', 'preferences'],
        ['resubscribed', 'preferences'],
      ]);
      // Resubscribing again changes and records nothing more.
      await postForm(url, 'action=resubscribe');
      expect(await timeline(s.contactId, 'email.resubscribed')).toHaveLength(1);

      const bad = await postForm(url, 'action=delete-everything');
      expect(bad.statusCode).toBe(400);
    });

    it('does not lift a complaint from the preference page', async () => {
      const s = await sent();
      await q("update contacts set subscription_status = 'complained' where id = $1", [s.contactId]);
      const url = path(trackingUrls.preferences(server.baseUrl, keys(), s.sendId));
      const page = await get(url);
      expect(page.body).not.toContain('value="resubscribe"');
      await postForm(url, 'action=resubscribe');
      expect((await contactOf(s.contactId)).subscription_status).toBe('complained');
    });

    it('answers 404 to a tampered token', async () => {
      const s = await sent();
      const url = path(trackingUrls.preferences(server.baseUrl, keys(), s.sendId));
      const bad = `/e/p/${flipLastChar(url.slice('/e/p/'.length))}`;
      expect((await get(bad)).statusCode).toBe(404);
      expect((await postForm(bad, 'action=unsubscribe')).statusCode).toBe(404);
      expect((await contactOf(s.contactId)).subscription_status).toBe('subscribed');
    });
  });
});

/** Changes one character of the token's MAC. */
function flipLastChar(token: string): string {
  const last = token.at(-1)!;
  return token.slice(0, -1) + (last === 'A' ? 'B' : 'A');
}
