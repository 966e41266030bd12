import { sql } from 'drizzle-orm';
import type { Db } from '../../lib/db.js';
import { pgArray, rows } from '../../lib/sql.js';

export interface TagRow {
  id: string;
  name: string;
  color: string;
}

export async function tagMap(db: Db, orgId: string): Promise<Map<string, TagRow>> {
  const list = await rows<TagRow>(db, sql`select id, name, color from tags where org_id = ${orgId}`);
  return new Map(list.map((t) => [t.id, t]));
}

/** Resolves names to ids (case-insensitive), creating the tags that do not exist yet. */
export async function ensureTags(db: Db, orgId: string, names: string[]): Promise<TagRow[]> {
  const clean = [
    ...new Map(
      names
        .map((n) => n.trim())
        .filter(Boolean)
        .map((n) => [n.toLowerCase(), n]),
    ).values(),
  ];
  if (clean.length === 0) return [];
  await db.execute(sql`insert into tags (org_id, name)
    select ${orgId}::uuid, n from unnest(${pgArray(clean)}::text[]) as n
    on conflict (org_id, lower(name)) do nothing`);
  return rows<TagRow>(
    db,
    sql`select id, name, color from tags where org_id = ${orgId} and lower(name) = any(${pgArray(clean.map((n) => n.toLowerCase()))}::text[])`,
  );
}

export async function findTagsByNames(db: Db, orgId: string, names: string[]): Promise<TagRow[]> {
  if (names.length === 0) return [];
  return rows<TagRow>(
    db,
    sql`select id, name, color from tags where org_id = ${orgId} and lower(name) = any(${pgArray(names.map((n) => n.trim().toLowerCase()))}::text[])`,
  );
}
