import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { expect, inject } from 'vitest';
import { type Database, openPostgres } from '../../src/server/lib/db.js';
import type { MoxoraProcess } from './process.js';
import { PROCESS_DEADLINE_MS } from './process.js';
import type { SmtpSink } from './smtp-sink.js';
import { waitFor } from './wait.js';

/**
 * Shared by the tests that kill a sending server (test/send-crash.test.ts on the run's PostgreSQL,
 * test/embedded-send-crash.test.ts on the embedded one): a campaign to RECIPIENTS people through a
 * real SMTP server (the sink, in the test process), started through the API of a child process,
 * and the checks of what the send ledger promises (src/server/modules/email/runner.ts):
 * - after a SIGKILL, everyone still gets the message; the duplicates are at most the messages in
 *   flight (SEND_CONCURRENCY), and only to people whose row was "sending" at the kill;
 * - after a SIGTERM, nothing is left "sending" and nobody gets it twice;
 * - a row recorded "sent" is never sent again; a campaign is "sent" only once no row is queued or
 *   sending.
 */
export const RECIPIENTS = 400;
export const CONCURRENCY = 4;
/** Short, so that the restarted server requeues what the dead one held without a long wait. */
export const LEASE_SECONDS = 3;

/** The sending settings of the child processes. */
export function sendingEnv(sink: SmtpSink, leaseSeconds = LEASE_SECONDS): Record<string, string> {
  return {
    SMTP_URL: sink.url,
    SEND_CONCURRENCY: String(CONCURRENCY),
    SEND_LEASE_SECONDS: String(leaseSeconds),
    SEND_POLL_MS: '100',
    SEND_RETRY_SECONDS: '1',
  };
}

/** A database of its own for a test file: a clone of the run's migrated template (dropped by `drop`). */
export async function cloneTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const template = inject('pgTemplate');
  if (!template) throw new Error('PostgreSQL is not available for this test run');
  const name = `${template}_s${randomBytes(5).toString('hex')}`;
  const admin = async (text: string) => {
    const c = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await c.connect();
    try {
      await c.query(text);
    } finally {
      await c.end();
    }
  };
  await admin(`create database ${name} template ${template}`);
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

/** The database of the embedded PostgreSQL running on a data folder (its connection details file). */
export async function openEmbeddedDatabase(dir: string): Promise<Database> {
  const creds = JSON.parse(fs.readFileSync(path.join(dir, 'embedded-postgres.json'), 'utf8')) as {
    port: number;
    user?: string;
    password: string;
  };
  const url = `postgres://${creds.user ?? 'postgres'}:${encodeURIComponent(creds.password)}@127.0.0.1:${creds.port}/postgres`;
  return openPostgres(url, 2);
}

/** A parsed JSON answer (the text when it is not JSON). */
export type Body = Record<string, unknown>;

export interface Api {
  orgId: string;
  get(url: string): Promise<{ status: number; body: Body }>;
  post(url: string, body: unknown): Promise<{ status: number; body: Body }>;
}

/** Signs up through the server's API, verifies the email in the database, signs in: a new organisation's owner. */
export async function signUpOwner(port: number, database: Database): Promise<Api> {
  const base = `http://127.0.0.1:${port}`;
  const origin = `http://localhost:${port}`;
  const email = `owner-${randomBytes(4).toString('hex')}@owner.example`; // its verification mail is no campaign message
  const password = 'password 123';
  const call = async (method: 'GET' | 'POST', url: string, body?: unknown, cookie?: string) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        origin,
        ...(cookie ? { cookie } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as Body, headers: res.headers };
  };
  const up = await call('POST', '/api/auth/sign-up/email', {
    name: 'Sender',
    email,
    password,
    ageConfirmed: true,
  });
  expect(up.status, JSON.stringify(up.body)).toBe(200);
  await database.query('update users set email_verified = true where email = $1', [email]);
  const signIn = await call('POST', '/api/auth/sign-in/email', { email, password });
  expect(signIn.status, JSON.stringify(signIn.body)).toBe(200);
  const cookie = signIn.headers
    .getSetCookie()
    .find((c) => c.includes('session_token='))!
    .split(';')[0]!;
  const me = await call('GET', '/api/v1/me', undefined, cookie);
  const orgId = (me.body as { activeOrganization: { id: string } }).activeOrganization.id;
  return {
    orgId,
    get: (url) => call('GET', url, undefined, cookie),
    post: (url, body) => call('POST', url, body, cookie),
  };
}

/**
 * A default sender, the postal address, no throttle to speak of, a template and `count` subscribed
 * contacts with a tag, straight into the tables; then a campaign to the tag, created and sent
 * through the API. Returns the campaign id and the recipients' addresses.
 */
