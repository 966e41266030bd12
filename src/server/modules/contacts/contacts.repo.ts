import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../lib/db.js';
import { pgArray, rows } from '../../lib/sql.js';

/** SQL for contacts. Every function takes orgId and puts it in the WHERE clause. */

export interface ContactRow {
  id: string;
  org_id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  emails: string[];
  phones: string[];
  job_title: string;
  company_id: string | null;
  company_name: string;
  address: Record<string, string> | null;
  owner_id: string | null;
  owner_name: string | null;
  source: string;
  subscription_status: string;
  consent_basis: string | null;
  consent_source: string | null;
  consent_at: Date | string | null;
  restricted: boolean;
  tag_ids: string[];
  custom: Record<string, unknown>;
  created_at: Date | string;
  updated_at: Date | string;
  _sort?: string;
}

const SELECT = sql`select c.id, c.org_id, c.first_name, c.last_name, c.email, c.emails, c.phones, c.job_title,
  c.company_id, c.company_name, c.address, c.owner_id, u.name as owner_name, c.source, c.subscription_status,
  c.consent_basis, c.consent_source, c.consent_at, c.restricted, c.tag_ids, c.custom, c.created_at, c.updated_at
  from contacts c left join users u on u.id = c.owner_id`;

export async function findContact(
  db: Db,
  orgId: string,
  id: string,
  forUpdate = false,
): Promise<ContactRow | undefined> {
  const [row] = await rows<ContactRow>(
    db,
    sql`${SELECT} where c.org_id = ${orgId} and c.id = ${id}${forUpdate ? sql` for update of c` : sql``}`,
  );
  return row;
}

export async function findByEmail(db: Db, orgId: string, email: string, exceptId?: string) {
  const [row] = await rows<{ id: string }>(
    db,
    sql`select id from contacts where org_id = ${orgId} and lower(email) = lower(${email})${exceptId ? sql` and id <> ${exceptId}` : sql``}`,
  );
  return row;
}

/**
 * One page in the requested order. No join here: joining users made the planner trade the
 * ordered index scan for a parallel seq scan + sort over a million rows (580 ms instead of
 * < 1 ms); owner names are looked up for the page's rows afterwards.
 */
export async function listPage(
  db: Db,
  orgId: string,
  q: { where: SQL[]; sortExpr: SQL; desc: boolean; limit: number },
): Promise<ContactRow[]> {
  const dir = sql.raw(q.desc ? 'desc' : 'asc');
  const page = await rows<ContactRow>(
    db,
    sql`select c.id, c.org_id, c.first_name, c.last_name, c.email, c.emails, c.phones, c.job_title, c.company_id,
        c.company_name, c.address, c.owner_id, c.source, c.subscription_status, c.consent_basis, c.consent_source,
        c.consent_at, c.restricted, c.tag_ids, c.custom, c.created_at, c.updated_at, (${q.sortExpr})::text as _sort
      from contacts c
      where c.org_id = ${orgId}${q.where.length ? sql` and ${sql.join(q.where, sql` and `)}` : sql``}
      order by ${q.sortExpr} ${dir}, c.id ${dir}
      limit ${q.limit}`,
  );
  const owners = [...new Set(page.map((r) => r.owner_id).filter((x): x is string => Boolean(x)))];
  if (owners.length) {
    const names = new Map(
      (
        await rows<{ id: string; name: string }>(
          db,
          sql`select id, name from users where id = any(${pgArray(owners)}::uuid[])`,
        )
      ).map((u) => [u.id, u.name]),
    );
    for (const r of page) r.owner_name = r.owner_id ? (names.get(r.owner_id) ?? null) : null;
  } else {
    for (const r of page) r.owner_name = null;
  }
  return page;
}

/**
 * How many contacts match; with `upTo`, counting stops after `upTo` rows (the scan ends there,
 * so a capped count over a million matching rows costs what reading `upTo` of them costs).
 */
export async function countWhere(db: Db, orgId: string, where: SQL[], upTo?: number): Promise<number> {
  const cond = sql`c.org_id = ${orgId}${where.length ? sql` and ${sql.join(where, sql` and `)}` : sql``}`;
  const [row] = await rows<{ n: number }>(
    db,
    upTo === undefined
      ? sql`select count(*)::int as n from contacts c where ${cond}`
      : sql`select count(*)::int as n from (select 1 from contacts c where ${cond} limit ${upTo}) x`,
  );
  return Number(row?.n ?? 0);
}

export async function exists(db: Db, orgId: string, id: string): Promise<boolean> {
  const [row] = await rows(db, sql`select 1 from contacts where org_id = ${orgId} and id = ${id}`);
  return Boolean(row);
}

export interface EventRow {
  id: string;
  type: string;
  actor_type: 'user' | 'apiKey' | 'system' | 'automation' | 'import';
  actor_id: string | null;
  actor_name: string | null;
  data: Record<string, unknown>;
  created_at: Date | string;
}

/**
 * A contact's events, newest first; events of one transaction (same `created_at`) in reverse
 * order of recording (`seq`). The actor's name comes from what it is (a member, an API key, an
 * import), looked up for the page's actors afterwards: joins or sub-selects for the three kinds
 * cost more to plan (~1 ms) than the two small lookups cost to run.
 */
export async function timeline(db: Db, orgId: string, contactId: string, limit: number, afterId?: string) {
  const page = await rows<Omit<EventRow, 'actor_name'>>(
    db,
    sql`select e.id, e.type, e.actor_type, e.actor_id, e.data, e.created_at
      from contact_events e
      where e.org_id = ${orgId} and e.contact_id = ${contactId}
      ${
        afterId
          ? sql`and (e.created_at, e.seq) < (select a.created_at, a.seq from contact_events a
              where a.org_id = ${orgId} and a.id = ${afterId}::uuid)`
          : sql``
      }
      order by e.created_at desc, e.seq desc limit ${limit}`,
  );
  const idsOf = (type: EventRow['actor_type']) => [
    ...new Set(page.filter((e) => e.actor_type === type && e.actor_id).map((e) => e.actor_id!)),
  ];
  const lookup = (ids: string[], query: (list: string) => ReturnType<typeof sql>) =>
    ids.length ? rows<{ id: string; name: string }>(db, query(pgArray(ids))) : Promise.resolve([]);
  const [users, keys, imports, automations] = await Promise.all([
    lookup(idsOf('user'), (l) => sql`select id, name from users where id = any(${l}::uuid[])`),
    lookup(
      idsOf('apiKey'),
      (l) => sql`select id, name from api_keys where org_id = ${orgId} and id = any(${l}::uuid[])`,
    ),
    lookup(
      idsOf('import'),
      (l) =>
        sql`select id, file_name as name from imports where org_id = ${orgId} and id = any(${l}::uuid[])`,
    ),
    lookup(
      idsOf('automation'),
      (l) => sql`select id, name from automations where org_id = ${orgId} and id = any(${l}::uuid[])`,
    ),
  ]);
  const names = new Map([...users, ...keys, ...imports, ...automations].map((r) => [r.id, r.name]));
  return page.map((e) => ({ ...e, actor_name: e.actor_id ? (names.get(e.actor_id) ?? null) : null }));
}
