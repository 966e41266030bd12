import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { faker } from '@faker-js/faker';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { TAG_COLORS } from '../src/common/contacts.js';
import { hashPassword } from '../src/server/lib/auth.js';
import { openPostgres } from '../src/server/lib/db.js';

/**
 * Seeds the `moxora_bench` database for the contacts benchmark: 20 organisations, org #1 with
 * 1,000,000 contacts (BENCH_CONTACTS overrides, for quick runs), the others 1,000–5,000 each.
 * Deterministic (seeded faker). Contacts and their timeline events are generated row by row
 * into two COPY streams; nothing holds the whole set in memory.
 *
 * Bump SEED_VERSION whenever the generated data changes: a database seeded by another version
 * (or another size) is dropped and seeded again.
 */
export const SEED_VERSION = 3;
export const BENCH_PASSWORD = 'bench-password-0001';
export const ownerEmail = (n: number) => `owner${n}@bench.moxora.test`;
/** Tags, most popular first (the draw is weighted by rank). */
export const TAG_NAMES = [
  'customer',
  'newsletter',
  'lead',
  'prospect',
  'vip',
  'partner',
  'webinar',
  'trial',
  'churned',
  'event-2024',
  'event-2025',
  'referral',
  'enterprise-lead',
  'smb',
  'investor',
  'press',
  'beta-tester',
  'reseller',
  'supplier',
  'candidate',
  'alumni',
  'board',
  'advisor',
  'do-not-call',
  'cold',
  'warm',
  'hot',
  'upsell',
  'renewal-risk',
  'champion',
] as const;
export const PLANS = ['free', 'starter', 'pro', 'enterprise'] as const;
const ORGS = 20;
const FAKER_SEED = 20_261_201;
/** "Now" for the generated data, fixed so the data does not depend on the day it is seeded. */
const REF_MS = Date.UTC(2026, 9, 1);
const YEAR_MS = 365 * 24 * 3600 * 1000;
const FREE_MAIL = ['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'icloud.com', 'proton.me'];
const SOURCES = ['import', 'import', 'manual', 'api', 'form'];

export interface SeedOrg {
  n: number;
  id: string;
  name: string;
  ownerId: string;
  ownerEmail: string;
  contacts: number;
  companies: number;
}

export interface SeedInfo {
  version: number;
  org1Contacts: number;
  seededAt: string;
  seconds: number;
  phases: Record<string, number>;
  orgs: SeedOrg[];
  totals: { contacts: number; companies: number; events: number; contactsWithEvents: number };
  /** Contacts of org #1 with a word starting "smith" (names, emails, company). */
  smithInOrg1: number;
}

export function adminUrlOf(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

/** Returns the seed of the bench database, seeding it first if needed (or if `force`). */
export async function ensureSeeded(
  url: string,
  org1Contacts: number,
  opts: { force?: boolean; log?: (line: string) => void } = {},
): Promise<{ info: SeedInfo; seededNow: boolean }> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`  ${line}\n`));
  const dbName = decodeURIComponent(new URL(url).pathname.slice(1));
  // The seed drops and recreates this database: refuse names that do not say they are a bench.
  if (!/^[a-z_][a-z0-9_]*$/.test(dbName) || !dbName.includes('bench')) {
    throw new Error(
      `Refusing to seed ${dbName}: the bench database name must contain "bench" (it is dropped)`,
    );
  }
  const admin = new pg.Client({ connectionString: adminUrlOf(url), connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    const exists = (await admin.query('select 1 from pg_database where datname = $1', [dbName])).rowCount;
    if (exists && !opts.force) {
      const existing = await readSeedInfo(url);
      if (existing && existing.version === SEED_VERSION && existing.org1Contacts === org1Contacts) {
        return { info: existing, seededNow: false };
      }
      log(
        existing
          ? `database ${dbName} was seeded by another version or size: seeding again`
          : `database ${dbName} has no complete seed: seeding again`,
      );
    }
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.query(`create database ${dbName}`);
  } finally {
    await admin.end();
  }
  const info = await seed(url, org1Contacts, log);
  return { info, seededNow: true };
}

async function readSeedInfo(url: string): Promise<SeedInfo | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const t = await client.query<{ t: string | null }>(`select to_regclass('public._bench_seed')::text as t`);
    if (!t.rows[0]?.t) return undefined;
    const r = await client.query<{ info: SeedInfo }>('select info from _bench_seed where id = 1');
    return r.rows[0]?.info;
  } finally {
    await client.end();
  }
}

// ---------- CSV for COPY ----------

const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
const pgArray = (values: string[]) =>
  q(`{${values.map((v) => `"${v.replace(/(["\\])/g, '\\$1')}"`).join(',')}}`);