export async function startCampaign(
  database: Database,
  api: Api,
  opts: { count?: number; prefix: string },
): Promise<{ campaignId: string; emails: string[] }> {
  const count = opts.count ?? RECIPIENTS;
  const one = async <T>(text: string, values: unknown[]) => (await database.query<T>(text, values)).rows[0]!;
  const { id: senderId } = await one<{ id: string }>(
    `insert into senders (org_id, name, email, is_default) values ($1, 'Crash News', 'news@crash.example', true) returning id`,
    [api.orgId],
  );
  await database.query(
    `insert into email_settings (org_id, postal_address, throttle_per_second) values ($1, '1 Main Street, Springfield', 10000)`,
    [api.orgId],
  );
  const { id: templateId } = await one<{ id: string }>(
    `insert into templates (org_id, name, subject, format, body)
     values ($1, 'Crash', 'Hello {{ contact.firstName }}', 'html', '<p>Hi {{ contact.firstName }}</p>') returning id`,
    [api.orgId],
  );
  const { id: tagId } = await one<{ id: string }>(
    `insert into tags (org_id, name) values ($1, 'crash') returning id`,
    [api.orgId],
  );
  await database.query(
    `insert into contacts (org_id, first_name, email, subscription_status, tag_ids)
     select $1, 'Reader ' || i, $2 || i || '@crash.example', 'subscribed', array[$3::uuid]
     from generate_series(1, $4) i`,
    [api.orgId, opts.prefix, tagId, count],
  );
  const created = await api.post('/api/v1/campaigns', {
    name: 'Crash test',
    templateId,
    senderId,
    audience: { tagIds: [tagId] },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const campaignId = String(created.body.id);
  const sent = await api.post(`/api/v1/campaigns/${campaignId}/send`, {});
  expect(sent.status, JSON.stringify(sent.body)).toBe(200);
  return {
    campaignId,
    emails: Array.from({ length: count }, (_, i) => `${opts.prefix}${i + 1}@crash.example`),
  };
}

export interface LedgerState {
  status: string;
  total: number;
  queued: number;
  sending: number;
  sent: number;
  failed: number;
  skipped: number;
  /** Rows "sent" without a sent_at. */
  sentUndated: number;
}

/** The campaign's status and its ledger's counts, read in ONE statement (one snapshot). */
export async function ledgerState(database: Database, campaignId: string): Promise<LedgerState> {
  const { rows } = await database.query<LedgerState>(
    `select c.status,
       count(s.id)::int as total,
       count(s.id) filter (where s.state = 'queued')::int as queued,
       count(s.id) filter (where s.state = 'sending')::int as sending,
       count(s.id) filter (where s.state = 'sent')::int as sent,
       count(s.id) filter (where s.state = 'failed')::int as failed,
       count(s.id) filter (where s.state = 'skipped')::int as skipped,
       count(s.id) filter (where s.state = 'sent' and s.sent_at is null)::int as "sentUndated"
     from campaigns c left join email_sends s on s.campaign_id = c.id
     where c.id = $1 group by c.status`,
    [campaignId],
  );
  return rows[0]!;
}

/** Addresses of the campaign's rows in a state, with their sent_at. */
export async function rowsIn(
  database: Database,
  campaignId: string,
  state: string,
): Promise<Map<string, string | null>> {
  const { rows } = await database.query<{ email: string; sent_at: Date | null }>(
    `select email, sent_at from email_sends where campaign_id = $1 and state = $2`,
    [campaignId, state],
  );
  return new Map(
    rows.map((r) => [r.email.toLowerCase(), r.sent_at ? new Date(r.sent_at).toISOString() : null]),
  );
}

/** The campaign's rows "sending" (claimed), with when they were claimed: a dead process's claims. */
export async function claimsOf(database: Database, campaignId: string): Promise<Map<string, Date>> {
  const { rows } = await database.query<{ email: string; sending_at: Date }>(
    `select email, sending_at from email_sends where campaign_id = $1 and state = 'sending'`,
    [campaignId],
  );
  return new Map(rows.map((r) => [r.email.toLowerCase(), new Date(r.sending_at)]));
}

/**
 * The dead process's claims were sent again only once their lease had expired (database clock):
 * not taken from a process that might still be sending them.
 */
export async function expectLeaseRespected(
  database: Database,
  campaignId: string,
  claims: Map<string, Date>,
  leaseSeconds: number,
) {
  const { rows } = await database.query<{ email: string; sent_at: Date | null; attempts: number }>(
    `select email, sent_at, attempts from email_sends where campaign_id = $1 and lower(email) = any($2::text[])`,
    [campaignId, [...claims.keys()]],
  );
  expect(rows).toHaveLength(claims.size);
  for (const r of rows) {
    const claimedAt = claims.get(r.email.toLowerCase())!;
    expect(r.sent_at, r.email).not.toBeNull();
    expect(
      new Date(r.sent_at!).getTime() - claimedAt.getTime(),
      `${r.email}: sent again before its lease expired`,
    ).toBeGreaterThanOrEqual(leaseSeconds * 1000);
    expect(r.attempts, r.email).toBeGreaterThanOrEqual(2); // claimed by the dead process, then again
  }
}

/**
 * Waits until the campaign is in the middle of its run: at least `minSent` recorded, messages
 * claimed ("sending") and more queued. Fails at once if it ends first or the server exits.
 */
export async function waitMidCampaign(
  database: Database,
  campaignId: string,
  server: MoxoraProcess,
  minSent: number,
): Promise<LedgerState> {
  let last: LedgerState | undefined;
  return waitFor(
    async () => {
      last = await ledgerState(database, campaignId);
      return last.status === 'sending' && last.sent >= minSent && last.sending > 0 && last.queued > 0
        ? last
        : undefined;
    },
    {
      what: `${minSent} messages of the campaign to be sent, with more in flight and queued`,
      timeoutMs: PROCESS_DEADLINE_MS,
      intervalMs: 5,
      abortIf: () => {
        if (server.child.exitCode !== null) return `the server exited: ${server.stderr().slice(-2000)}`;
        if (last && !['draft', 'scheduled', 'sending'].includes(last.status))
          return `the campaign ended (${JSON.stringify(last)}) before the kill: use more recipients`;
        if (last && last.status === 'sending' && last.queued === 0 && last.sending === 0)
          return `every message was sent before the kill (${JSON.stringify(last)}): use more recipients`;
        return undefined;
      },
    },
  );
}

/**
 * Waits for the campaign to be "sent", checking on every read that it never says "sent" while a
 * row is queued or sending (both read in one statement). `heldReads` counts the reads that found
 * the runner with nothing queued, waiting for `deadClaims` rows still "sending" (a dead process's
 * claims whose lease has not expired): the moment a wrong completion or an early takeover shows.
 */
export async function waitCampaignSent(
  database: Database,
  campaignId: string,
  server: MoxoraProcess,
  deadClaims = 0,
): Promise<{ final: LedgerState; reads: number; heldReads: number }> {
  let violation: string | undefined;
  let reads = 0;
  let heldReads = 0;
  const final = await waitFor(
    async () => {
      const s = await ledgerState(database, campaignId);
      reads++;
      if (s.status === 'sent' && (s.queued > 0 || s.sending > 0))
        violation = `the campaign reads "sent" while its ledger has rows queued or sending: ${JSON.stringify(s)}`;
      if (deadClaims > 0 && s.status === 'sending' && s.queued === 0 && s.sending === deadClaims) heldReads++;
      return s.status === 'sent' ? s : undefined;
    },
    {
      what: 'the restarted server to finish the campaign',
      timeoutMs: PROCESS_DEADLINE_MS,
      intervalMs: 10,
      abortIf: () => {
        if (violation) return violation;
        if (server.child.exitCode !== null) return `the server exited: ${server.stderr().slice(-2000)}`;
        return undefined;
      },
    },
  );
  expect(violation).toBeUndefined();
  return { final, reads, heldReads };
}

/** Every row "sent" with a sent_at; the API says the same. */
export async function expectLedgerComplete(database: Database, api: Api, campaignId: string, count: number) {
  expect(await ledgerState(database, campaignId)).toEqual({
    status: 'sent',
    total: count,
    queued: 0,
    sending: 0,
    sent: count,
    failed: 0,
    skipped: 0,
    sentUndated: 0,
  });
  const res = await api.get(`/api/v1/campaigns/${campaignId}`);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    status: 'sent',
    counts: { queued: 0, sending: 0, sent: count, failed: 0, skipped: 0, total: count },
  });
}

