import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { createRuntime, type Runtime } from '../src/server/app.js';
import { loadConfig } from '../src/server/lib/config.js';
import type { Ctx } from '../src/server/lib/context.js';
import { createKeyring } from '../src/server/lib/crypto.js';
import { openPostgres } from '../src/server/lib/db.js';
import { trackingUrls } from '../src/server/lib/tokens.js';
import { createCampaign, sendCampaign } from '../src/server/modules/campaigns/campaigns.service.js';
import { prepareTemplate, renderPrepared, sampleMergeVars } from '../src/server/modules/templates/render.js';
import type { BenchResult } from './run.js';
import type { SinkStats } from './smtp-sink-process.js';

/**
 * Campaign sending throughput (`npm run bench campaign-send`), issue 9: a campaign to 100,000
 * subscribed contacts through a local SMTP sink — the real send runner (ledger written when the
 * campaign starts, template rendered per contact, links stored and rewritten to signed click URLs,
 * open pixel, footer, List-Unsubscribe, each result recorded in the ledger, the aggregates, the raw
 * events and the contact timeline) — next to raw pooled nodemailer sending as many equivalent
 * messages (one pre-rendered HTML of the same template, same size, same headers) to the same sink
 * with the same pool size, in the same run. Target: ours ≥ 0.5× raw messages/s.
 *
 * The sink (bench/smtp-sink-process.ts) is a separate process: `smtp-server`, no auth, no TLS,
 * counting messages and distinct recipients. Duplicates = messages received − recipients (must be 0).
 *
 * Ours runs in this process like `npm start` does (createRuntime + its workers, which start the
 * send runner) on a fresh database (BENCH_SEND_DATABASE, default moxora_bench_send on
 * BENCH_ADMIN_URL = postgres://postgres@127.0.0.1:5432/postgres; dropped at the end unless
 * BENCH_KEEP=1), SMTP_URL = the sink. The campaign is sent with the service function (as
 * POST /campaigns/:id/send does) and timed from that call until the campaign's status is 'sent'
 * (the database polled every 100 ms).
 *
 * Flags / env: --contacts=N (BENCH_SEND_CONTACTS, default 100,000), --concurrency=8,16
 * (BENCH_SEND_CONCURRENCY: SEND_CONCURRENCY values, each its own campaign and raw run; default 8
 * (the product default) and 16), --raw-messages=N (BENCH_SEND_RAW_MESSAGES: messages per raw run,
 * default = contacts), --no-raw (skip the baselines), --nodelay (what-if: TCP_NODELAY on the SMTP
 * client sockets, see patchNoDelay).
 */

const ADMIN = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BASE_URL = 'http://localhost:3999';
const RATIO_TARGET = 0.5;

function flag(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

// ---------- the sink process ----------

export interface SinkProcess {
  port: number;
  url: string;
  reset(): Promise<SinkStats>;
  stats(): Promise<SinkStats>;
  close(): Promise<void>;
}

/** Starts bench/smtp-sink-process.ts as a child process and waits for its port. */
export async function startSinkProcess(): Promise<SinkProcess> {
  const child: ChildProcess = fork(path.join(import.meta.dirname, 'smtp-sink-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting: Array<(s: SinkStats) => void> = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the SMTP sink process did not start in 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the SMTP sink process exited (${code})`)));
    child.on('message', (m: { type: 'ready'; port: number } | SinkStats) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m.port);
      } else if (m.type === 'stats') {
        waiting.shift()?.(m);
      }
    });
  });
  const ask = (type: 'reset' | 'stats') =>
    new Promise<SinkStats>((resolve) => {
      waiting.push(resolve);
      child.send({ type });
    });
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    reset: () => ask('reset'),
    stats: () => ask('stats'),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ type: 'close' });
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

// ---------- the template and the seed ----------

const LINKS = [
  'https://example.com/blog/december-release?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=dec',
  'https://example.com/pricing?utm_source=newsletter&amp;utm_medium=email',
  'https://example.com/customers/story-of-the-month',
  'https://docs.example.com/guides/getting-started',
  'https://example.com/webinars/2026-12?utm_source=newsletter',
];

