import { sql } from 'drizzle-orm';
import { assertCan, type Ctx } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { AppError, notFound } from '../../lib/errors.js';
import { pgCode, rows } from '../../lib/sql.js';

/** From identities of an organisation. One of them (when there is any) is the default. */

export interface SenderInput {
  name: string;
  email: string;
  replyTo?: string | null;
  isDefault?: boolean;
}

interface SenderRow {
  id: string;
  name: string;
  email: string;
  reply_to: string | null;
  is_default: boolean;
  created_at: Date | string;
}

const present = (s: SenderRow) => ({
  id: s.id,
  name: s.name,
  email: s.email,
  replyTo: s.reply_to,
  isDefault: s.is_default,
  createdAt: new Date(s.created_at).toISOString(),
});
export type Sender = ReturnType<typeof present>;

const COLUMNS = sql`id, name, email, reply_to, is_default, created_at`;

const duplicate = (email: string) =>
  new AppError('CONFLICT', `A sender with the address ${email} already exists`, {
    issues: [{ path: ['email'], message: 'is already a sender' }],
  });

/** Serialises changes to one organisation's senders (the default moves in one transaction). */
const lockSenders = (tx: Db, orgId: string) =>
  tx.execute(sql`select pg_advisory_xact_lock(hashtext('moxora:senders'), hashtext(${orgId}))`);

export async function listSenders(ctx: Ctx): Promise<Sender[]> {
  assertCan(ctx, 'campaigns:read');
  const list = await rows<SenderRow>(
    ctx.deps.database.db,
    sql`select ${COLUMNS} from senders where org_id = ${ctx.orgId} order by is_default desc, created_at, id`,
  );
  return list.map(present);
}

export async function getSender(ctx: Ctx, id: string): Promise<Sender> {
  assertCan(ctx, 'campaigns:read');
  const [s] = await rows<SenderRow>(
    ctx.deps.database.db,
    sql`select ${COLUMNS} from senders where org_id = ${ctx.orgId} and id = ${id}`,
  );
  if (!s) throw notFound('Sender');
  return present(s);
}

/** The first sender of an organisation becomes its default; `isDefault` moves the default to it. */
export async function createSender(ctx: Ctx, input: SenderInput): Promise<Sender> {
  assertCan(ctx, 'settings:write');
  try {
    const row = await ctx.deps.database.db.transaction(async (tx) => {
      await lockSenders(tx, ctx.orgId);
      const [{ n } = { n: 0 }] = await rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from senders where org_id = ${ctx.orgId}`,
      );
      const makeDefault = input.isDefault === true || n === 0;
      if (makeDefault) {
        await tx.execute(
          sql`update senders set is_default = false, updated_at = now() where org_id = ${ctx.orgId} and is_default`,
        );
      }
      const [s] = await rows<SenderRow>(
        tx,
        sql`insert into senders (org_id, name, email, reply_to, is_default)
          values (${ctx.orgId}, ${input.name}, ${input.email}, ${input.replyTo ?? null}, ${makeDefault})
          returning ${COLUMNS}`,
      );
      return s!;
    });
    return present(row);
  } catch (err) {
    if (pgCode(err) === '23505') throw duplicate(input.email);
    throw err;
  }
}

export async function updateSender(ctx: Ctx, id: string, input: Partial<SenderInput>): Promise<Sender> {
  assertCan(ctx, 'settings:write');
  try {
    const row = await ctx.deps.database.db.transaction(async (tx) => {
      await lockSenders(tx, ctx.orgId);
      const [current] = await rows<SenderRow>(
        tx,
        sql`select ${COLUMNS} from senders where org_id = ${ctx.orgId} and id = ${id}`,
      );
      if (!current) throw notFound('Sender');
      if (input.isDefault === false && current.is_default) {
        throw new AppError(
          'VALIDATION_FAILED',
          'This is the default sender: make another sender the default instead',
          { issues: [{ path: ['isDefault'], message: 'cannot be unset: make another sender the default' }] },
        );
      }
      if (input.isDefault === true && !current.is_default) {
        await tx.execute(
          sql`update senders set is_default = false, updated_at = now() where org_id = ${ctx.orgId} and is_default`,
        );
      }
      const [s] = await rows<SenderRow>(
        tx,
        sql`update senders set
            name = ${input.name ?? current.name},
            email = ${input.email ?? current.email},
            reply_to = ${input.replyTo === undefined ? current.reply_to : input.replyTo},
            is_default = ${input.isDefault === true ? true : current.is_default},
            updated_at = now()
          where org_id = ${ctx.orgId} and id = ${id}
          returning ${COLUMNS}`,
      );
      return s!;
    });
    return present(row);
  } catch (err) {
    if (pgCode(err) === '23505') throw duplicate(input.email ?? '');
    throw err;
  }
}

/** Deleting the default makes the oldest remaining sender the default. */
export async function deleteSender(ctx: Ctx, id: string): Promise<void> {
  assertCan(ctx, 'settings:write');
  await ctx.deps.database.db.transaction(async (tx) => {
    await lockSenders(tx, ctx.orgId);
    const [gone] = await rows<{ is_default: boolean }>(
      tx,
      sql`delete from senders where org_id = ${ctx.orgId} and id = ${id} returning is_default`,
    );
    if (!gone) throw notFound('Sender');
    if (gone.is_default) {
      await tx.execute(
        sql`update senders set is_default = true, updated_at = now()
          where id = (select id from senders where org_id = ${ctx.orgId} order by created_at, id limit 1)`,
      );
    }
  });
}

/** How many senders an organisation has (readiness of marketing sends). */
export async function countSenders(db: Db, orgId: string): Promise<number> {
  const [r] = await rows<{ n: number }>(
    db,
    sql`select count(*)::int as n from senders where org_id = ${orgId}`,
  );
  return r?.n ?? 0;
}