const json = (v: unknown) => q(JSON.stringify(v));
const ts = (ms: number) => new Date(ms).toISOString();
const ascii = (s: string) =>
  s
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

/** Buffers CSV lines into ~64 KB chunks and honours the COPY stream's backpressure. */
class CopyWriter {
  private parts: string[] = [];
  private size = 0;
  rows = 0;
  private error: unknown;
  constructor(private readonly stream: Writable) {
    stream.on('error', (err) => {
      this.error = err;
    });
  }
  /** Returns a promise only when the buffer was flushed (so the hot loop rarely awaits). */
  add(line: string): Promise<void> | undefined {
    if (this.error) throw this.error;
    this.parts.push(line);
    this.size += line.length;
    this.rows++;
    return this.size >= 65_536 ? this.flush() : undefined;
  }
  async flush() {
    if (this.size === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }
  async end() {
    await this.flush();
    const done = once(this.stream, 'finish');
    this.stream.end();
    await done;
  }
}

function copy(client: pg.Client, table: string, columns: string[]): CopyWriter {
  return new CopyWriter(
    client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin with (format csv)`)),
  );
}

// ---------- the seed ----------

/**
 * A time-ordered id like the database's uuid_v7() (migration 0009): Unix ms in the first 48 bits,
 * version 7, variant 10, the rest from the seeded faker. Contacts and companies are written with
 * explicit ids (events point at them), so the seed makes them the way the column default would.
 */
function uuidV7(): string {
  const hex =
    Date.now().toString(16).padStart(12, '0') +
    faker.string.hexadecimal({ length: 20, casing: 'lower', prefix: '' });
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Weighted pick of `k` distinct indexes in [0, weights.length). */
function pickDistinct(weights: number[], total: number, k: number): number[] {
  const out: number[] = [];
  while (out.length < k) {
    let r = faker.number.float({ min: 0, max: total });
    let i = 0;
    while (i < weights.length - 1 && r >= weights[i]!) {
      r -= weights[i]!;
      i++;
    }
    if (!out.includes(i)) out.push(i);
  }
  return out;
}

async function seed(url: string, org1Contacts: number, log: (line: string) => void): Promise<SeedInfo> {
  const started = performance.now();
  const phases: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - mark) / 1000;
    mark = now;
    log(`${name}: ${phases[name]} s`);
  };

  const database = await openPostgres(url, 2);
  await database.migrate(); // the app's own migrator
  await database.close();
  phase('migrate');

  faker.seed(FAKER_SEED);
  const client = new pg.Client({ connectionString: url });
  const eventsClient = new pg.Client({ connectionString: url });
  await client.connect();
  await eventsClient.connect();
  try {
    await client.query(`create table _bench_seed (id int primary key, info jsonb not null)`);

    // Organisations, owners (org #1's owner can sign in with BENCH_PASSWORD), custom fields, tags.
    const passwordHash = await hashPassword(BENCH_PASSWORD);
    const orgs: SeedOrg[] = [];
    for (let n = 1; n <= ORGS; n++) {
      const contacts = n === 1 ? org1Contacts : faker.number.int({ min: 1000, max: 5000 });
      orgs.push({
        n,
        id: faker.string.uuid(),
        name: faker.company.name(),
        ownerId: faker.string.uuid(),
        ownerEmail: ownerEmail(n),
        contacts,
        companies: n === 1 ? Math.max(100, Math.round(org1Contacts / 50)) : Math.ceil(contacts / 25),
      });
    }
    const tagIds = new Map<string, string[]>();
    await client.query('begin');
    for (const o of orgs) {
      await client.query(
        `insert into users (id, name, email, email_verified, age_confirmed, age_confirmed_at) values ($1, $2, $3, true, true, now())`,
        [o.ownerId, faker.person.fullName(), o.ownerEmail],
      );
      await client.query(
        `insert into accounts (account_id, provider_id, user_id, password) values ($1::text, 'credential', $1::uuid, $2)`,
        [o.ownerId, passwordHash],
      );
      await client.query(`insert into organizations (id, name) values ($1, $2)`, [o.id, o.name]);
      await client.query(`insert into members (org_id, user_id, role) values ($1, $2, 'owner')`, [
        o.id,
        o.ownerId,
      ]);
      await client.query(
        `insert into field_definitions (org_id, entity, key, label, type, options, position) values
          ($1, 'contact', 'score', 'Score', 'number', '[]', 0),
          ($1, 'contact', 'renewal', 'Renewal', 'date', '[]', 1),
          ($1, 'contact', 'plan', 'Plan', 'single_select', $2::jsonb, 2)`,
        [o.id, JSON.stringify(PLANS)],
      );
      const ids = TAG_NAMES.map(() => faker.string.uuid());
      tagIds.set(o.id, ids);
      await client.query(
        `insert into tags (id, org_id, name, color)
          select id, $1, name, color from unnest($2::uuid[], $3::text[], $4::text[]) as t(id, name, color)`,
        [o.id, ids, [...TAG_NAMES], TAG_NAMES.map((_, i) => TAG_COLORS[i % TAG_COLORS.length]!)],
      );
    }
    await client.query('commit');
    phase('organisations, owners, fields, tags');

    // Companies: name + unique domain per organisation (kept in memory: ~20k per org at most).
    const companiesOf = new Map<string, Array<{ id: string; name: string; domain: string }>>();
    const co = copy(client, 'companies', [
      'id',
      'org_id',
      'name',
      'domain',
      'industry',
      'size',
      'website',
      'created_at',
    ]);
    let companyTotal = 0;
    for (const o of orgs) {
      const list: Array<{ id: string; name: string; domain: string }> = [];
      const seen = new Set<string>();
      for (let i = 0; i < o.companies; i++) {
        const name = faker.company.name();
        const base = faker.helpers.slugify(name).toLowerCase().replace(/-+/g, '-').slice(0, 40) || 'company';
        let domain = `${base}.${faker.internet.domainSuffix()}`;
        for (let k = 2; seen.has(domain); k++) domain = `${base}${k}.${faker.internet.domainSuffix()}`;
        seen.add(domain);
        const c = { id: uuidV7(), name, domain };
        list.push(c);
        const created = REF_MS - faker.number.int({ min: 0, max: 3 * YEAR_MS });
        await co.add(
          `${c.id},${o.id},${q(name)},${q(domain)},${q(faker.commerce.department())},${q(faker.helpers.arrayElement(['1-10', '11-50', '51-200', '201-1000', '1000+']))},${q(`https://${domain}`)},${ts(created)}\n`,
        );
      }
      companiesOf.set(o.id, list);
      companyTotal += list.length;
    }
    await co.end();
    phase(`companies (${companyTotal})`);

    // Contacts: drop the secondary indexes, COPY, rebuild them (same definitions) afterwards.
    const idx = await client.query<{ indexname: string; indexdef: string }>(
      `select indexname, indexdef from pg_indexes
        where schemaname = 'public' and tablename = 'contacts' and indexname <> 'contacts_pkey'`,
    );
    for (const i of idx.rows) await client.query(`drop index ${i.indexname}`);

    const contactCols = [
      'id',
      'org_id',
      'first_name',
      'last_name',
      'email',
      'emails',
      'phones',
      'job_title',
      'company_id',
      'company_name',
      'address',
      'owner_id',
      'source',
      'subscription_status',
      'consent_source',
      'consent_at',
      'restricted',
      'tag_ids',
      'custom',
      'created_at',
      'updated_at',
    ];
    const cw = copy(client, 'contacts', contactCols);
    const ew = copy(eventsClient, 'contact_events', [
      'org_id',
      'contact_id',
      'type',
      'actor_id',
      'data',
      'created_at',
    ]);
    const tagWeights = TAG_NAMES.map((_, i) => 1 / (i + 1) ** 0.8);
    const tagTotal = tagWeights.reduce((a, b) => a + b, 0);
    let contactsWithEvents = 0;
    for (const o of orgs) {
      const tags = tagIds.get(o.id)!;
      const companies = companiesOf.get(o.id)!;
      for (let i = 0; i < o.contacts; i++) {
        const first = faker.person.firstName();
        const last = faker.person.lastName();
        const company = faker.number.int(99) < 75 ? faker.helpers.arrayElement(companies) : undefined;
        const f = ascii(first) || 'x';
        const l = ascii(last) || 'x';
        const local = faker.helpers.arrayElement([`${f}.${l}`, `${f[0]}${l}`, `${f}_${l}`, `${l}.${f}`]);
        const domain =
          company && faker.number.int(99) < 70 ? company.domain : faker.helpers.arrayElement(FREE_MAIL);
        // The contact's index keeps every address unique in its organisation.
        const email = `${local}${i}@${domain}`;
        const emails = faker.number.int(99) < 5 ? [`${f}${i}@${faker.helpers.arrayElement(FREE_MAIL)}`] : [];
        const phoneCount = faker.helpers.weightedArrayElement([
          { weight: 20, value: 0 },
          { weight: 65, value: 1 },
          { weight: 15, value: 2 },
        ]);
        const phones = Array.from({ length: phoneCount }, () =>
          faker.phone.number({ style: 'international' }),
        );
        const jobTitle = faker.number.int(99) < 90 ? faker.person.jobTitle() : '';
        const address =
          faker.number.int(99) < 40
            ? { city: faker.location.city(), country: faker.location.country() }
            : null;
        const owner = faker.number.int(99) < 60 ? o.ownerId : '';
        const source = faker.helpers.arrayElement(SOURCES);
        const status = faker.helpers.weightedArrayElement([
          { weight: 90, value: 'subscribed' },
          { weight: 6, value: 'unsubscribed' },
          { weight: 3, value: 'bounced' },
          { weight: 1, value: 'complained' },
        ]);
        const created = REF_MS - faker.number.int({ min: 0, max: 3 * YEAR_MS });
        const updated = created + faker.number.int({ min: 0, max: Math.floor((REF_MS - created) / 2) });
        const tagIdx = pickDistinct(tagWeights, tagTotal, faker.number.int(4));
        const custom: Record<string, unknown> = {};
        if (faker.number.int(99) < 90) custom.score = faker.number.int(1000);
        if (faker.number.int(99) < 70) {
          custom.renewal = ts(REF_MS + faker.number.int({ min: -YEAR_MS, max: 2 * YEAR_MS })).slice(0, 10);
        }
        if (faker.number.int(99) < 95) {
          custom.plan = faker.helpers.weightedArrayElement([
            { weight: 50, value: 'free' },
            { weight: 25, value: 'starter' },
            { weight: 17, value: 'pro' },
            { weight: 8, value: 'enterprise' },
          ]);
        }
        const id = uuidV7();
        const consent = source === 'form';
        const pending = cw.add(
          `${[
            id,
            o.id,
            q(first),
            q(last),
            q(email),
            pgArray(emails),
            pgArray(phones),
            q(jobTitle),
            company?.id ?? '',
            q(company?.name ?? ''),
            address ? json(address) : '',
            owner,
            q(source),
            status,
            consent ? q('signup form') : '',
            consent ? ts(created) : '',
            faker.number.int(999) < 2 ? 't' : 'f',
            pgArray(tagIdx.map((t) => tags[t]!)),
            json(custom),
            ts(created),
            ts(updated),
          ].join(',')}\n`,
        );
        if (pending) await pending;

        // ~10% of contacts get a short timeline (the API writes these on every change).
        if (faker.number.int(99) < 10) {
          contactsWithEvents++;
          const n = faker.number.int({ min: 1, max: 6 });
          let at = created;
          const lines = [`${o.id},${id},contact.created,${o.ownerId},${json({ source })},${ts(at)}\n`];
          for (let k = 1; k < n; k++) {
            at += faker.number.int({ min: 60_000, max: Math.max(60_000, Math.floor((REF_MS - at) / 3)) });
            const type = faker.helpers.arrayElement(['contact.updated', 'tag.added', 'note.added'] as const);
            const data =
              type === 'contact.updated'
                ? {
                    changes: [
                      { field: 'jobTitle', before: jobTitle || null, after: faker.person.jobTitle() },
                    ],
                  }
                : type === 'tag.added'
                  ? { tags: [faker.helpers.arrayElement(TAG_NAMES)] }
                  : { noteId: faker.string.uuid(), excerpt: faker.lorem.sentence() };
            lines.push(`${o.id},${id},${type},${o.ownerId},${json(data)},${ts(at)}\n`);
          }
          for (const line of lines) {
            const p = ew.add(line);
            if (p) await p;
          }
        }
        if (o.n === 1 && i > 0 && i % 200_000 === 0) log(`  … ${i} contacts of org #1`);
      }
    }
    await cw.end();
    await ew.end();
    const contactTotal = cw.rows;
    phase(`COPY contacts (${contactTotal}) + events (${ew.rows})`);

