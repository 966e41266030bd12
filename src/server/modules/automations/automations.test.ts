import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTemplate } from '../../../../test/helpers/email.js';
import { client, createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { queueIdle, waitFor } from '../../../../test/helpers/wait.js';
import type { WorkflowEdge, WorkflowNode } from '../../../common/automations.js';

type Org = Awaited<ReturnType<typeof createOrg>>;
type Edge = Partial<WorkflowEdge> & { from: string; to: string };

/** A workflow: the nodes in order; without edges, each leads to the next through `next`. */
function workflow(nodes: WorkflowNode[], edges?: Edge[], settings: Record<string, unknown> = {}) {
  return {
    nodes,
    edges: edges ?? nodes.slice(1).map((n, i) => ({ from: nodes[i]!.id, to: n.id, exit: 'next' })),
    settings: { reentry: false, ...settings },
  };
}
const manual: WorkflowNode = { id: 'start', type: 'trigger', trigger: { type: 'manual' } };
const waitDay: WorkflowNode = { id: 'wait', type: 'wait', duration: { amount: 1, unit: 'days' } };
const tag = (name: string, id = `tag-${name}`): WorkflowNode => ({ id, type: 'add_tag', tag: name });

// Skipped only when the run has no PostgreSQL (test/global-setup.ts found none); CI always provides one.
describe.skipIf(databaseMissing)('automations API', () => {
  let server: TestServer;
  let hook: http.Server;
  let hookUrl: string;
  /** What the local webhook receiver answers next (status codes, in order; then 200). */
  const hookAnswers: number[] = [];
  beforeAll(async () => {
    hook = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = hookAnswers.shift() ?? 200;
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    server = await createTestServer({ outboundAllowCidrs: ['127.0.0.1/32'] });
  });
  afterAll(async () => {
    await server?.close();
    await new Promise((resolve) => hook?.close(resolve));
  });

  const q = async <T = Record<string, unknown>>(text: string, values: unknown[] = []) =>
    (await server.runtime.database.query<T & Record<string, unknown>>(text, values)).rows as T[];

  async function contact(org: Org, fields: Record<string, unknown> = {}) {
    const res = await client(server, org.owner).post('/api/v1/contacts', {
      firstName: 'Ann',
      email: `ann-${randomUUID().slice(0, 8)}@example.com`,
      ...fields,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  }
  async function create(org: Org, definition: unknown, name = 'Welcome') {
    const res = await client(server, org.owner).post('/api/v1/automations', { name, definition });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; issues: unknown[]; latestVersion: number };
  }
  async function activate(org: Org, id: string) {
    const res = await client(server, org.owner).post(`/api/v1/automations/${id}/activate`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }
  async function enrolIds(org: Org, id: string, contactIds: string[]) {
    const res = await client(server, org.owner).post(`/api/v1/automations/${id}/enrol`, { contactIds });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { enrolled: number; skipped: number };
  }
  const runsOf = async (org: Org, id: string, query = '') =>
    (await client(server, org.owner).get(`/api/v1/automations/${id}/runs${query}`)).json() as {
      items: Array<{
        id: string;
        state: string;
        version: number;
        contact: { id: string };
        currentNode: string;
      }>;
      nextCursor: string | null;
    };
  const runState = (org: Org, runId: string, state: string) =>
    waitFor(
      async () => {
        const r = (await client(server, org.owner).get(`/api/v1/runs/${runId}`)).json();
        return r.state === state ? r : undefined;
      },
      { what: `run ${runId} ${state}` },
    );

  it('creates, lists, reads, renames and deletes an automation', async () => {
    const org = await createOrg(server);
    const c = client(server, org.owner);
    const a = await create(org, workflow([manual, tag('vip')]), 'Onboarding');
    expect(a).toMatchObject({
      name: 'Onboarding',
      status: 'draft',
      latestVersion: 1,
      activeVersion: null,
      trigger: { type: 'manual' },
      triggerSummary: 'When contacts are enrolled by hand',
      counts: { enrolled: 0, active: 0, completed: 0, failed: 0 },
      issues: [],
      stepCounts: {},
    });
    const list = (await c.get('/api/v1/automations')).json().items;
    expect(list.map((x: { id: string }) => x.id)).toEqual([a.id]);
    expect(list[0]).not.toHaveProperty('definition');
    const renamed = await c.patch(`/api/v1/automations/${a.id}`, { name: 'Renamed', description: 'Hi' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'Renamed', description: 'Hi', latestVersion: 1 });
    expect((await c.delete(`/api/v1/automations/${a.id}`)).statusCode).toBe(204);
    expect((await c.get(`/api/v1/automations/${a.id}`)).statusCode).toBe(404);
    expect((await c.get('/api/v1/automations')).json().items).toEqual([]);
  });

  it('refuses a schema-invalid graph (400), saves a draft with graph issues, refuses to activate it', async () => {
    const org = await createOrg(server);
    const c = client(server, org.owner);
    const bad = await c.post('/api/v1/automations', { name: 'x', definition: { nodes: [], edges: [] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    const unknownType = await c.post('/api/v1/automations', {
      name: 'x',
      definition: { nodes: [{ id: 'a', type: 'teleport' }], edges: [] },
    });
    expect(unknownType.statusCode).toBe(400);

    // Not connected: saved with its issues, but it cannot run.
    const a = await create(org, workflow([manual, tag('vip')], []));
    expect(a.issues).toEqual([
      expect.objectContaining({ message: expect.stringContaining('not connected') }),
    ]);
    const refused = await c.post(`/api/v1/automations/${a.id}/activate`);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('VALIDATION_FAILED');
    expect(refused.json().error.details.issues[0].message).toContain('not connected');
    expect((await c.get(`/api/v1/automations/${a.id}`)).json().status).toBe('draft');

    // A template that does not exist in this organisation (another's included) is named.
    const other = await createOrg(server);
    const foreignTemplate = await insertTemplate(server, other.orgId);
    const b = await create(
      org,
      workflow([manual, { id: 'mail', type: 'send_email', templateId: foreignTemplate }]),
    );
    expect(b.issues).toEqual([
      { path: ['nodes', 1, 'templateId'], message: expect.stringContaining('template does not exist') },
    ]);
    const refusedB = await c.post(`/api/v1/automations/${b.id}/activate`);
    expect(refusedB.statusCode).toBe(400);
    expect(refusedB.json().error.details.issues[0].path).toEqual(['nodes', 1, 'templateId']);
    // Fixed in place (still a draft: version 1), it activates.
    const mine = await insertTemplate(server, org.orgId);
    const fixed = await c.patch(`/api/v1/automations/${b.id}`, {
      definition: workflow([manual, { id: 'mail', type: 'send_email', templateId: mine }]),
    });
    expect(fixed.json()).toMatchObject({ latestVersion: 1, issues: [] });
    expect(await activate(org, b.id)).toMatchObject({ status: 'active', activeVersion: 1 });
  });

  it('versions: a draft is edited in place; editing an active one makes version 2 active while runs on 1 finish on 1', async () => {
    const org = await createOrg(server);
    const c = client(server, org.owner);
    const a = await create(org, workflow([manual, waitDay, tag('v1')]));
    await c.patch(`/api/v1/automations/${a.id}`, { definition: workflow([manual, waitDay, tag('v1b')]) });
    expect((await c.get(`/api/v1/automations/${a.id}/versions`)).json().items).toHaveLength(1);
    const active = await activate(org, a.id);
    expect(active).toMatchObject({ status: 'active', activeVersion: 1, latestVersion: 1 });
    const first = await contact(org);
    expect(await enrolIds(org, a.id, [first])).toEqual({ enrolled: 1, skipped: 0 });
    const [run1] = (await runsOf(org, a.id)).items;
    await runState(org, run1!.id, 'waiting');

    // An invalid change of an active automation is refused and changes nothing.
    const invalid = await c.patch(`/api/v1/automations/${a.id}`, {
      definition: workflow([manual, { id: 'mail', type: 'send_email', templateId: randomUUID() }]),
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.details.issues[0].message).toContain('template does not exist');
    expect((await c.get(`/api/v1/automations/${a.id}`)).json().latestVersion).toBe(1);

    const v2 = await c.patch(`/api/v1/automations/${a.id}`, {
      definition: workflow([manual, tag('v2')]),
    });
    expect(v2.statusCode, v2.body).toBe(200);
    expect(v2.json()).toMatchObject({ status: 'active', latestVersion: 2, activeVersion: 2 });
    // The same graph again makes no version.
    await c.patch(`/api/v1/automations/${a.id}`, { definition: workflow([manual, tag('v2')]) });
    const second = await contact(org);
    await enrolIds(org, a.id, [second]);
    const runs = (await runsOf(org, a.id)).items;
    const run2 = runs.find((r) => r.contact.id === second)!;
    expect(run2.version).toBe(2);
    await runState(org, run2.id, 'completed');
    const still = (await c.get(`/api/v1/runs/${run1!.id}`)).json();
    expect(still).toMatchObject({ version: 1, state: 'waiting', currentNode: 'wait' });

    const versions = (await c.get(`/api/v1/automations/${a.id}/versions`)).json().items;
    expect(versions).toEqual([
      expect.objectContaining({
        version: 2,
        active: true,
        createdBy: { id: org.owner.userId, name: 'Olivia Owner' },
      }),
      expect.objectContaining({ version: 1, active: false }),
    ]);
    expect(versions[1].publishedAt).not.toBeNull();
    const v1 = (await c.get(`/api/v1/automations/${a.id}/versions/1`)).json();
    expect(v1.definition.nodes.map((n: { id: string }) => n.id)).toEqual(['start', 'wait', 'tag-v1b']);
    expect((await c.get(`/api/v1/automations/${a.id}/versions/3`)).statusCode).toBe(404);
    expect((await c.get(`/api/v1/automations/${a.id}/versions/x`)).statusCode).toBe(404);
    // Counts: one completed (v2), one waiting (v1); the v2 tag step done once.
    const detail = (await c.get(`/api/v1/automations/${a.id}`)).json();
    expect(detail.counts).toMatchObject({ enrolled: 2, waiting: 1, completed: 1 });
    expect(detail.stepCounts['tag-v2']).toMatchObject({ done: 1 });
    expect(detail.stepCounts.wait).toMatchObject({ waiting: 1 });
  });

  it('pauses (no enrolment: 409) and activates again; a draft cannot be paused or enrol', async () => {
    const org = await createOrg(server);
    const c = client(server, org.owner);
    const a = await create(org, workflow([manual, tag('x')]));
    const person = await contact(org);
    expect((await c.post(`/api/v1/automations/${a.id}/pause`)).statusCode).toBe(409);
    expect((await c.post(`/api/v1/automations/${a.id}/enrol`, { contactIds: [person] })).statusCode).toBe(
      409,
    );
    await activate(org, a.id);
    const paused = await c.post(`/api/v1/automations/${a.id}/pause`);
    expect(paused.json()).toMatchObject({ status: 'paused', activeVersion: 1 });
    expect((await c.post(`/api/v1/automations/${a.id}/enrol`, { contactIds: [person] })).statusCode).toBe(
      409,
    );
    expect(await activate(org, a.id)).toMatchObject({ status: 'active' });
    expect(await enrolIds(org, a.id, [person])).toEqual({ enrolled: 1, skipped: 0 });
    const both = await c.post(`/api/v1/automations/${a.id}/enrol`, {
      contactIds: [person],
      segmentId: randomUUID(),
    });
    expect(both.statusCode).toBe(400);
  });

  it('paused: a due step waits (the run stays put); activated again, the run resumes and completes', async () => {
    const org = await createOrg(server);
    const c = client(server, org.owner);
    const a = await create(
      org,
      workflow([
        manual,
        { id: 'wait', type: 'wait', duration: { amount: 1, unit: 'seconds' } },
        tag('resumed'),
      ]),
    );
    await activate(org, a.id);
    await enrolIds(org, a.id, [await contact(org)]);
    const [run] = (await runsOf(org, a.id)).items;
    const waiting = await runState(org, run!.id, 'waiting');
    expect((await c.post(`/api/v1/automations/${a.id}/pause`)).json().status).toBe('paused');
    // The wait's job comes due while paused and does nothing.
    await waitFor(() => (Date.now() > Date.parse(waiting.wakeAt) + 200 ? true : undefined), {
      what: 'the wait to be due',
    });
    await queueIdle(server);
    const held = (await c.get(`/api/v1/runs/${run!.id}`)).json();
    expect(held).toMatchObject({ state: 'waiting', currentNode: 'wait' });
    expect(held.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['wait']);
    await activate(org, a.id);
    const done = await runState(org, run!.id, 'completed');
    expect(done.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['wait', 'tag-resumed']);
  });

  it('enrols by ids and by segment, skipping restricted contacts, open runs and unknown ids', async () => {
    const org = await createOrg(server);
    const c = client(server, org.owner);
    const a = await create(org, workflow([manual, waitDay]));
    await activate(org, a.id);
    const ann = await contact(org);
    const restricted = await contact(org);
    await q('update contacts set restricted = true where id = $1', [restricted]);
    expect(await enrolIds(org, a.id, [ann, restricted, randomUUID()])).toEqual({ enrolled: 1, skipped: 2 });
    // Twice: already in an open run.
    expect(await enrolIds(org, a.id, [ann])).toEqual({ enrolled: 0, skipped: 1 });

    const vips = [await contact(org, { tags: ['vip'] }), await contact(org, { tags: ['vip'] })];
    const seg = await c.post('/api/v1/segments', {
      name: 'VIPs',
      filter: { field: 'tags', op: 'has_any', value: ['vip'] },
    });
    expect(seg.statusCode, seg.body).toBe(201);
    const bySegment = await c.post(`/api/v1/automations/${a.id}/enrol`, { segmentId: seg.json().id });
    expect(bySegment.json()).toEqual({ enrolled: 2, skipped: 0 });
    const runs = (await runsOf(org, a.id)).items;
    expect(runs.map((r) => r.contact.id).sort()).toEqual([ann, ...vips].sort());
    expect((await c.post(`/api/v1/automations/${a.id}/enrol`, { segmentId: randomUUID() })).statusCode).toBe(
      404,
    );
    // The enrolment is on the contact's timeline.
    const [ev] = await q<{ n: number }>(
      `select count(*)::int as n from contact_events where contact_id = $1 and type = 'automation.enrolled'`,
      [ann],
    );
    expect(ev!.n).toBe(1);
  });

  it('dry run: the path by the real condition, a deterministic split, waits, skipped sends; restricted: not enrolled; no side effects', async () => {
    const org = await createOrg(server);
    const c = client(server, org.owner);
    const templateId = await insertTemplate(server, org.orgId, { name: 'Welcome mail' });
    const nodes: WorkflowNode[] = [
      manual,
      {
        id: 'vip',
        type: 'condition',
        label: 'Is VIP',
        filter: { field: 'tags', op: 'has_any', value: ['vip'] },
      },
      waitDay,
      { id: 'mail', type: 'send_email', templateId },
      {
        id: 'click',
        type: 'wait_event',
        event: { type: 'event', name: 'upgraded' },
        timeout: { amount: 3, unit: 'days' },
      },
      {
        id: 'split',
        type: 'split',
        branches: [
          { label: 'A', percent: 50 },
          { label: 'B', percent: 50 },
        ],
      },
      { id: 'bye', type: 'exit' },
    ];
    const edges: Edge[] = [
      { from: 'start', to: 'vip' },
      { from: 'vip', to: 'wait', exit: 'yes' },
      { from: 'vip', to: 'bye', exit: 'no' },
      { from: 'wait', to: 'mail' },
      { from: 'mail', to: 'click' },
      { from: 'click', to: 'split', exit: 'timeout' },
    ];
    // Drafts can be dry-run too (the latest version).
    const a = await create(org, workflow(nodes, edges));
    const vip = await contact(org, { tags: ['vip'] });
    const plain = await contact(org);
    const before = await q(`select count(*)::int as n from contact_events where org_id = $1`, [org.orgId]);

    const yes = (await c.post(`/api/v1/automations/${a.id}/dry-run`, { contactId: vip })).json();
    expect(yes.end).toBe('completed');
    expect(yes.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual([
      'start',
      'vip',
      'wait',
      'mail',
      'click',
      'split',
    ]);
    expect(yes.steps[1]).toMatchObject({ type: 'condition', label: 'Is VIP', outcome: 'yes' });
    expect(yes.steps[2]).toMatchObject({ summary: 'Wait 1 day' });
    expect(yes.steps[3]).toMatchObject({
      summary: 'Send email "Welcome mail"',
      note: 'Would be skipped: not subscribed',
    });
    expect(yes.steps[4]).toMatchObject({ outcome: 'timeout' });
    expect(['A', 'B']).toContain(yes.steps[5].outcome);
    const again = (await c.post(`/api/v1/automations/${a.id}/dry-run`, { contactId: vip })).json();
    expect(again.steps[5].outcome).toBe(yes.steps[5].outcome);

    // The awaited event given: the wait takes its 'event' exit (which leads nowhere here).
    const withEvent = (
      await c.post(`/api/v1/automations/${a.id}/dry-run`, {
        contactId: vip,
        event: { type: 'event.custom', data: { name: 'upgraded', properties: {} } },
      })
    ).json();
    expect(withEvent.steps.at(-1)).toMatchObject({ nodeId: 'click', outcome: 'event' });
    expect(withEvent.end).toBe('completed');

    const no = (await c.post(`/api/v1/automations/${a.id}/dry-run`, { contactId: plain })).json();
    expect(no).toMatchObject({ end: 'exit' });
    expect(no.steps.map((s: { nodeId: string; outcome?: string }) => [s.nodeId, s.outcome])).toEqual([
      ['start', undefined],
      ['vip', 'no'],
      ['bye', undefined],
    ]);

    await q('update contacts set restricted = true where id = $1', [plain]);
    const restricted = (await c.post(`/api/v1/automations/${a.id}/dry-run`, { contactId: plain })).json();
    expect(restricted).toMatchObject({ end: 'not_enrolled', reason: expect.stringContaining('restricted') });

    // A subscribed contact's send is not skipped.
    await q(`update contacts set subscription_status = 'subscribed' where id = $1`, [vip]);
    const subscribed = (await c.post(`/api/v1/automations/${a.id}/dry-run`, { contactId: vip })).json();
    expect(subscribed.steps[3].note).toBeUndefined();

    // Goal already met: the run would end at once.
    await c.patch(`/api/v1/automations/${a.id}`, {
      definition: workflow(nodes, edges, { goal: { field: 'tags', op: 'has_any', value: ['vip'] } }),
    });
    const goal = (await c.post(`/api/v1/automations/${a.id}/dry-run`, { contactId: vip })).json();
    expect(goal).toMatchObject({ end: 'goal', steps: [{ nodeId: 'start' }] });

    // Nothing was written.
    expect(await q(`select count(*)::int as n from contact_events where org_id = $1`, [org.orgId])).toEqual(
      before,
    );
    expect(await q(`select count(*)::int as n from automation_runs where org_id = $1`, [org.orgId])).toEqual([
      { n: 0 },
    ]);
    const other = await createOrg(server);
    const foreign = await contact(other);
    expect((await c.post(`/api/v1/automations/${a.id}/dry-run`, { contactId: foreign })).statusCode).toBe(
      404,
    );
  });

  it('lists runs with filters and a cursor, shows a run with its steps, cancels an open run (once)', async () => {
    const org = await createOrg(server);
    const c = client(server, org.owner);
    const a = await create(org, workflow([manual, tag('seen'), waitDay, tag('later')]));
    await activate(org, a.id);
    const people = [await contact(org), await contact(org), await contact(org)];
    await enrolIds(org, a.id, people);
    const all = (await runsOf(org, a.id)).items;
    expect(all).toHaveLength(3);
    for (const r of all) await runState(org, r.id, 'waiting');

    const page1 = await runsOf(org, a.id, '?limit=2');
    expect(page1.items).toHaveLength(2);
    const page2 = await runsOf(org, a.id, `?limit=2&cursor=${page1.nextCursor}`);
    expect(page2.items).toHaveLength(1);
    expect(page2.nextCursor).toBeNull();
    expect([...page1.items, ...page2.items].map((r) => r.id)).toEqual(all.map((r) => r.id));
    expect((await runsOf(org, a.id, `?contactId=${people[0]}`)).items.map((r) => r.contact.id)).toEqual([
      people[0],
    ]);
    expect((await runsOf(org, a.id, '?state=completed')).items).toEqual([]);

    const run = all[0]!;
    const detail = (await c.get(`/api/v1/runs/${run.id}`)).json();
    expect(detail).toMatchObject({
      automation: { id: a.id, name: 'Welcome' },
      state: 'waiting',
      currentNode: 'wait',
      contact: { name: 'Ann' },
    });
    expect(detail.wakeAt).not.toBeNull();
    expect(detail.steps.map((s: { nodeId: string; state: string }) => [s.nodeId, s.state])).toEqual([
      ['tag-seen', 'done'],
      ['wait', 'waiting'],
    ]);
    // What happened, as the timeline says it.
    expect(detail.steps[0].summary).toBe('Added tag "seen"');
    expect(detail.steps[1].summary).toMatch(/^Wait 1 day \(until /);

    const canceled = await c.post(`/api/v1/runs/${run.id}/cancel`);
    expect(canceled.statusCode, canceled.body).toBe(200);
    expect(canceled.json()).toMatchObject({ state: 'canceled', exitReason: 'canceled' });
    expect(canceled.json().endedAt).not.toBeNull();
    expect((await c.post(`/api/v1/runs/${run.id}/cancel`)).statusCode).toBe(409);
    expect((await c.post(`/api/v1/runs/${run.id}/retry`)).statusCode).toBe(409);
    expect((await runsOf(org, a.id, '?state=canceled')).items.map((r) => r.id)).toEqual([run.id]);
    const counts = (await c.get(`/api/v1/automations/${a.id}`)).json().counts;
    expect(counts).toMatchObject({ enrolled: 3, waiting: 2, canceled: 1 });
    // Deleting the automation takes its runs with it.
    expect((await c.delete(`/api/v1/automations/${a.id}`)).statusCode).toBe(204);
    expect((await c.get(`/api/v1/runs/${run.id}`)).statusCode).toBe(404);
  });

  it('retries a failed run from the step that failed (a webhook answering 400, then 200)', async () => {
    const org = await createOrg(server);
    const c = client(server, org.owner);
    const a = await create(
      org,
      workflow([manual, { id: 'call', type: 'webhook', url: hookUrl }, tag('after-hook')]),
    );
    await activate(org, a.id);
    hookAnswers.push(400);
    const person = await contact(org);
    await enrolIds(org, a.id, [person]);
    const [run] = (await runsOf(org, a.id)).items;
    const failed = await runState(org, run!.id, 'failed');
    expect(failed.currentNode).toBe('call');
    expect(failed.error).toContain('400');
    expect(failed.steps).toEqual([expect.objectContaining({ nodeId: 'call', state: 'failed' })]);
    expect((await c.post(`/api/v1/runs/${run!.id}/cancel`)).statusCode).toBe(409);

    const retried = await c.post(`/api/v1/runs/${run!.id}/retry`);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject({ state: 'active', error: null });
    const done = await runState(org, run!.id, 'completed');
    expect(done.steps.map((s: { nodeId: string; state: string }) => [s.nodeId, s.state])).toEqual([
      ['call', 'done'],
      ['tag-after-hook', 'done'],
    ]);
  });

  it('gives the organisation its webhook secret (writers only)', async () => {
    const org = await createOrg(server, ['viewer']);
    const res = await client(server, org.owner).get('/api/v1/automations/webhook-secret');
    expect(res.statusCode).toBe(200);
    expect(res.json().secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    const other = await createOrg(server);
    expect(
      (await client(server, other.owner).get('/api/v1/automations/webhook-secret')).json().secret,
    ).not.toBe(res.json().secret);
    expect((await client(server, org.viewer!).get('/api/v1/automations/webhook-secret')).statusCode).toBe(
      403,
    );
  });

  it("answers 404 to another organisation for every route taking an automation or run id, and 403 to a viewer's writes", async () => {
    const a = await createOrg(server, ['viewer']);
    const b = await createOrg(server);
    const auto = await create(a, workflow([manual, waitDay]));
    await activate(a, auto.id);
    const person = await contact(a);
    await enrolIds(a, auto.id, [person]);
    const [run] = (await runsOf(a, auto.id)).items;
    await runState(a, run!.id, 'waiting');
    const snapshot = async () =>
      q(
        `select (select json_agg(x order by x.id) from automations x where org_id = $1) as a,
          (select json_agg(x order by x.version) from automation_versions x where org_id = $1) as v,
          (select json_agg(x order by x.id) from automation_runs x where org_id = $1) as r`,
        [a.orgId],
      );
    const before = await snapshot();
    const cb = client(server, b.owner);
    const bPerson = await contact(b);
    const attempts = [
      cb.get(`/api/v1/automations/${auto.id}`),
      cb.patch(`/api/v1/automations/${auto.id}`, { name: 'Mine' }),
      cb.delete(`/api/v1/automations/${auto.id}`),
      cb.post(`/api/v1/automations/${auto.id}/activate`),
      cb.post(`/api/v1/automations/${auto.id}/pause`),
      cb.get(`/api/v1/automations/${auto.id}/versions`),
      cb.get(`/api/v1/automations/${auto.id}/versions/1`),
      cb.post(`/api/v1/automations/${auto.id}/dry-run`, { contactId: bPerson }),
      cb.post(`/api/v1/automations/${auto.id}/enrol`, { contactIds: [bPerson] }),
      cb.get(`/api/v1/automations/${auto.id}/runs`),
      cb.get(`/api/v1/runs/${run!.id}`),
      cb.post(`/api/v1/runs/${run!.id}/cancel`),
      cb.post(`/api/v1/runs/${run!.id}/retry`),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
    expect((await cb.get('/api/v1/automations')).json().items).toEqual([]);

    const viewer = client(server, a.viewer!);
    expect((await viewer.get(`/api/v1/automations/${auto.id}`)).statusCode).toBe(200);
    expect((await viewer.get(`/api/v1/runs/${run!.id}`)).statusCode).toBe(200);
    expect(
      (await viewer.post(`/api/v1/automations/${auto.id}/dry-run`, { contactId: person })).statusCode,
    ).toBe(200);
    const writes = [
      viewer.post('/api/v1/automations', { name: 'x', definition: workflow([manual]) }),
      viewer.patch(`/api/v1/automations/${auto.id}`, { name: 'Mine' }),
      viewer.delete(`/api/v1/automations/${auto.id}`),
      viewer.post(`/api/v1/automations/${auto.id}/activate`),
      viewer.post(`/api/v1/automations/${auto.id}/pause`),
      viewer.post(`/api/v1/automations/${auto.id}/enrol`, { contactIds: [person] }),
      viewer.post(`/api/v1/runs/${run!.id}/cancel`),
      viewer.post(`/api/v1/runs/${run!.id}/retry`),
    ];
    for (const res of await Promise.all(writes)) {
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json().error.code).toBe('FORBIDDEN');
    }
    expect(await snapshot()).toEqual(before);
  });
});
