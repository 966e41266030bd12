import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { buildApp, createRuntime } from '../src/server/app.js';
import { hashPassword } from '../src/server/lib/auth.js';
import { loadConfig } from '../src/server/lib/config.js';
import { openPostgres } from '../src/server/lib/db.js';
import { applyEmailEvents, type EmailEventInput } from '../src/server/modules/email/email-events.js';
import type { BenchResult } from './run.js';

/**
 * Campaign reports at scale (`npm run bench campaign-report`), issue 9: one campaign with
 * 1,000,000 recipients, then GET /api/v1/campaigns/:id/report, GET /api/v1/campaigns/:id (which
 * counts the ledger by state) and GET /api/v1/campaigns/:id/recipients (first page, a page half-way
 * through, first page of state=failed) through app.inject with a signed-in owner's session: 10
 * warm-up requests, then BENCH_REPORT_SAMPLES (default 60) sequential ones each; p50/p95/p99.
 * Target: report p95 ≤ 300 ms. Beside them, the ledger's count-by-state SQL alone through pg.
 *
 * The seed (a fresh database BENCH_REPORT_DATABASE, default moxora_bench_report on
 * BENCH_ADMIN_URL; dropped at the end unless BENCH_KEEP=1), all in SQL except a sample:
 * - N subscribed contacts (the full contacts schema: every index and trigger);
 * - the ledger (email_sends), one row per contact, with deterministic pseudo-random fractions:
 *   3 % skipped, 0.3 % failed, the rest sent over 2 hours starting 3 days ago; of those sent
 *   97.5 % delivered, 1.5 % bounced (2/3 hard), 0.05 % complaints, 0.3 % unsubscribes, 32 % opened
 *   by a human (1–4 opens, spread over the 3 days), 15 % privacy-proxy opens, 20 % of openers
 *   clicked (1–3 clicks over 8 links, skewed), 1 % scanner clicks;
 * - the raw events (email_events, partitioned by month) that ledger implies: sent, failed,
 *   delivered, bounced, complained, unsubscribed, every open and every click (~3 M rows at 1 M);
 * - the aggregates (campaign_stats: hourly rows and the totals row at the epoch) and the link click
 *   counters (email_links), computed from those rows with SQL;
 * - the last BENCH_REPORT_SAMPLE_SENDS (default 2,000) sent messages get their delivered, open and
 *   click events through applyEmailEvents (the production write path), in batches of 500, on top
 *   of the SQL bulk; the totals row is then checked against the ledger and the raw events.
 * Then VACUUM ANALYZE of the tables read (autovacuum would get there after a load like this).
 *
 * Flags / env: --recipients=N (BENCH_REPORT_RECIPIENTS, default 1,000,000).
 */

const ADMIN = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ORIGIN = 'http://localhost:3999';
const PASSWORD = 'bench-password-0001';
const OWNER_EMAIL = 'owner@report.bench.moxora.test';
const REPORT_TARGET_MS = 300;
const LINK_URLS = [
  'https://example.com/blog/december-release',
  'https://example.com/pricing',
  'https://example.com/customers/story-of-the-month',
  'https://docs.example.com/guides/getting-started',
  'https://example.com/webinars/2026-12',
  'https://example.com/changelog',
  'https://example.com/careers',
  'https://example.com/contact',
];

function flag(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  const r = (v: number) => Math.round(v * 100) / 100;
  return {
    n: s.length,
    p50: r(at(0.5)),
    p95: r(at(0.95)),
    p99: r(at(0.99)),
    mean: r(s.reduce((a, b) => a + b, 0) / s.length),
    max: r(s[s.length - 1]!),
  };
}

async function timed(n: number, warmup: number, fn: () => Promise<unknown>): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return stats(out);
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

interface Seeded {
  orgId: string;
  campaignId: string;
  phases: Record<string, number>;
  rows: { contacts: number; sends: number; events: number; statsRows: number };
  check: { ok: boolean; detail: string };
}