    await client.query(`set maintenance_work_mem = '1GB'`);
    for (const i of idx.rows) await client.query(i.indexdef);
    phase(`rebuild ${idx.rows.length} contacts indexes`);

    await client.query('vacuum (analyze)');
    phase('vacuum (analyze)');

    const org1 = orgs[0]!;
    const smith = await client.query<{ n: number }>(
      `select count(*)::int as n from contacts where org_id = $1 and search_vector @@ contacts_search_query('smith')`,
      [org1.id],
    );
    const smithInOrg1 = smith.rows[0]!.n;
    log(`contacts of org #1 matching "smith": ${smithInOrg1}`);
    if (org1Contacts >= 500_000 && smithInOrg1 < 2000) {
      throw new Error(
        `only ${smithInOrg1} contacts match "smith": the search benchmark needs a few thousand`,
      );
    }

    const info: SeedInfo = {
      version: SEED_VERSION,
      org1Contacts,
      seededAt: new Date().toISOString(),
      seconds: Math.round(performance.now() - started) / 1000,
      phases,
      orgs,
      totals: { contacts: contactTotal, companies: companyTotal, events: ew.rows, contactsWithEvents },
      smithInOrg1,
    };
    await client.query('insert into _bench_seed (id, info) values (1, $1)', [JSON.stringify(info)]);
    log(`seeded in ${info.seconds} s`);
    return info;
  } finally {
    await client.end();
    await eventsClient.end();
  }
}
