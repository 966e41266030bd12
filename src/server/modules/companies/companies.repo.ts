import { sql } from 'drizzle-orm';
import type { Db } from '../../lib/db.js';
import { pgArray, rows } from '../../lib/sql.js';

/** SQL for companies that other modules need. Every function takes orgId. */

export interface CompanyRef {
  id: string;
  name: string;
}

export async function findCompanyRef(db: Db, orgId: string, id: string): Promise<CompanyRef | undefined> {
  const [co] = await rows<CompanyRef>(
    db,
    sql`select id, name from companies where org_id = ${orgId} and id = ${id}`,
  );
  return co;
}

/** The company that owns an email domain (domains are unique per organisation). */
export async function findCompanyByDomain(
  db: Db,
  orgId: string,
  domain: string,
): Promise<CompanyRef | undefined> {
  const [co] = await rows<CompanyRef>(
    db,
    sql`select id, name from companies where org_id = ${orgId} and lower(domain) = ${domain.toLowerCase()}`,
  );
  return co;
}

/**
 * Companies by name (case-insensitive; the oldest when several share a name), creating those
 * that do not exist. Keyed by lower-cased name.
 */
export async function ensureCompaniesByName(
  db: Db,
  orgId: string,
  names: string[],
): Promise<Map<string, CompanyRef>> {
  const unique = [...new Map(names.filter(Boolean).map((n) => [n.toLowerCase(), n])).values()];
  const byName = new Map<string, CompanyRef>();
  if (unique.length === 0) return byName;
  const found = await rows<CompanyRef>(
    db,
    sql`select distinct on (lower(name)) id, name from companies where org_id = ${orgId}
      and lower(name) = any(${pgArray(unique.map((n) => n.toLowerCase()))}::text[]) order by lower(name), created_at`,
  );
  for (const c of found) byName.set(c.name.toLowerCase(), c);
  const missing = unique.filter((n) => !byName.has(n.toLowerCase()));
  if (missing.length) {
    const made = await rows<CompanyRef>(
      db,
      sql`insert into companies (org_id, name) select ${orgId}::uuid, n from unnest(${pgArray(missing)}::text[]) as n returning id, name`,
    );
    for (const c of made) byName.set(c.name.toLowerCase(), c);
  }
  return byName;
}
