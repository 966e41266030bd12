import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { ApiKeyScope } from '../../../common/contacts.js';
import type { Role } from '../../../common/permissions.js';
import { assertCan, type Ctx, userIdOf } from '../../lib/context.js';
import type { Database, Db } from '../../lib/db.js';
import { AppError, notFound } from '../../lib/errors.js';
import { rows } from '../../lib/sql.js';
import { findMembership } from '../organizations/organizations.repo.js';

/** API keys: 256-bit random secrets, shown once, stored as SHA-256, scoped read or read-write. */
const PREFIX = 'mox_';
export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** The role an API key acts with inside its organisation. */
export const roleOfScope = (scope: ApiKeyScope): Role => (scope === 'read' ? 'viewer' : 'member');

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  scope: ApiKeyScope;
  created_at: Date | string;
  last_used_at: Date | string | null;
  revoked_at: Date | string | null;
  created_by: string | null;
  created_by_name: string | null;
}

const present = (k: KeyRow) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scope: k.scope,
  createdAt: new Date(k.created_at).toISOString(),
  lastUsedAt: k.last_used_at ? new Date(k.last_used_at).toISOString() : null,
  revokedAt: k.revoked_at ? new Date(k.revoked_at).toISOString() : null,
  /** The member the key belongs to: it works only while they are a member (re-home it before they leave). */
  ownerId: k.created_by,
  createdByName: k.created_by_name,
});

const SELECT = sql`select k.id, k.name, k.prefix, k.scope, k.created_at, k.last_used_at, k.revoked_at, k.created_by, u.name as created_by_name
  from api_keys k left join users u on u.id = k.created_by`;

export async function listApiKeys(ctx: Ctx) {
  assertCan(ctx, 'settings:write');
  const list = await rows<KeyRow>(
    ctx.deps.database.db,
    sql`${SELECT} where k.org_id = ${ctx.orgId} order by k.created_at desc`,
  );
  return list.map(present);
}

export async function createApiKey(ctx: Ctx, input: { name: string; scope: ApiKeyScope }) {
  assertCan(ctx, 'settings:write');
  const key = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  const db = ctx.deps.database.db;
  const [row] = await rows<{ id: string }>(
    db,
    sql`insert into api_keys (org_id, name, prefix, hash, scope, created_by)
      values (${ctx.orgId}, ${input.name}, ${key.slice(0, 12)}, ${hashKey(key)}, ${input.scope}, ${userIdOf(ctx)}) returning id`,
  );
  const [k] = await rows<KeyRow>(db, sql`${SELECT} where k.org_id = ${ctx.orgId} and k.id = ${row!.id}`);
  return { ...present(k!), key };
}

export async function revokeApiKey(ctx: Ctx, id: string) {
  assertCan(ctx, 'settings:write');
  const list = await rows(
    ctx.deps.database.db,
    sql`update api_keys set revoked_at = coalesce(revoked_at, now()) where org_id = ${ctx.orgId} and id = ${id} returning id`,
  );
  if (list.length === 0) throw notFound('API key');
}

/**
 * Re-homes a key to another member, so that it keeps working when the member it belonged to
 * leaves (removing a member revokes the keys still theirs).
 */
export async function rehomeApiKey(ctx: Ctx, id: string, ownerId: string) {
  assertCan(ctx, 'settings:write');
  const db = ctx.deps.database.db;
  if (!(await findMembership(db, ctx.orgId, ownerId))) {
    throw new AppError('VALIDATION_FAILED', 'ownerId: the new owner must be a member of this organisation', {
      issues: [{ path: ['ownerId'], message: 'Not a member of this organisation' }],
    });
  }
  const list = await rows(
    db,
    sql`update api_keys set created_by = ${ownerId} where org_id = ${ctx.orgId} and id = ${id} and revoked_at is null returning id`,
  );
  if (list.length === 0) throw notFound('API key');
  const [k] = await rows<KeyRow>(db, sql`${SELECT} where k.org_id = ${ctx.orgId} and k.id = ${id}`);
  return present(k!);
}

/** A member leaves (or is removed): the keys still theirs stop working. Returns how many. */
export async function revokeKeysOf(tx: Db, orgId: string, userId: string): Promise<number> {
  const list = await rows(
    tx,
    sql`update api_keys set revoked_at = now() where org_id = ${orgId} and created_by = ${userId} and revoked_at is null returning id`,
  );
  return list.length;
}

/**
 * Looks a presented key up by its hash. Revoked and unknown keys, and keys whose member has left
 * the organisation, are the same: null.
 */
export async function authenticateApiKey(database: Database, key: string) {
  if (!key.startsWith(PREFIX) || key.length > 200) return null;
  const [row] = await rows<{
    id: string;
    org_id: string;
    scope: ApiKeyScope;
    name: string;
    created_by: string | null;
    last_used_at: Date | null;
  }>(
    database.db,
    sql`select k.id, k.org_id, k.scope, k.name, k.created_by, k.last_used_at from api_keys k
      where k.hash = ${hashKey(key)} and k.revoked_at is null
        and exists (select 1 from members m where m.org_id = k.org_id and m.user_id = k.created_by)`,
  );
  if (!row) return null;
  if (!row.last_used_at || Date.now() - new Date(row.last_used_at).getTime() > 60_000) {
    await database.db.execute(sql`update api_keys set last_used_at = now() where id = ${row.id}`);
  }
  return row;
}
