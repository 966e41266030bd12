import { sql } from 'drizzle-orm';
import { assertCan, type Ctx, userIdOf } from '../../lib/context.js';
import { notFound } from '../../lib/errors.js';
import { rows } from '../../lib/sql.js';
import { findCompanyRef } from '../companies/companies.repo.js';
import { restrictedError } from '../contacts/write/contact.js';
import { recordEvents, writeTx } from '../contacts/write/events.js';

/** Notes on a contact or a company (markdown; the UI renders it sanitised). */
export type NoteTarget = { contactId: string } | { companyId: string };

interface NoteRow {
  id: string;
  body: string;
  author_id: string | null;
  author_name: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const present = (n: NoteRow) => ({
  id: n.id,
  body: n.body,
  author: n.author_id ? { id: n.author_id, name: n.author_name ?? '' } : null,
  createdAt: new Date(n.created_at).toISOString(),
  updatedAt: new Date(n.updated_at).toISOString(),
});

const SELECT = sql`select n.id, n.body, n.author_id, u.name as author_name, n.created_at, n.updated_at
  from notes n left join users u on u.id = n.author_id`;

async function assertTarget(ctx: Ctx, target: NoteTarget, writing = false) {
  const [row] =
    'contactId' in target
      ? await rows<{ restricted: boolean }>(
          ctx.deps.database.db,
          sql`select restricted from contacts where org_id = ${ctx.orgId} and id = ${target.contactId}`,
        )
      : (await findCompanyRef(ctx.deps.database.db, ctx.orgId, target.companyId))
        ? [{ restricted: false }]
        : [];
  if (!row) throw notFound('contactId' in target ? 'Contact' : 'Company');
  if (writing && row.restricted) throw restrictedError('given new notes');
}

const targetWhere = (t: NoteTarget) =>
  'contactId' in t ? sql`n.contact_id = ${t.contactId}` : sql`n.company_id = ${t.companyId}`;

export async function listNotes(ctx: Ctx, target: NoteTarget) {
  assertCan(ctx, 'contacts:read');
  await assertTarget(ctx, target);
  const list = await rows<NoteRow>(
    ctx.deps.database.db,
    sql`${SELECT} where n.org_id = ${ctx.orgId} and ${targetWhere(target)} order by n.created_at desc limit 500`,
  );
  return list.map(present);
}

export async function addNote(ctx: Ctx, target: NoteTarget, body: string) {
  assertCan(ctx, 'contacts:write');
  await assertTarget(ctx, target, true);
  const id = await writeTx(ctx, async (tx) => {
    const [row] = await rows<{ id: string }>(
      tx,
      sql`insert into notes (org_id, contact_id, company_id, body, author_id)
        values (${ctx.orgId}, ${'contactId' in target ? target.contactId : null}, ${'companyId' in target ? target.companyId : null},
          ${body}, ${userIdOf(ctx)}) returning id`,
    );
    if ('contactId' in target) {
      await recordEvents(tx, ctx, [
        {
          contactId: target.contactId,
          type: 'note.added',
          data: { noteId: row!.id, excerpt: body.slice(0, 140) },
        },
      ]);
    }
    return row!.id;
  });
  const [n] = await rows<NoteRow>(
    ctx.deps.database.db,
    sql`${SELECT} where n.org_id = ${ctx.orgId} and n.id = ${id}`,
  );
  return present(n!);
}

export async function updateNote(ctx: Ctx, id: string, body: string) {
  assertCan(ctx, 'contacts:write');
  const list = await rows(
    ctx.deps.database.db,
    sql`update notes set body = ${body}, updated_at = now() where org_id = ${ctx.orgId} and id = ${id} returning id`,
  );
  if (list.length === 0) throw notFound('Note');
  const [n] = await rows<NoteRow>(
    ctx.deps.database.db,
    sql`${SELECT} where n.org_id = ${ctx.orgId} and n.id = ${id}`,
  );
  return present(n!);
}

export async function deleteNote(ctx: Ctx, id: string) {
  assertCan(ctx, 'contacts:write');
  const list = await rows(
    ctx.deps.database.db,
    sql`delete from notes where org_id = ${ctx.orgId} and id = ${id} returning id`,
  );
  if (list.length === 0) throw notFound('Note');
}