async function seed(url: string, n: number, sampleSends: number, log: (l: string) => void): Promise<Seeded> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const phases: Record<string, number> = {};
  let t = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round((now - t) / 100) / 10;
    log(`  seed: ${name} ${phases[name]} s`);
    t = now;
  };
  const one = async <T>(text: string, values: unknown[] = []) => (await db.query(text, values)).rows[0] as T;
  try {
    await db.query(`set timezone = 'UTC'`);
    // Owner (signs in with PASSWORD), organisation, sender, settings, tag, template, campaign, links.
    const { id: userId } = await one<{ id: string }>(
      `insert into users (name, email, email_verified, age_confirmed, age_confirmed_at)
        values ('Bench Owner', $1, true, true, now()) returning id`,
      [OWNER_EMAIL],
    );
    await db.query(
      `insert into accounts (account_id, provider_id, user_id, password) values ($1::text, 'credential', $1::uuid, $2)`,
      [userId, await hashPassword(PASSWORD)],
    );
    const { id: orgId } = await one<{ id: string }>(
      `insert into organizations (name) values ('Example Newsletter Co') returning id`,
    );
    await db.query(`insert into members (org_id, user_id, role) values ($1, $2, 'owner')`, [orgId, userId]);
    const { id: senderId } = await one<{ id: string }>(
      `insert into senders (org_id, name, email, is_default) values ($1, 'Example News', 'news@example.com', true) returning id`,
      [orgId],
    );
    await db.query(
      `insert into email_settings (org_id, postal_address, throttle_per_second) values ($1, '1 Bench Street', 10000)`,
      [orgId],
    );
    const { id: tagId } = await one<{ id: string }>(
      `insert into tags (org_id, name) values ($1, 'newsletter') returning id`,
      [orgId],
    );
    const { id: templateId } = await one<{ id: string }>(
      `insert into templates (org_id, name, subject, format, body) values ($1, 'December news', 'December news', 'html', '<p>Hi</p>') returning id`,
      [orgId],
    );
    const content = {
      subject: 'December news',
      format: 'html',
      body: '<p>Hi</p>',
      text: null,
      fromName: 'Example News',
      fromEmail: 'news@example.com',
      replyTo: null,
      postalAddress: '1 Bench Street',
    };
    const { id: campaignId, started_at: startedAt } = await one<{ id: string; started_at: Date }>(
      `insert into campaigns (org_id, name, status, template_id, sender_id, audience, content, scheduled_at,
          started_at, finished_at, recipient_count, excluded, created_by, created_at, updated_at)
        values ($1, 'December news (1M)', 'sent', $2, $3, $4::jsonb, $5::jsonb, now() - interval '3 days',
          now() - interval '3 days', now() - interval '3 days' + interval '2 hours', $6, '{}'::jsonb, $7,
          now() - interval '4 days', now() - interval '3 days')
        returning id, started_at`,
      [orgId, templateId, senderId, JSON.stringify({ tagIds: [tagId] }), JSON.stringify(content), n, userId],
    );
    const links = (
      await db.query<{ id: string }>(
        `insert into email_links (org_id, campaign_id, url) select $1, $2, u from unnest($3::text[]) with ordinality as x(u, k)
          order by k returning id`,
        [orgId, campaignId, LINK_URLS],
      )
    ).rows.map((r) => Number(r.id));
    // Monthly partitions of email_events from the campaign's month on (the daily job's function
    // makes them from this month on only).
    await db.query(`select email_events_ensure_partitions(2)`);
    await db.query(
      `do $$ declare m date := date_trunc('month', now() - interval '4 days')::date; name text;
        begin name := 'email_events_' || to_char(m, 'YYYY_MM');
          if to_regclass(name) is null then
            execute format('create table %I partition of email_events for values from (%L) to (%L)', name, m, (m + interval '1 month')::date);
          end if; end $$`,
    );
    phase('organisation, campaign, links');

    // Contacts, in batches (progress).
    const batch = 250_000;
    for (let from = 1; from <= n; from += batch) {
      await db.query(
        `insert into contacts (org_id, first_name, last_name, email, subscription_status, consent_basis,
            consent_source, consent_at, tag_ids, source)
          select $1, (array['Ada','Ben','Chloé','Dmitri','Eve','Farah','Gus','Hana'])[1 + i % 8], 'Reader ' || i,
            'reader' || i || '@example.com', 'subscribed', 'consent', 'Bench seed', now() - interval '30 days',
            array[$2::uuid], 'bench'
          from generate_series($3::int, $4::int) i`,
        [orgId, tagId, from, Math.min(n, from + batch - 1)],
      );
    }
    phase(`${n} contacts`);

    // A deterministic uniform [0, 1) per (row, draw).
    await db.query(`create or replace function _bench_u(i bigint, k int) returns float8 language sql immutable
      as $$ select (hashint8(i * 37 + k)::bigint + 2147483648) / 4294967296.0 $$`);
    // The ledger. The last `sampleSends` rows are sent with nothing after (applyEmailEvents adds it).
    await db.query(
      `create unlogged table _bench_r as
        select c.id as contact_id, c.email, row_number() over (order by c.id) as i from contacts c where c.org_id = $1`,
      [orgId],
    );
    await db.query(
      `insert into email_sends (id, org_id, campaign_id, contact_id, kind, email, state, reason, message_id, attempts,
          queued_at, sending_at, sent_at, failed_at, last_error, delivered_at, bounced_at, bounce_type, complained_at,
          unsubscribed_at, opened_at, clicked_at, machine_opened_at, machine_clicked_at, opens, clicks)
        select id, $1, $2, contact_id, 'campaign', email, state,
          case when state = 'skipped' then (array['unsubscribed','not_subscribed','bounced','suppressed'])[1 + i % 4] end,
          '<' || id || '@localhost>', case when state = 'skipped' then 0 else 1 end,
          $3::timestamptz, case when state <> 'skipped' then at end, case when state = 'sent' then at end,
          case when state = 'failed' then at end, case when state = 'failed' then '550 No such user' end,
          delivered_at, bounced_at, bounce_type, complained_at, unsubscribed_at, opened_at, clicked_at,
          machine_opened_at, machine_clicked_at,
          case when opened_at is null then 0 else 1 + floor(u9 * 4)::int end,
          case when clicked_at is null then 0 else 1 + floor(u14 * 3)::int end
        from (
          select *,
            case when opened_at is not null and u12 < 0.2 then opened_at + u13 * interval '30 minutes' end as clicked_at
          from (
            select *,
              case when delivered_at is not null and not sample and u7 < 0.32 then delivered_at + power(u8, 3) * interval '68 hours' end as opened_at,
              case when delivered_at is not null and not sample and u10 < 0.15 then delivered_at + u11 * interval '10 minutes' end as machine_opened_at,
              case when delivered_at is not null and not sample and u15 < 0.01 then delivered_at + interval '5 seconds' end as machine_clicked_at,
              case when delivered_at is not null and not sample and u5 < 0.0005 then delivered_at + u6 * interval '1 day' end as complained_at,
              case when delivered_at is not null and not sample and u5 >= 0.0005 and u5 < 0.0035 then delivered_at + u6 * interval '2 days' end as unsubscribed_at
            from (
              select *,
                case when state = 'sent' and not sample and u2 < 0.975 then at + u3 * interval '30 seconds' end as delivered_at,
                case when state = 'sent' and not sample and u2 >= 0.975 and u2 < 0.99 then at + u3 * interval '60 seconds' end as bounced_at,
                case when state = 'sent' and not sample and u2 >= 0.975 and u2 < 0.99 then case when u4 < 0.66 then 'hard' else 'soft' end end as bounce_type
              from (
                select r.contact_id, r.email, r.i, uuid_v7() as id,
                  r.i > $4::bigint - $5::bigint as sample,
                  case when r.i > $4::bigint - $5::bigint then 'sent'
                    when _bench_u(r.i, 1) < 0.03 then 'skipped' when _bench_u(r.i, 1) < 0.033 then 'failed' else 'sent' end as state,
                  $3::timestamptz + (r.i::float8 / $4::float8) * interval '2 hours' as at,
                  _bench_u(r.i, 2) u2, _bench_u(r.i, 3) u3, _bench_u(r.i, 4) u4, _bench_u(r.i, 5) u5, _bench_u(r.i, 6) u6,
                  _bench_u(r.i, 7) u7, _bench_u(r.i, 8) u8, _bench_u(r.i, 9) u9, _bench_u(r.i, 10) u10, _bench_u(r.i, 11) u11,
                  _bench_u(r.i, 12) u12, _bench_u(r.i, 13) u13, _bench_u(r.i, 14) u14, _bench_u(r.i, 15) u15
                from _bench_r r order by r.i
              ) a
            ) b
          ) c
        ) d`,
      [orgId, campaignId, startedAt, n, sampleSends],
    );
    await db.query('drop table _bench_r');
    phase(`${n} ledger rows`);

    // The raw events that ledger implies.
    const ev = (cols: string, from: string) =>
      db.query(
        `insert into email_events (org_id, send_id, campaign_id, contact_id, type, machine, link_id, source, detail, occurred_at)
          select s.org_id, s.id, s.campaign_id, s.contact_id, ${cols} from email_sends s ${from}`,
        [campaignId],
      );
    await ev(
      `'sent', false, null, 'smtp', '{}'::jsonb, s.sent_at`,
      `where s.campaign_id = $1 and s.state = 'sent'`,
    );
    await ev(
      `'failed', false, null, 'smtp', jsonb_build_object('reason', s.last_error), s.failed_at`,
      `where s.campaign_id = $1 and s.state = 'failed'`,
    );
    await ev(
      `'delivered', false, null, 'ses', '{}'::jsonb, s.delivered_at`,
      `where s.campaign_id = $1 and s.delivered_at is not null`,
    );
    await ev(
      `'bounced', false, null, 'ses', jsonb_build_object('bounceType', s.bounce_type), s.bounced_at`,
      `where s.campaign_id = $1 and s.bounced_at is not null`,
    );
    await ev(
      `'complained', false, null, 'ses', '{}'::jsonb, s.complained_at`,
      `where s.campaign_id = $1 and s.complained_at is not null`,
    );
    await ev(
      `'unsubscribed', false, null, 'tracking', '{}'::jsonb, s.unsubscribed_at`,
      `where s.campaign_id = $1 and s.unsubscribed_at is not null`,
    );
    phase('events: sent, failed, delivered, bounced, complained, unsubscribed');
    await ev(
      `'opened', false, null, 'tracking', '{}'::jsonb, s.opened_at + (k - 1) * interval '20 minutes'`,
      `cross join lateral generate_series(1, s.opens) k where s.campaign_id = $1 and s.opened_at is not null`,
    );
    await ev(
      `'opened', true, null, 'tracking', '{}'::jsonb, s.machine_opened_at`,
      `where s.campaign_id = $1 and s.machine_opened_at is not null`,
    );
    phase('events: opens');
    const linkArray = `array[${links.join(',')}]::bigint[]`;
    await ev(
      `'clicked', false, (${linkArray})[1 + floor(8 * power(_bench_u(hashtext(s.id::text), k), 2))::int], 'tracking',
        '{}'::jsonb, s.clicked_at + (k - 1) * interval '5 minutes'`,
      `cross join lateral generate_series(1, s.clicks) k where s.campaign_id = $1 and s.clicked_at is not null`,
    );
    await ev(
      `'clicked', true, ${links[0]}, 'tracking', '{}'::jsonb, s.machine_clicked_at`,
      `where s.campaign_id = $1 and s.machine_clicked_at is not null`,
    );
    phase('events: clicks');

    // The aggregates, from those rows: hourly buckets (UTC) and the totals row at the epoch.
    await db.query(
      `with ev as (
          select date_trunc('hour', occurred_at) as h,
            count(*) filter (where type = 'sent') as sent,
            count(*) filter (where type = 'delivered') as delivered,
            count(*) filter (where type = 'bounced') as bounced,
            count(*) filter (where type = 'complained') as complained,
            count(*) filter (where type = 'unsubscribed') as unsubscribed,
            count(*) filter (where type = 'opened' and not machine) as opens,
            count(*) filter (where type = 'opened' and machine) as machine_opens,
            count(*) filter (where type = 'clicked' and not machine) as clicks,
            count(*) filter (where type = 'clicked' and machine) as machine_clicks
          from email_events where campaign_id = $1 group by 1),
        firsts as (
          select h, count(*) filter (where k = 'o') as unique_opens, count(*) filter (where k = 'mo') as unique_machine_opens,
            count(*) filter (where k = 'c') as unique_clicks, count(*) filter (where k = 'mc') as unique_machine_clicks
          from (
            select date_trunc('hour', opened_at) as h, 'o' as k from email_sends where campaign_id = $1 and opened_at is not null
            union all select date_trunc('hour', machine_opened_at), 'mo' from email_sends where campaign_id = $1 and machine_opened_at is not null
            union all select date_trunc('hour', clicked_at), 'c' from email_sends where campaign_id = $1 and clicked_at is not null
            union all select date_trunc('hour', machine_clicked_at), 'mc' from email_sends where campaign_id = $1 and machine_clicked_at is not null
          ) x group by h),
        hours as (
          select coalesce(ev.h, firsts.h) as bucket,
            coalesce(sent, 0) sent, coalesce(delivered, 0) delivered, coalesce(bounced, 0) bounced,
            coalesce(complained, 0) complained, coalesce(unsubscribed, 0) unsubscribed, coalesce(opens, 0) opens,
            coalesce(machine_opens, 0) machine_opens, coalesce(unique_opens, 0) unique_opens,
            coalesce(unique_machine_opens, 0) unique_machine_opens, coalesce(clicks, 0) clicks,
            coalesce(machine_clicks, 0) machine_clicks, coalesce(unique_clicks, 0) unique_clicks,
            coalesce(unique_machine_clicks, 0) unique_machine_clicks
          from ev full join firsts on firsts.h = ev.h)
        insert into campaign_stats (campaign_id, org_id, bucket, sent, delivered, bounced, complained, unsubscribed,
          opens, machine_opens, unique_opens, unique_machine_opens, clicks, machine_clicks, unique_clicks, unique_machine_clicks)
        select $1::uuid, $2::uuid, bucket, sent, delivered, bounced, complained, unsubscribed, opens, machine_opens, unique_opens,
          unique_machine_opens, clicks, machine_clicks, unique_clicks, unique_machine_clicks from hours
        union all
        select $1::uuid, $2::uuid, 'epoch'::timestamptz, sum(sent), sum(delivered), sum(bounced), sum(complained), sum(unsubscribed), sum(opens),
          sum(machine_opens), sum(unique_opens), sum(unique_machine_opens), sum(clicks), sum(machine_clicks),
          sum(unique_clicks), sum(unique_machine_clicks) from hours`,
      [campaignId, orgId],
    );
    await db.query(
      `update email_links l set clicks = v.clicks, human_clicks = v.human
        from (select link_id, count(*) as clicks, count(*) filter (where not machine) as human
          from email_events where campaign_id = $1 and type = 'clicked' group by link_id) v
        where l.id = v.link_id`,
      [campaignId],
    );
    phase('aggregates (campaign_stats, email_links) by SQL');

    // The sample: events through the production write path.
    const sample = (
      await db.query<{ id: string; sent_at: Date }>(
        `select id, sent_at from email_sends where campaign_id = $1 and state = 'sent' and delivered_at is null
          and bounced_at is null order by id desc limit $2`,
        [campaignId, sampleSends],
      )
    ).rows;
    const database = await openPostgres(url, 2);
    let applied = 0;
    try {
      const now = Date.now();
      const events: EmailEventInput[] = [];
      sample.forEach((s, k) => {
        const u = (j: number) =>
          ((Math.imul(k + 1, 2654435761) ^ Math.imul(j + 1, 40503)) >>> 0) / 4294967296;
        const sent = new Date(s.sent_at).getTime();
        if (u(1) >= 0.975) return;
        const delivered = sent + 10_000;
        events.push({ sendId: s.id, type: 'delivered', source: 'ses', occurredAt: new Date(delivered) });
        if (u(2) < 0.15)
          events.push({
            sendId: s.id,
            type: 'opened',
            source: 'tracking',
            machine: true,
            occurredAt: new Date(delivered + 60_000),
          });
        if (u(3) < 0.32) {
          const opened = Math.min(now - 60_000, delivered + u(4) ** 3 * 68 * 3_600_000);
          events.push({ sendId: s.id, type: 'opened', source: 'tracking', occurredAt: new Date(opened) });
          if (u(5) < 0.2)
            events.push({
              sendId: s.id,
              type: 'clicked',
              source: 'tracking',
              linkId: links[Math.floor(8 * u(6) ** 2)]!,
              occurredAt: new Date(opened + 30_000),
            });
        }
      });
      for (let i = 0; i < events.length; i += 500) {
        applied += (await applyEmailEvents({ database }, events.slice(i, i + 500))).applied;
      }
    } finally {
      await database.close();
    }
    phase(`sample: ${applied} events on ${sample.length} messages through applyEmailEvents`);

    // The totals row against the ledger and the raw events.
    const [c] = (
      await db.query(
        `select
          (select row_to_json(t) from (select sent, delivered, bounced, unique_opens, unique_clicks, opens, clicks,
            machine_opens from campaign_stats where campaign_id = $1 and bucket = 'epoch') t) as totals,
          (select row_to_json(t) from (select count(*) filter (where state = 'sent') as sent,
            count(delivered_at) filter (where bounced_at is null) as delivered, count(bounced_at) as bounced,
            count(opened_at) as unique_opens, count(clicked_at) as unique_clicks, sum(opens) as opens, sum(clicks) as clicks
            from email_sends where campaign_id = $1) t) as ledger,
          (select count(*) from email_events where campaign_id = $1 and type = 'opened' and machine) as machine_opens,
          (select sum(clicks) from email_links where campaign_id = $1) as link_clicks,
          (select count(*) from email_events where campaign_id = $1 and type = 'clicked') as click_events,
          (select count(*) from email_events where campaign_id = $1) as events,
          (select count(*) from campaign_stats where campaign_id = $1) as stats_rows`,
        [campaignId],
      )
    ).rows as Array<{
      totals: Record<string, number>;
      ledger: Record<string, number>;
      machine_opens: string;
      link_clicks: string;
      click_events: string;
      events: string;
      stats_rows: string;
    }>;
    const mismatches: string[] = [];
    for (const k of ['sent', 'delivered', 'bounced', 'unique_opens', 'unique_clicks', 'opens', 'clicks']) {
      if (Number(c!.totals[k]) !== Number(c!.ledger[k]))
        mismatches.push(`${k} ${c!.totals[k]}≠${c!.ledger[k]}`);
    }
    if (Number(c!.totals.machine_opens) !== Number(c!.machine_opens)) mismatches.push('machine_opens');
    if (Number(c!.link_clicks) !== Number(c!.click_events)) mismatches.push('link clicks');
    phase('consistency check');

    await db.query('vacuum analyze contacts');
    await db.query('vacuum analyze email_sends');
    await db.query('vacuum analyze email_events');
    await db.query('vacuum analyze campaign_stats, email_links, campaigns');
    phase('vacuum analyze');
    return {
      orgId,
      campaignId,
      phases,
      rows: {
        contacts: n,
        sends: n,
        events: Number(c!.events),
        statsRows: Number(c!.stats_rows),
      },
      check: {
        ok: mismatches.length === 0,
        detail: mismatches.length
          ? `MISMATCH ${mismatches.join(', ')}`
          : `totals = ledger (sent ${c!.totals.sent}, unique opens ${c!.totals.unique_opens}, unique clicks ${c!.totals.unique_clicks}); link clicks = click events (${c!.click_events})`,
      },
    };
  } finally {
    await db.end();
  }
}