const PARAGRAPH =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit. Integer posuere erat a ante venenatis dapibus, ' +
  'posuere velit aliquet. Cras mattis consectetur purus sit amet fermentum. Donec ullamcorper nulla non metus ' +
  'auctor fringilla. Maecenas sed diam eget risus varius blandit sit amet non magna. Vestibulum id ligula porta ' +
  'felis euismod semper.';

/** A newsletter fragment (the editor's usual shape): merge fields, five links, ~5 KB rendered. */
export const TEMPLATE = {
  subject: 'December at Example, {{ contact.firstName | default: "friend" }}',
  body: [
    '<h1 style="font:bold 24px/1.3 Arial,sans-serif;color:#111827">What is new in December</h1>',
    '<p>Hi {{ contact.firstName | default: "there" }},</p>',
    '<p>As {{ contact.jobTitle | default: "a customer" }} at {{ company.name | default: contact.companyName }}, you asked us to keep you posted. Here is the month in five links.</p>',
    ...LINKS.map(
      (href, i) =>
        `<h2 style="font:bold 18px/1.4 Arial,sans-serif">Story ${i + 1}</h2><p>${PARAGRAPH}</p>` +
        `<p><a href="${href}" style="color:#4f46e5">Read story ${i + 1}</a></p>`,
    ),
    '<p>Thanks for reading,<br>The {{ organization.name }} team</p>',
  ].join('\n'),
};

interface Seeded {
  orgId: string;
  userId: string;
  tagId: string;
  templateId: string;
  senderId: string;
  seconds: number;
}

async function seed(db: pg.Client, contacts: number): Promise<Seeded> {
  const t0 = performance.now();
  const one = async <T>(text: string, values: unknown[] = []) => (await db.query(text, values)).rows[0] as T;
  const { id: userId } = await one<{ id: string }>(
    `insert into users (name, email, email_verified, age_confirmed, age_confirmed_at)
      values ('Bench Owner', 'owner@send.bench.moxora.test', true, true, now()) returning id`,
  );
  const { id: orgId } = await one<{ id: string }>(
    `insert into organizations (name) values ('Example Newsletter Co') returning id`,
  );
  await db.query(`insert into members (org_id, user_id, role) values ($1, $2, 'owner')`, [orgId, userId]);
  const { id: senderId } = await one<{ id: string }>(
    `insert into senders (org_id, name, email, reply_to, is_default)
      values ($1, 'Example News', 'news@example.com', 'hello@example.com', true) returning id`,
    [orgId],
  );
  await db.query(
    `insert into email_settings (org_id, postal_address, time_zone, throttle_per_second)
      values ($1, '1 Bench Street, Springfield', 'UTC', 10000)`,
    [orgId],
  );
  const { id: tagId } = await one<{ id: string }>(
    `insert into tags (org_id, name) values ($1, 'newsletter') returning id`,
    [orgId],
  );
  const { id: templateId } = await one<{ id: string }>(
    `insert into templates (org_id, name, subject, format, body) values ($1, 'December news', $2, 'html', $3) returning id`,
    [orgId, TEMPLATE.subject, TEMPLATE.body],
  );
  const companies = Math.max(10, Math.round(contacts / 50));
  await db.query(
    `insert into companies (org_id, name, domain, website, industry)
      select $1, 'Company ' || i, 'company' || i || '.example', 'https://company' || i || '.example',
        (array['Software','Retail','Finance','Health'])[1 + i % 4]
      from generate_series(1, $2::int) i`,
    [orgId, companies],
  );
  await db.query(
    `with co as (select id, name, row_number() over (order by id) - 1 as k from companies where org_id = $1)
    insert into contacts (org_id, first_name, last_name, email, job_title, company_id, company_name,
      subscription_status, consent_basis, consent_source, consent_at, tag_ids, source)
    select $1, (array['Ada','Ben','Chloé','Dmitri','Eve','Farah','Gus','Hana'])[1 + i % 8], 'Reader ' || i,
      'reader' || i || '@example.com', (array['CTO','Buyer','Engineer','Founder',''])[1 + i % 5],
      co.id, co.name, 'subscribed', 'consent', 'Bench seed', now(), array[$2::uuid], 'bench'
    from generate_series(1, $3::int) i join co on co.k = i % $4`,
    [orgId, tagId, contacts, companies],
  );
  await db.query('vacuum analyze contacts');
  return { orgId, userId, tagId, templateId, senderId, seconds: (performance.now() - t0) / 1000 };
}