/** Messages the sink received for this audience (not the owner's sign-up mail, say). */
export function campaignMessages(sink: SmtpSink, emails: string[]): number {
  const audience = new Set(emails);
  return sink.messages.filter((m) => m.to.some((t) => audience.has(t.toLowerCase()))).length;
}

/** Ends every campaign still running (after a failed test, so that the next test's server does not send it). */
export async function cancelUnfinishedCampaigns(database: Database): Promise<void> {
  await database.query(
    `update campaigns set status = 'canceled' where status in ('scheduled', 'sending', 'paused')`,
  );
}

/**
 * What the SMTP sink received: every recipient at least once; the duplicates at most
 * `maxDuplicates` and only to `mayRepeat` (the rows "sending" when the sender died); nobody in
 * `once` (rows recorded "sent" before a crash) more than once. Returns the duplicates.
 */
export function expectDelivered(
  sink: SmtpSink,
  emails: string[],
  opts: { maxDuplicates: number; mayRepeat?: Set<string>; once?: Iterable<string> },
): number {
  const counts = sink.countsByRecipient();
  const missing = emails.filter((e) => !counts.get(e));
  expect(missing, 'recipients who never got the campaign').toEqual([]);
  const mine = new Set(emails);
  const strangers = [...counts.keys()].filter((e) => e.endsWith('@crash.example') && !mine.has(e));
  expect(strangers, 'messages to addresses outside the audience').toEqual([]);
  const repeated = emails.filter((e) => counts.get(e)! > 1);
  const duplicates = repeated.reduce((n, e) => n + counts.get(e)! - 1, 0);
  expect(duplicates, `duplicates: ${repeated.join(', ')}`).toBeLessThanOrEqual(opts.maxDuplicates);
  if (opts.mayRepeat) {
    const unexpected = repeated.filter((e) => !opts.mayRepeat!.has(e));
    expect(unexpected, 'sent twice although not in flight at the crash').toEqual([]);
  }
  if (opts.once)
    for (const e of opts.once) expect(counts.get(e), `${e} was recorded sent before the crash`).toBe(1);
  return duplicates;
}
