import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeWorkflow,
  enrolIds,
  insertContacts,
  linear,
  q,
  stepsOf,
  tagsOf,
  waitRunState,
} from '../../../../test/helpers/automations.js';
import { createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { queueIdle } from '../../../../test/helpers/wait.js';
import { webhookSecretFor } from '../../lib/outbound.js';

/**
 * Outgoing webhook steps against a receiver on loopback: retries with the engine's backoff on 5xx
 * and timeouts (the same webhook-id every time, so the receiver keeps one receipt), an immediate
 * failure on a 4xx, a visible failure after 5 attempts, and the SSRF policy (loopback and the
 * metadata address refused unless allowed).
 */
const RETRY_MS = 50;

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A receiver whose answer per path is scripted: a list of statuses (the last repeats) or 'hang'. */
async function startReceiver() {
  const received: Received[] = [];
  const script = new Map<string, Array<number | 'hang'>>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += String(d);
    });
    req.on('end', () => {
      const path = req.url ?? '/';
      const n = received.filter((r) => r.path === path).length;
      received.push({ path, headers: req.headers, body, at: performance.now() });
      const steps = script.get(path) ?? [200];
      const answer = steps[Math.min(n, steps.length - 1)]!;
      if (answer === 'hang') return; // never answers
      res.writeHead(answer, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: answer < 400 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    script,
    at: (path: string) => received.filter((r) => r.path === path),
    all: received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** The Standard Webhooks check, written out independently of the implementation. */
function verifies(r: Received, secret: string): boolean {
  const id = r.headers['webhook-id'] as string;
  const ts = r.headers['webhook-timestamp'] as string;
  const sig = String(r.headers['webhook-signature'] ?? '');
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${r.body}`).digest('base64');
  return sig.split(' ').includes(`v1,${expected}`);
}

// Skipped only when the run has no PostgreSQL (test/global-setup.ts found none); CI always provides one.
describe.skipIf(databaseMissing)('automation webhooks', () => {
  let server: TestServer;
  let receiver: Receiver;
  let orgId: string;
  beforeAll(async () => {
    receiver = await startReceiver();
    server = await createTestServer({
      outboundAllowCidrs: ['127.0.0.1/32'],
      automationRetryMs: RETRY_MS,
      webhookTimeoutMs: 300,
    });
    ({ orgId } = await createOrg(server));
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });
  const db = () => server.runtime.database;

  /** "webhook → add tag" for one new contact; returns the ids. */
  async function hook(path: string, script: Array<number | 'hang'>) {
    receiver.script.set(path, script);
    const automationId = await activeWorkflow(
      db(),
      orgId,
      linear({ type: 'manual' }, [
        { id: 'hook', type: 'webhook', url: receiver.url(path), payload: { source: 'test' } },
        { id: 'tag', type: 'add_tag', tag: 'after-hook' },
      ]),
      `Hook ${path}`,
    );
    const [contactId] = await insertContacts(db(), orgId, 1);
    expect(await enrolIds(server, orgId, automationId, [contactId!])).toBe(1);
    return { automationId, contactId: contactId! };
  }

  it('500 then 200: done after a retry, the same webhook-id both times, signed with the org secret', async () => {
    const { automationId, contactId } = await hook('/flaky', [500, 200]);
    const run = await waitRunState(db(), automationId, contactId, 'completed');
    const got = receiver.at('/flaky');
    expect(got).toHaveLength(2);
    // One delivery as far as the receiver can tell: one webhook-id across the attempts.
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const secret = webhookSecretFor(server.runtime.keys, orgId);
    for (const r of got) expect(verifies(r, secret)).toBe(true);
    expect(verifies(got[0]!, webhookSecretFor(server.runtime.keys, crypto.randomUUID()))).toBe(false);
    const body = JSON.parse(got[1]!.body) as { type: string; data: Record<string, unknown> };
    expect(body.type).toBe('automation.webhook');
    expect(body.data).toMatchObject({
      run: { id: run.id, step: 'hook' },
      contact: { id: contactId },
      payload: { source: 'test' },
    });
    // The retry waited at least the first backoff.
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(RETRY_MS - 5);
    const steps = await stepsOf(db(), run.id);
    expect(steps.map((s) => [s.node_id, s.state, s.attempts])).toEqual([
      ['hook', 'done', 2],
      ['tag', 'done', 1],
    ]);
    expect(await tagsOf(db(), contactId)).toEqual(['after-hook']);
  });

  it('always 500: 5 attempts with growing delays, then the run and the step fail visibly', async () => {
    const { automationId, contactId } = await hook('/down', [500]);
    const run = await waitRunState(db(), automationId, contactId, 'failed');
    await queueIdle(server);
    const got = receiver.at('/down');
    expect(got).toHaveLength(5);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    // Backoff: AUTOMATION_RETRY_MS × 2^n between attempts.
    for (let i = 1; i < got.length; i++)
      expect(got[i]!.at - got[i - 1]!.at).toBeGreaterThanOrEqual(RETRY_MS * 2 ** (i - 1) - 5);
    expect(run.exit_reason).toBe('webhook_failed');
    expect(run.error).toContain('HTTP 500');
    const [step] = await stepsOf(db(), run.id);
    expect(step).toMatchObject({ node_id: 'hook', state: 'failed', attempts: 5 });
    expect(step!.error).toContain('HTTP 500');
    // The step after it never ran.
    expect(await stepsOf(db(), run.id)).toHaveLength(1);
    expect(await tagsOf(db(), contactId)).toEqual([]);
    const timeline = await q<{ type: string; summary: string; outcome: string | null }>(
      db(),
      `select type, data ->> 'summary' as summary, data ->> 'outcome' as outcome from contact_events
       where contact_id = $1 and type like 'automation.%' order by created_at, seq`,
      [contactId],
    );
    expect(timeline.map((t) => t.type)).toEqual([
      'automation.enrolled',
      'automation.step',
      'automation.ended',
    ]);
    expect(timeline[1]).toMatchObject({ outcome: 'failed' });
    expect(timeline[1]!.summary).toMatch(/Webhook failed after 5 attempts.*HTTP 500/);
    expect(timeline[2]).toMatchObject({ outcome: 'failed' });
    expect(timeline[2]!.summary).toContain('Webhook failed');
  });

  it('a 4xx fails the run at once (no retry)', async () => {
    const { automationId, contactId } = await hook('/bad', [400, 200]);
    const run = await waitRunState(db(), automationId, contactId, 'failed');
    await queueIdle(server);
    expect(receiver.at('/bad')).toHaveLength(1);
    const [step] = await stepsOf(db(), run.id);
    expect(step).toMatchObject({ state: 'failed', attempts: 1 });
    expect(step!.error).toContain('HTTP 400');
    expect(run.error).toContain('HTTP 400');
  });

  it('a receiver that never answers: timed out, retried, then failed', async () => {
    const { automationId, contactId } = await hook('/hang', ['hang']);
    const run = await waitRunState(db(), automationId, contactId, 'failed');
    await queueIdle(server);
    expect(receiver.at('/hang')).toHaveLength(5);
    const [step] = await stepsOf(db(), run.id);
    expect(step).toMatchObject({ state: 'failed', attempts: 5 });
    expect(step!.error).toMatch(/time/i);
  });
});

// Skipped only when the run has no PostgreSQL (test/global-setup.ts found none); CI always provides one.
describe.skipIf(databaseMissing)('automation webhooks: the address policy (no allow list)', () => {
  let server: TestServer;
  let receiver: Receiver;
  let orgId: string;
  beforeAll(async () => {
    receiver = await startReceiver();
    server = await createTestServer({ automationRetryMs: RETRY_MS, webhookTimeoutMs: 2_000 });
    expect(server.config.outboundAllowCidrs).toEqual([]);
    ({ orgId } = await createOrg(server));
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });
  const db = () => server.runtime.database;

  async function refused(url: string) {
    const automationId = await activeWorkflow(
      db(),
      orgId,
      linear({ type: 'manual' }, [{ id: 'hook', type: 'webhook', url }]),
      `SSRF ${url}`,
    );
    const [contactId] = await insertContacts(db(), orgId, 1);
    await enrolIds(server, orgId, automationId, [contactId!]);
    const run = await waitRunState(db(), automationId, contactId!, 'failed');
    await queueIdle(server);
    const [step] = await stepsOf(db(), run.id);
    // Refused before anything was sent, and not retried.
    expect(step).toMatchObject({ node_id: 'hook', state: 'failed', attempts: 1 });
    expect(run.exit_reason).toBe('webhook_failed');
    return step!.error!;
  }

  it('a loopback receiver is refused: the run fails, the receiver gets nothing', async () => {
    const error = await refused(receiver.url('/internal'));
    expect(error).toMatch(/refused|not allowed|private|loopback/i);
    expect(receiver.all).toHaveLength(0);
  });

  it('the cloud metadata address is refused: the run fails, nothing sent', async () => {
    const error = await refused('http://169.254.169.254/latest/meta-data/');
    expect(error).toMatch(/refused|not allowed|private|link-local|reserved/i);
    expect(receiver.all).toHaveLength(0);
  });
});
