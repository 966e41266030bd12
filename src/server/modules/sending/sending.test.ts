import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { getSendingSettings } from './sending.service.js';

const SECRET = 'pw-Very-Secret-9731';

/** A real SMTP server on loopback: accepts AUTH for moxora / SECRET, or (rejectAll) refuses every login. */
async function startSmtp(opts: { rejectAll?: boolean } = {}) {
  const logins: string[] = [];
  const smtp = new SMTPServer({
    authOptional: false,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, cb) {
      logins.push(auth.username ?? '');
      if (!opts.rejectAll && auth.username === 'moxora' && auth.password === SECRET)
        return cb(null, { user: auth.username });
      return cb(new Error('Invalid username or password'));
    },
    onData(stream, _session, cb) {
      stream.resume();
      stream.on('end', () => cb());
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  return { smtp, port, logins, close: () => new Promise<void>((r) => smtp.close(() => r())) };
}

/** A port nothing listens on: bound, then closed. */
async function closedPort() {
  const s = await startSmtp();
  await s.close();
  return s.port;
}

/** Any method with a JSON body (the shared test client has no PUT, and no DELETE with a body). */
export function call(
  server: TestServer,
  session: { cookie: string },
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
) {
  return server.app.inject({
    method,
    url,
    headers: {
      origin: server.origin,
      cookie: session.cookie,
      ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    payload: payload === undefined ? undefined : JSON.stringify(payload),
  });
}

describe.skipIf(databaseMissing)('sending settings', () => {
  let server: TestServer;
  let logs = '';
  let good: Awaited<ReturnType<typeof startSmtp>>;
  let refusing: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    const logStream = new Writable({
      write(chunk, _enc, cb) {
        logs += chunk.toString();
        cb();
      },
    });
    server = await createTestServer({ logLevel: 'debug' }, { logStream });
    good = await startSmtp();
    refusing = await startSmtp({ rejectAll: true });
  });
  afterAll(async () => {
    await good?.close();
    await refusing?.close();
    await server?.close();
  });

  const storedPassword = async (orgId: string) =>
    (
      await server.runtime.database.query<{ smtp_password_enc: string | null }>(
        'select smtp_password_enc from email_settings where org_id = $1',
        [orgId],
      )
    ).rows[0]?.smtp_password_enc;

  it('starts with defaults and says what is missing before a marketing send', async () => {
    const { owner, orgId } = await createOrg(server);
    const c = client(server, owner);
    const res = await c.get('/api/v1/sending');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      postalAddress: '',
      timeZone: 'UTC',
      throttlePerSecond: 20,
      smtp: null,
      delivery: 'outbox',
      ready: false,
      missing: ['sender', 'postalAddress'],
    });
    // Nothing is written by reading.
    expect(
      (await server.runtime.database.query('select 1 from email_settings where org_id = $1', [orgId])).rows,
    ).toEqual([]);

    await c.post('/api/v1/senders', { name: 'News', email: 'news@example.com' });
    expect((await c.get('/api/v1/sending')).json()).toMatchObject({
      ready: false,
      missing: ['postalAddress'],
    });
    const put = await call(server, owner, 'PUT', '/api/v1/sending', {
      postalAddress: '1 Main Street, Springfield',
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({
      postalAddress: '1 Main Street, Springfield',
      ready: true,
      missing: [],
    });
    // A blank address is not an address.
    await call(server, owner, 'PUT', '/api/v1/sending', { postalAddress: '   ' });
    expect((await c.get('/api/v1/sending')).json()).toMatchObject({
      ready: false,
      missing: ['postalAddress'],
    });
  });

  it('changes only the fields given, validates the time zone and throttle, and changes nothing when refused', async () => {
    const { owner } = await createOrg(server);
    const put = (body: unknown) => call(server, owner, 'PUT', '/api/v1/sending', body);
    expect(
      (await put({ postalAddress: 'Somewhere 1', timeZone: 'Europe/Paris', throttlePerSecond: 50 })).json(),
    ).toMatchObject({
      postalAddress: 'Somewhere 1',
      timeZone: 'Europe/Paris',
      throttlePerSecond: 50,
    });
    expect((await put({ timeZone: 'America/New_York' })).json()).toMatchObject({
      postalAddress: 'Somewhere 1',
      timeZone: 'America/New_York',
      throttlePerSecond: 50,
    });
    for (const bad of [
      { timeZone: 'Mars/Olympus_Mons' },
      { timeZone: 'Not a zone' },
      { throttlePerSecond: 0 },
      { throttlePerSecond: 10001 },
      { throttlePerSecond: 2.5 },
      { smtp: { host: 'smtp.example.com', port: 0, secure: false } },
      { smtp: { host: 'bad host!', port: 25, secure: false } },
      { unknown: true },
    ]) {
      const res = await put(bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await client(server, owner).get('/api/v1/sending')).json()).toMatchObject({
      postalAddress: 'Somewhere 1',
      timeZone: 'America/New_York',
      throttlePerSecond: 50,
    });
    expect((await put({ throttlePerSecond: 10000 })).json().throttlePerSecond).toBe(10000);
  });

  it('stores the SMTP password encrypted, never returns or logs it, keeps it when omitted and clears it with smtp: null', async () => {
    const { owner, orgId } = await createOrg(server);
    const put = (body: unknown) => call(server, owner, 'PUT', '/api/v1/sending', body);
    const responses: string[] = [];
    const saved = await put({
      smtp: { host: 'smtp.example.com', port: 587, secure: false, user: 'moxora', password: SECRET },
    });
    responses.push(saved.body);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({
      smtp: { host: 'smtp.example.com', port: 587, secure: false, user: 'moxora', passwordSet: true },
      delivery: 'organization-smtp',
    });
    const enc = await storedPassword(orgId);
    expect(enc).toBeTruthy();
    expect(enc).not.toContain(SECRET);
    expect(server.runtime.keys.decrypt(enc!)).toBe(SECRET);
    // The service the transport uses sees the plain password; the API never does.
    const settings = await getSendingSettings(server.runtime.deps, orgId);
    expect(settings.smtp).toEqual({
      host: 'smtp.example.com',
      port: 587,
      secure: false,
      user: 'moxora',
      password: SECRET,
    });

    // Omitting the password keeps it (same server and user); other fields change.
    const moved = await put({ smtp: { host: 'smtp.example.com', port: 465, secure: true, user: 'moxora' } });
    responses.push(moved.body);
    expect(moved.json().smtp).toEqual({
      host: 'smtp.example.com',
      port: 465,
      secure: true,
      user: 'moxora',
      passwordSet: true,
    });
    expect(await storedPassword(orgId)).toBe(enc);
    // Other settings leave SMTP alone.
    responses.push((await put({ postalAddress: 'Street 2' })).body);
    expect(await storedPassword(orgId)).toBe(enc);

    // The stored password is not carried to another server or user: it must be entered again.
    for (const smtp of [
      { host: 'evil.example.net', port: 465, secure: true, user: 'moxora' },
      { host: 'smtp.example.com', port: 465, secure: true, user: 'someone-else' },
    ]) {
      const res = await put({ smtp });
      responses.push(res.body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details.issues[0].path).toEqual(['smtp', 'password']);
    }
    expect(await storedPassword(orgId)).toBe(enc);
    expect((await getSendingSettings(server.runtime.deps, orgId)).smtp?.host).toBe('smtp.example.com');

    // A new password replaces it.
    responses.push(
      (
        await put({
          smtp: {
            host: 'smtp.example.com',
            port: 465,
            secure: true,
            user: 'moxora',
            password: 'another-one',
          },
        })
      ).body,
    );
    const enc2 = await storedPassword(orgId);
    expect(enc2).not.toBe(enc);
    expect(server.runtime.keys.decrypt(enc2!)).toBe('another-one');

    const read = await client(server, owner).get('/api/v1/sending');
    responses.push(read.body);
    for (const body of responses) {
      expect(body).not.toContain(SECRET);
      expect(body).not.toContain('another-one');
      expect(body).not.toContain(enc!.split('.')[4]!);
    }

    // smtp: null removes the server and its password.
    const cleared = await put({ smtp: null });
    expect(cleared.json()).toMatchObject({ smtp: null, delivery: 'outbox', postalAddress: 'Street 2' });
    expect(await storedPassword(orgId)).toBeNull();
    expect((await getSendingSettings(server.runtime.deps, orgId)).smtp).toBeNull();

    expect(logs.length).toBeGreaterThan(0); // the log stream is live …
    expect(logs).not.toContain(SECRET); // … and never saw the password
    expect(logs).not.toContain('another-one');
  });

  it('tests an SMTP server with the given or the stored settings against a real server', async () => {
    const { owner, orgId } = await createOrg(server);
    const verify = (body: unknown) => call(server, owner, 'POST', '/api/v1/sending/smtp/verify', body);
    const at = { host: '127.0.0.1', port: good.port, secure: false };

    // Nothing stored, nothing given: nothing to test.
    expect((await verify({})).statusCode).toBe(400);

    const ok = await verify({ smtp: { ...at, user: 'moxora', password: SECRET } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ ok: true });
    expect(good.logins.at(-1)).toBe('moxora');

    const wrong = await verify({ smtp: { ...at, user: 'moxora', password: 'wrong-password-123' } });
    expect(wrong.json().ok).toBe(false);
    expect(wrong.json().error).toMatch(/refused the user name or password/);
    expect(wrong.body).not.toContain('wrong-password-123');

    const refused = await verify({
      smtp: { host: '127.0.0.1', port: refusing.port, secure: false, user: 'moxora', password: SECRET },
    });
    expect(refused.json().ok).toBe(false);
    expect(refused.json().error).toMatch(/refused/);
    expect(refused.body).not.toContain(SECRET);
    expect(refusing.logins).toContain('moxora');

    const nobody = await verify({ smtp: { host: '127.0.0.1', port: await closedPort(), secure: false } });
    expect(nobody.json()).toEqual({
      ok: false,
      error: expect.stringMatching(/Nothing accepts connections at 127\.0\.0\.1:\d+/),
    });

    // The stored settings (the password decrypted on the server) …
    await call(server, owner, 'PUT', '/api/v1/sending', {
      smtp: { ...at, user: 'moxora', password: SECRET },
    });
    expect((await verify({})).json()).toEqual({ ok: true });
    // … and the form's values with the stored password (same server and user).
    expect((await verify({ smtp: { ...at, user: 'moxora' } })).json()).toEqual({ ok: true });
    // The stored password is not sent to another server.
    const other = await verify({
      smtp: { host: '127.0.0.1', port: refusing.port, secure: false, user: 'other' },
    });
    expect(other.statusCode).toBe(400);
    // A stored password that the server refuses shows as a failed test.
    await call(server, owner, 'PUT', '/api/v1/sending', {
      smtp: { ...at, user: 'moxora', password: 'stale-password' },
    });
    const stale = await verify({});
    expect(stale.json().ok).toBe(false);
    expect(stale.body).not.toContain('stale-password');
    expect(await storedPassword(orgId)).not.toContain('stale-password');
  });

  it('lets members read the settings (campaign wizard) and only settings writers change or test them', async () => {
    const { owner, member, viewer } = await createOrg(server, ['member', 'viewer']);
    await call(server, owner, 'PUT', '/api/v1/sending', {
      postalAddress: 'Street 3',
      smtp: { host: 'smtp.example.com', port: 587, secure: false, user: 'u', password: SECRET },
    });
    for (const who of [member!, viewer!]) {
      const read = await client(server, who).get('/api/v1/sending');
      expect(read.statusCode).toBe(200);
      expect(read.json()).toMatchObject({ postalAddress: 'Street 3', smtp: { passwordSet: true } });
      expect(read.body).not.toContain(SECRET);
      expect((await call(server, who, 'PUT', '/api/v1/sending', { postalAddress: 'Mine' })).statusCode).toBe(
        403,
      );
      expect((await call(server, who, 'PUT', '/api/v1/sending', { smtp: null })).statusCode).toBe(403);
      expect((await call(server, who, 'POST', '/api/v1/sending/smtp/verify', {})).statusCode).toBe(403);
    }
    expect((await client(server, owner).get('/api/v1/sending')).json()).toMatchObject({
      postalAddress: 'Street 3',
      smtp: { host: 'smtp.example.com' },
    });
  });

  it('keeps each organisation’s settings to itself', async () => {
    const a = await createOrg(server);
    const b = await createOrg(server);
    await call(server, a.owner, 'PUT', '/api/v1/sending', {
      postalAddress: 'A street',
      smtp: { host: '127.0.0.1', port: good.port, secure: false, user: 'moxora', password: SECRET },
    });
    expect((await client(server, b.owner).get('/api/v1/sending')).json()).toMatchObject({
      postalAddress: '',
      smtp: null,
    });
    // B testing "the stored settings" tests its own (none), never A's.
    expect((await call(server, b.owner, 'POST', '/api/v1/sending/smtp/verify', {})).statusCode).toBe(400);
    // B may not borrow A's password by naming A's server.
    expect(
      (
        await call(server, b.owner, 'POST', '/api/v1/sending/smtp/verify', {
          smtp: { host: '127.0.0.1', port: good.port, secure: false, user: 'moxora' },
        })
      ).json().ok,
    ).toBe(false);
    await call(server, b.owner, 'PUT', '/api/v1/sending', { postalAddress: 'B street', smtp: null });
    expect((await client(server, a.owner).get('/api/v1/sending')).json()).toMatchObject({
      postalAddress: 'A street',
      smtp: { host: '127.0.0.1', passwordSet: true },
    });
  });
});