// ---------- measuring ----------

/** CPU time (ms) of each PostgreSQL process on this host, by pid. */
function postgresCpuByPid(): Map<string, number> {
  const tick = 1000 / 100; // USER_HZ
  const out = new Map<string, number>();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      if (comm !== 'postgres' && !comm.startsWith('postgres:')) continue;
      const f = stat.slice(close + 2).split(' ');
      out.set(pid, (Number(f[11]) + Number(f[12])) * tick); // utime, stime
    } catch {
      // gone
    }
  }
  return out;
}

/**
 * CPU used (ms) by this process and by PostgreSQL (every backend on the host, sampled each 500 ms
 * so that backends ending meanwhile still count up to their last sample) until `stop()`.
 */
function cpuMeter() {
  const self0 = process.cpuUsage();
  const seen = new Map<string, { first: number; last: number }>();
  const sample = (initial: boolean) => {
    for (const [pid, ms] of postgresCpuByPid()) {
      const s = seen.get(pid);
      if (s) s.last = ms;
      else seen.set(pid, { first: initial ? ms : 0, last: ms });
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), 500);
  return {
    stop() {
      clearInterval(timer);
      sample(false);
      const s = process.cpuUsage(self0);
      let postgresMs = 0;
      for (const v of seen.values()) postgresMs += v.last - v.first;
      return { selfMs: Math.round((s.user + s.system) / 1000), postgresMs: Math.round(postgresMs) };
    },
  };
}

function rssSampler() {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return {
    stop() {
      clearInterval(t);
      return Math.round(Math.max(peak, process.memoryUsage().rss) / 1048576);
    },
  };
}

/**
 * Raw nodemailer: the same pooled transport as the instance SMTP_URL path of transport.ts
 * (`smtp://…?pool=true&maxConnections=N`), `concurrency` lanes each awaiting its sendMail, one
 * pre-rendered message of the same template (tracked links, pixel, footer and headers included).
 */