export async function campaignReportBench(): Promise<BenchResult[]> {
  const n = Number(flag('recipients') ?? process.env.BENCH_REPORT_RECIPIENTS ?? 1_000_000);
  const samples = Number(process.env.BENCH_REPORT_SAMPLES ?? 60);
  const warmup = Number(process.env.BENCH_REPORT_WARMUP ?? 10);
  const sampleSends = Math.min(Number(process.env.BENCH_REPORT_SAMPLE_SENDS ?? 2_000), Math.floor(n / 10));
  const dbName = process.env.BENCH_REPORT_DATABASE ?? 'moxora_bench_report';
  if (!/^[a-z_][a-z0-9_]*$/.test(dbName)) throw new Error(`unexpected database name ${dbName}`);
  const log = (line: string) => process.stdout.write(`  ${line}\n`);
  const r2 = (x: number) => Math.round(x * 100) / 100;

  let url: string;
  try {
    url = await freshDatabase(dbName);
  } catch (err) {
    log(`campaign-report: PostgreSQL unreachable at ${ADMIN} (${(err as Error).message}); skipped`);
    return [];
  }
  try {
    const migrator = await openPostgres(url, 2);
    await migrator.migrate();
    await migrator.close();
    const s0 = performance.now();
    const seeded = await seed(url, n, sampleSends, log);
    const seedSeconds = (performance.now() - s0) / 1000;

    fs.rmSync('.tmp/bench-campaign-report', { recursive: true, force: true });
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
      BASE_URL: ORIGIN,
      MOXORA_DATA_DIR: '.tmp/bench-campaign-report',
    });
    const database = await openPostgres(url, config.databasePoolSize);
    const runtime = await createRuntime(config, { database });
    const { app } = await buildApp(runtime);
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    try {
      const signIn = await app.inject({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        headers: { origin: ORIGIN, 'content-type': 'application/json' },
        payload: JSON.stringify({ email: OWNER_EMAIL, password: PASSWORD }),
      });
      if (signIn.statusCode !== 200) throw new Error(`sign-in: ${signIn.statusCode} ${signIn.body}`);
      const setCookie = signIn.headers['set-cookie'];
      const cookie = (Array.isArray(setCookie) ? setCookie : [setCookie ?? ''])
        .find((c) => c.includes('session_token='))
        ?.split(';')[0];
      if (!cookie) throw new Error('sign-in: no session cookie');
      const get = async (path: string) => {
        const res = await app.inject({ method: 'GET', url: path, headers: { cookie, origin: ORIGIN } });
        if (res.statusCode !== 200)
          throw new Error(`GET ${path}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        return res;
      };
      const me = (await get('/api/v1/me')).json() as { activeOrganization: { id: string } };
      if (me.activeOrganization.id !== seeded.orgId)
        throw new Error('signed in, but not into the bench organisation');

      const id = seeded.campaignId;
      const [mid] = (
        await raw.query<{ id: string }>(
          'select id from email_sends where campaign_id = $1 order by id offset $2 limit 1',
          [id, Math.floor(n / 2)],
        )
      ).rows;
      const report = (await get(`/api/v1/campaigns/${id}/report`)).json() as {
        counts: Record<string, number>;
        series: unknown[];
        links: unknown[];
        totals: Record<string, number>;
      };
      log(
        `report: ${report.series.length} hourly rows, ${report.links.length} links, counts ${JSON.stringify(report.counts)}`,
      );
      const scenarios: Array<{ name: string; path: string; target?: number; note?: string }> = [
        {
          name: 'GET /campaigns/:id/report',
          path: `/api/v1/campaigns/${id}/report`,
          target: REPORT_TARGET_MS,
          note: 'aggregates + links + ledger counts by state',
        },
        { name: 'GET /campaigns/:id (ledger counts by state)', path: `/api/v1/campaigns/${id}` },
        {
          name: 'GET /campaigns/:id/recipients (first page, 50)',
          path: `/api/v1/campaigns/${id}/recipients`,
        },
        {
          name: 'GET /campaigns/:id/recipients (page at 500k-th row)',
          path: `/api/v1/campaigns/${id}/recipients?cursor=${mid!.id}`,
          note: `cursor at row ${Math.floor(n / 2)}`,
        },
        {
          name: 'GET /campaigns/:id/recipients?state=failed (first page)',
          path: `/api/v1/campaigns/${id}/recipients?state=failed`,
        },
      ];
      const results: BenchResult[] = [];
      const load0 = os.loadavg()[0]!;
      for (const s of scenarios) {
        log(`measuring: ${s.name}`);
        const st = await timed(samples, warmup, () => get(s.path));
        results.push({
          name: s.name.replace('500k-th', `${Math.floor(n / 2000)}k-th`),
          value: st.p95,
          unit: 'ms p95',
          p50Ms: st.p50,
          p95Ms: st.p95,
          p99Ms: st.p99,
          targetMs: s.target,
          pass: s.target === undefined ? undefined : st.p95 <= s.target,
          samples: st.n,
          note: [s.note, `mean ${st.mean}, max ${st.max}`].filter(Boolean).join('; '),
        });
      }
      // The count-by-state statement alone (what ledgerCounts sends), straight through pg.
      const countSql = `select state, count(*)::int as n from email_sends where campaign_id = $1 and org_id = $2 group by state`;
      const rawCount = await timed(Math.min(samples, 30), 3, () => raw.query(countSql, [id, seeded.orgId]));
      const plan = (
        await raw.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${countSql}`, [
          id,
          seeded.orgId,
        ])
      ).rows
        .map((r) => r['QUERY PLAN'].trim())
        .filter((l) => /Scan|Aggregate|Execution Time/.test(l))
        .slice(0, 4)
        .join(' | ');
      results.push({
        name: '  the ledger count-by-state SQL alone (pg, no HTTP)',
        value: rawCount.p95,
        unit: 'ms p95',
        p50Ms: rawCount.p50,
        p95Ms: rawCount.p95,
        p99Ms: rawCount.p99,
        samples: rawCount.n,
        note: plan.slice(0, 300),
      });
      const sizes = (
        await raw.query<{ sends: string; events: string; stats: string }>(
          `select pg_total_relation_size('email_sends') as sends,
            (select sum(pg_total_relation_size(inhrelid)) from pg_inherits where inhparent = 'email_events'::regclass) as events,
            pg_total_relation_size('campaign_stats') as stats`,
        )
      ).rows[0]!;
      const mb = (b: string) => Math.round(Number(b) / 1048576);
      const load1 = os.loadavg()[0]!;
      results.push(
        {
          name: `seed: ${n} contacts + ledger rows, ${seeded.rows.events} raw events, ${seeded.rows.statsRows} stats rows`,
          value: Math.round(seedSeconds),
          unit: 's',
          note: `${Object.entries(seeded.phases)
            .map(([k, v]) => `${k} ${v}s`)
            .join(', ')}; email_sends ${mb(sizes.sends)} MB, email_events ${mb(sizes.events)} MB`,
        },
        {
          name: 'aggregates consistent with the ledger and raw events',
          value: seeded.check.ok ? 1 : 0,
          unit: seeded.check.ok ? 'yes' : 'NO',
          pass: seeded.check.ok,
          note: seeded.check.detail,
        },
        {
          name: 'host load average (1 min), start → end of measuring',
          value: r2(load1),
          unit: `(${os.cpus().length} CPUs)`,
          note: `${load0.toFixed(2)} → ${load1.toFixed(2)}; ${samples} sequential requests per row after ${warmup} warm-up, app.inject`,
        },
      );
      return results;
    } finally {
      await raw.end();
      await app.close();
      await runtime.close();
    }
  } finally {
    if (process.env.BENCH_KEEP !== '1') await dropDatabase(dbName).catch(() => {});
  }
}