async function rawSend(sink: SinkProcess, concurrency: number, count: number) {
  const keys = createKeyring([randomBytes(32)]);
  const sendId = randomUUID();
  const tpl = await prepareTemplate({ ...TEMPLATE, format: 'html', text: null }, { customFieldKeys: [] });
  const vars = sampleMergeVars({
    organization: { name: 'Example Newsletter Co', postalAddress: '1 Bench Street' },
  });
  const rendered = await renderPrepared(tpl, vars);
  let n = 0;
  const track = (url: string) =>
    url.startsWith(BASE_URL) ? url : trackingUrls.click(BASE_URL, keys, sendId, ++n);
  const unsubscribe = trackingUrls.unsubscribe(BASE_URL, keys, sendId);
  const preferences = trackingUrls.preferences(BASE_URL, keys, sendId);
  const footer = `<div style="margin:24px auto 0;max-width:600px;padding:16px;font:12px/1.5 Arial,sans-serif;color:#6b7280;text-align:center">Example Newsletter Co<br>1 Bench Street, Springfield<br><a href="${unsubscribe}" style="color:#6b7280">Unsubscribe</a> · <a href="${preferences}" style="color:#6b7280">Email preferences</a></div>`;
  const pixel = `<img src="${trackingUrls.open(BASE_URL, keys, sendId)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`;
  const html = rendered.html
    .replace(/(href=")(https?:\/\/[^"]+)"/g, (_a, pre: string, url: string) => `${pre}${track(url)}"`)
    .replace(/<\/body>/i, `${footer}${pixel}</body>`);
  const text = `${rendered.text.replace(/\bhttps?:\/\/[^\s<>"')\]]+/g, track)}\n\n--\nExample Newsletter Co\n1 Bench Street, Springfield\nUnsubscribe: ${unsubscribe}\n`;
  const transport = nodemailer.createTransport(
    `smtp://127.0.0.1:${sink.port}?pool=true&maxConnections=${concurrency}`,
  );
  await sink.reset();
  const rss = rssSampler();
  const cpu = cpuMeter();
  const t0 = performance.now();
  let next = 0;
  let errors = 0;
  const lane = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      try {
        await transport.sendMail({
          from: { name: 'Example News', address: 'news@example.com' },
          replyTo: 'hello@example.com',
          to: `raw${i}@example.com`,
          subject: rendered.subject,
          html,
          text,
          headers: {
            'X-Moxora-Send-Id': sendId,
            'List-Unsubscribe': `<${unsubscribe}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
          messageId: `<raw-${i}-${sendId}@localhost>`,
        });
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - t0) / 1000;
  const peakRssMb = rss.stop();
  const cpuMs = cpu.stop();
  transport.close();
  const s = await sink.stats();
  return { seconds, perSecond: count / seconds, errors, sink: s, peakRssMb, cpuMs };
}

async function freshDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: ADMIN, connectionTimeoutMillis: 5000 });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(ADMIN);
  u.pathname = `/${name}`;
  return u.toString();
}

async function dropDatabase(name: string) {
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

/** One campaign to every seeded contact, sent by the runner with SEND_CONCURRENCY = concurrency. */
async function oursSend(
  url: string,
  sink: SinkProcess,
  seeded: Seeded,
  concurrency: number,
  recipients: number,
  log: (line: string) => void,
) {
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    BASE_URL,
    MOXORA_DATA_DIR: '.tmp/bench-campaign-send',
    SMTP_URL: sink.url,
    SEND_CONCURRENCY: String(concurrency),
  });
  const database = await openPostgres(url, config.databasePoolSize);
  const runtime: Runtime = await createRuntime(config, { database });
  const watch = new pg.Client({ connectionString: url });
  await watch.connect();
  try {
    await runtime.jobs.startWorkers();
    const ctx: Ctx = {
      orgId: seeded.orgId,
      userId: seeded.userId,
      role: 'owner',
      name: 'Bench Owner',
      email: 'owner@send.bench.moxora.test',
      actor: { type: 'user', id: seeded.userId },
      deps: runtime.deps,
    };
    const campaign = await createCampaign(ctx, {
      name: `Bench send, SEND_CONCURRENCY=${concurrency}`,
      templateId: seeded.templateId,
      senderId: seeded.senderId,
      audience: { tagIds: [seeded.tagId] },
    });
    await sink.reset();
    const rss = rssSampler();
    const cpu = cpuMeter();
    const t0 = performance.now();
    const wall0 = Date.now();
    await sendCampaign(ctx, campaign.id, {});
    const sendCallMs = performance.now() - t0;
    const timeoutMs = Math.max(900_000, recipients * 20);
    let lastLog = performance.now();
    let row: { status: string; started_at: Date | null; finished_at: Date | null } | undefined;
    for (;;) {
      row = (
        await watch.query<{ status: string; started_at: Date | null; finished_at: Date | null }>(
          'select status, started_at, finished_at from campaigns where id = $1',
          [campaign.id],
        )
      ).rows[0];
      if (row?.status === 'sent' || row?.status === 'canceled' || row?.status === 'draft') break;
      if (performance.now() - t0 > timeoutMs)
        throw new Error(`campaign not sent after ${timeoutMs / 1000} s`);
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        const s = await sink.stats();
        // With NODE_OPTIONS=--expose-gc the heap is read after a full collection (what is retained).
        const gc = (globalThis as { gc?: () => void }).gc;
        gc?.();
        log(
          `  c=${concurrency}: ${s.messages} delivered to the sink after ${Math.round((performance.now() - t0) / 1000)} s, ` +
            `RSS ${Math.round(process.memoryUsage().rss / 1048576)} MB (heap ${Math.round(process.memoryUsage().heapUsed / 1048576)} MB${gc ? ' after GC' : ''}), load ${os.loadavg()[0]!.toFixed(2)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - t0) / 1000;
    const peakRssMb = rss.stop();
    const cpuMs = cpu.stop();
    if (row?.status !== 'sent') throw new Error(`campaign ended ${row?.status}`);
    const s = await sink.stats();
    const ledger = Object.fromEntries(
      (
        await watch.query<{ state: string; n: number }>(
          'select state, count(*)::int as n from email_sends where campaign_id = $1 group by state',
          [campaign.id],
        )
      ).rows.map((r) => [r.state, r.n]),
    ) as Record<string, number>;
    const [stats] = (
      await watch.query<{ sent: number }>(
        `select sent from campaign_stats where campaign_id = $1 and bucket = 'epoch'`,
        [campaign.id],
      )
    ).rows;
    const [timeline] = (
      await watch.query<{ n: number }>(
        `select count(*)::int as n from contact_events where org_id = $1 and type = 'email.sent'
          and data ->> 'campaignId' = $2`,
        [seeded.orgId, campaign.id],
      )
    ).rows;
    const firstMessageS = s.firstAt ? (s.firstAt - wall0) / 1000 : Number.NaN;
    const steadySeconds = s.lastAt && s.firstAt ? (s.lastAt - s.firstAt) / 1000 : Number.NaN;
    return {
      seconds,
      perSecond: recipients / seconds,
      steadyPerSecond: s.messages > 1 ? (s.messages - 1) / steadySeconds : Number.NaN,
      firstMessageS,
      sendCallMs,
      sink: s,
      ledger,
      statsSent: stats?.sent ?? 0,
      timelineSent: timeline?.n ?? 0,
      peakRssMb,
      cpuMs,
      rssAfterMb: Math.round(process.memoryUsage().rss / 1048576),
      heapAfterMb: Math.round(process.memoryUsage().heapUsed / 1048576),
    };
  } finally {
    await watch.end();
    await runtime.close();
  }
}

/**
 * `--nodelay`: every socket this process opens to the sink gets TCP_NODELAY, as nodemailer ≥ 10
 * sets on its SMTP sockets (7.x, which transport.ts uses, does not: Nagle then holds each
 * message's final ".\r\n" until the server's delayed ACK, ~40 ms per message per connection).
 * For what-if runs only; the default measures the product as it is. Applies to ours and raw alike.
 */
function patchNoDelay(port: number) {
  const proto = net.Socket.prototype as unknown as { connect: (...args: unknown[]) => net.Socket };
  const original = proto.connect;
  proto.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = args[0] as { port?: number } | unknown[] | undefined;
    const target = Array.isArray(first) ? (first[0] as { port?: number })?.port : first?.port;
    if (Number(target) === port) this.setNoDelay(true);
    return original.apply(this, args);
  };
}

/** CPU per message: this process, PostgreSQL (host-wide), the sink. */
function cpuNote(cpu: { selfMs: number; postgresMs: number }, sinkMs: number, messages: number) {
  const per = (ms: number) => (ms / messages).toFixed(2);
  return `CPU ms/message: this process ${per(cpu.selfMs)}, PostgreSQL ${per(cpu.postgresMs)}, sink ${per(sinkMs)}`;
}

export async function campaignSendBench(): Promise<BenchResult[]> {
  const contacts = Number(flag('contacts') ?? process.env.BENCH_SEND_CONTACTS ?? 100_000);
  const concurrencies = (flag('concurrency') ?? process.env.BENCH_SEND_CONCURRENCY ?? '8,16')
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  const withRaw = !process.argv.includes('--no-raw');
  const rawMessages = Number(flag('raw-messages') ?? process.env.BENCH_SEND_RAW_MESSAGES ?? contacts);
  const dbName = process.env.BENCH_SEND_DATABASE ?? 'moxora_bench_send';
  if (!/^[a-z_][a-z0-9_]*$/.test(dbName)) throw new Error(`unexpected database name ${dbName}`);
  const log = (line: string) => process.stdout.write(`  ${line}\n`);

  let url: string;
  try {
    url = await freshDatabase(dbName);
  } catch (err) {
    log(`campaign-send: PostgreSQL unreachable at ${ADMIN} (${(err as Error).message}); skipped`);
    return [];
  }
  fs.rmSync('.tmp/bench-campaign-send', { recursive: true, force: true });
  const sink = await startSinkProcess();
  const noDelay = process.argv.includes('--nodelay');
  if (noDelay) patchNoDelay(sink.port);
  const results: BenchResult[] = [];
  const r1 = (x: number) => Math.round(x * 10) / 10;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  try {
    // Migrate, then seed with plain SQL.
    const migrator = await openPostgres(url, 2);
    await migrator.migrate();
    await migrator.close();
    const seeder = new pg.Client({ connectionString: url });
    await seeder.connect();
    const seeded = await seed(seeder, contacts);
    await seeder.end();
    log(`seeded ${contacts} subscribed contacts in ${r1(seeded.seconds)} s`);

    const load0 = os.loadavg()[0]!;
    for (const c of concurrencies) {
      let raw: Awaited<ReturnType<typeof rawSend>> | undefined;
      if (withRaw) {
        log(`raw nodemailer, pool ${c}: ${rawMessages} messages…`);
        raw = await rawSend(sink, c, rawMessages);
        log(
          `  ${Math.round(raw.perSecond)} messages/s (${raw.sink.messages} received, ${raw.errors} errors)`,
        );
      }
      log(`ours, SEND_CONCURRENCY=${c}: a campaign to ${contacts} contacts…`);
      const ours = await oursSend(url, sink, seeded, c, contacts, log);
      log(`  ${Math.round(ours.perSecond)} messages/s end to end (${ours.sink.messages} received)`);
      const duplicates = ours.sink.messages - contacts;
      const missing = contacts - ours.sink.distinct;
      const ratio = raw ? r2(ours.perSecond / raw.perSecond) : undefined;
      if (raw) {
        results.push({
          name: `raw pooled nodemailer, pool ${c}: ${rawMessages} pre-rendered messages${noDelay ? ' (TCP_NODELAY)' : ''}`,
          value: Math.round(raw.perSecond),
          unit: 'msg/s',
          baseline: Math.round(raw.perSecond),
          ratio: 1,
          note: `${r1(raw.seconds)} s; ${Math.round(raw.sink.bytes / Math.max(1, raw.sink.messages))} B/message; ${raw.sink.messages} received, ${raw.errors} errors; peak RSS ${raw.peakRssMb} MB; ${cpuNote(raw.cpuMs, raw.sink.cpuMs, rawMessages)}`,
        });
      }
      results.push(
        {
          name: `campaign to ${contacts} contacts, SEND_CONCURRENCY=${c} (send → status sent)${noDelay ? ' (TCP_NODELAY)' : ''}`,
          value: Math.round(ours.perSecond),
          unit: 'msg/s',
          baseline: raw ? Math.round(raw.perSecond) : undefined,
          ratio,
          pass: ratio === undefined ? undefined : ratio >= RATIO_TARGET,
          note:
            `${r1(ours.seconds)} s; target ≥ ${RATIO_TARGET}× raw${ratio === undefined ? '' : ratio >= RATIO_TARGET ? ' PASS' : ' FAIL'}; ` +
            `first message after ${r1(ours.firstMessageS)} s (audience count + ledger of ${contacts} rows); ` +
            `then ${Math.round(ours.steadyPerSecond)} msg/s; ${Math.round(ours.sink.bytes / Math.max(1, ours.sink.messages))} B/message; ` +
            `send call ${Math.round(ours.sendCallMs)} ms; ${cpuNote(ours.cpuMs, ours.sink.cpuMs, contacts)}`,
        },
        {
          name: `  duplicates at the sink (received − recipients), SEND_CONCURRENCY=${c}`,
          value: duplicates,
          unit: 'messages',
          pass: duplicates === 0 && missing === 0,
          note: `received ${ours.sink.messages}, distinct recipients ${ours.sink.distinct}, missing ${missing}; ledger ${JSON.stringify(ours.ledger)}; stats.sent ${ours.statsSent}; email.sent timeline events ${ours.timelineSent}`,
        },
        {
          name: `  peak RSS of the sending process, SEND_CONCURRENCY=${c}`,
          value: ours.peakRssMb,
          unit: 'MB',
          note: `after: ${ours.rssAfterMb} MB, heap used ${ours.heapAfterMb} MB (this process: app runtime + runner + benchmark; the sink is another process, ${ours.sink.rssMb} MB)`,
        },
      );
    }
    const load1 = os.loadavg()[0]!;
    results.push({
      name: 'host load average (1 min), start → end',
      value: r2(load1),
      unit: `(${os.cpus().length} CPUs)`,
      note: `${load0.toFixed(2)} → ${load1.toFixed(2)}; PostgreSQL, the sink process and this process share the host`,
    });
    return results;
  } finally {
    await sink.close();
    if (process.env.BENCH_KEEP !== '1') await dropDatabase(dbName).catch(() => {});
  }
}
