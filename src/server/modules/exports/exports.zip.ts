import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { type SQL, sql } from 'drizzle-orm';
import yazl from 'yazl';
import type { Ctx } from '../../lib/context.js';
import { rows } from '../../lib/sql.js';
import { listFields } from '../fields/fields.repo.js';
import { closeStream, contactPages, PAGE, STANDARD_COLUMNS, write, writeContactsCsv } from './exports.csv.js';

/** The organisation's data-portability export: a zip of JSON Lines and CSV files. */

const PORTABILITY_README = `# Moxora organisation export

Every file is UTF-8. JSON Lines files (.jsonl) hold one JSON object per line.

| file | one line per | fields |
|---|---|---|
| organization.json | the organisation | id, name, createdAt, exportedAt |
| members.jsonl | member | userId, name, email, role, joinedAt |
| contacts.jsonl | contact | id, firstName, lastName, email, emails, phones, jobTitle, company {id, name}, address, owner {id, name}, source, subscriptionStatus, consent {source, at}, restricted, tags (names), customFields {key: value}, createdAt, updatedAt |
| contacts.csv | contact | the same as a spreadsheet (formula-looking cells are prefixed with ') |
| companies.jsonl | company | id, name, domain, industry, size, website, address, customFields, createdAt, updatedAt |
| custom_fields.jsonl | field definition | id, entity (contact or company), key, label, type, required, options |
| tags.jsonl | tag | id, name, color |
| notes.jsonl | note | id, contactId or companyId, body (markdown), authorId, createdAt, updatedAt |
| timeline_events.jsonl | timeline event | id, contactId, type, actorId, data, createdAt |
| segments.jsonl | saved segment | id, name, filter (filter expression JSON), createdAt |
| imports.jsonl | CSV import | id, fileName, status, totalRows, counts, createdAt, finishedAt |
`;

/** The whole organisation as a zip of JSON Lines and CSV files (data portability). */
export async function writeOrganizationZip(ctx: Ctx, file: string) {
  const db = ctx.deps.database.db;
  const dir = `${file}.parts`;
  await fs.promises.mkdir(dir, { recursive: true });
  let contactsCount = 0;
  try {
    const jsonl = async (name: string, pages: AsyncIterable<unknown[]>) => {
      const out = fs.createWriteStream(path.join(dir, name), { mode: 0o600 });
      try {
        for await (const page of pages) await write(out, page.map((x) => `${JSON.stringify(x)}\n`).join(''));
      } finally {
        await closeStream(out);
      }
    };
    const paged = (query: (after: string) => SQL, map: (r: Record<string, unknown>) => unknown = (r) => r) =>
      (async function* () {
        let after = '00000000-0000-0000-0000-000000000000';
        for (;;) {
          const page = await rows<Record<string, unknown>>(db, query(after));
          if (page.length === 0) return;
          after = String(page[page.length - 1]!.id);
          yield page.map(map);
        }
      })();
    const [org] = await rows(
      db,
      sql`select id, name, created_at as "createdAt" from organizations where id = ${ctx.orgId}`,
    );
    await fs.promises.writeFile(
      path.join(dir, 'organization.json'),
      JSON.stringify({ ...org, exportedAt: new Date().toISOString() }, null, 2),
    );
    await fs.promises.writeFile(path.join(dir, 'README.md'), PORTABILITY_README);
    const list = async function* (q: SQL) {
      yield await rows(db, q);
    };
    await jsonl(
      'members.jsonl',
      list(
        sql`select m.user_id as "userId", u.name, u.email, m.role, m.created_at as "joinedAt" from members m join users u on u.id = m.user_id where m.org_id = ${ctx.orgId} order by m.created_at`,
      ),
    );
    await jsonl(
      'contacts.jsonl',
      (async function* () {
        for await (const page of contactPages(ctx, [])) {
          contactsCount += page.length;
          yield page;
        }
      })(),
    );
    const allColumns = [
      ...Object.keys(STANDARD_COLUMNS),
      ...(await listFields(db, ctx.orgId, 'contact')).map((d) => `custom.${d.key}`),
    ];
    await writeContactsCsv(ctx, { columns: allColumns, bom: true }, path.join(dir, 'contacts.csv'));
    await jsonl(
      'companies.jsonl',
      paged(
        (
          a,
        ) => sql`select id, name, domain, industry, size, website, address, custom as "customFields", created_at as "createdAt", updated_at as "updatedAt"
        from companies where org_id = ${ctx.orgId} and id > ${a}::uuid order by id limit ${PAGE}`,
      ),
    );
    await jsonl(
      'custom_fields.jsonl',
      list(
        sql`select id, entity, key, label, type, required, options from field_definitions where org_id = ${ctx.orgId} order by entity, position`,
      ),
    );
    await jsonl(
      'tags.jsonl',
      list(sql`select id, name, color from tags where org_id = ${ctx.orgId} order by lower(name)`),
    );
    await jsonl(
      'notes.jsonl',
      paged(
        (
          a,
        ) => sql`select id, contact_id as "contactId", company_id as "companyId", body, author_id as "authorId", created_at as "createdAt", updated_at as "updatedAt"
        from notes where org_id = ${ctx.orgId} and id > ${a}::uuid order by id limit ${PAGE}`,
      ),
    );
    await jsonl(
      'timeline_events.jsonl',
      paged(
        (
          a,
        ) => sql`select id, contact_id as "contactId", type, actor_id as "actorId", data, created_at as "createdAt"
        from contact_events where org_id = ${ctx.orgId} and id > ${a}::uuid order by id limit ${PAGE}`,
      ),
    );
    await jsonl(
      'segments.jsonl',
      list(
        sql`select id, name, filter, created_at as "createdAt" from segments where org_id = ${ctx.orgId} order by created_at`,
      ),
    );
    await jsonl(
      'imports.jsonl',
      list(sql`select id, file_name as "fileName", status, total_rows as "totalRows",
        jsonb_build_object('created', created_count, 'updated', updated_count, 'skipped', skipped_count, 'failed', failed_count) as counts,
        created_at as "createdAt", finished_at as "finishedAt" from imports where org_id = ${ctx.orgId} order by created_at`),
    );
    const zip = new yazl.ZipFile();
    for (const name of (await fs.promises.readdir(dir)).sort()) zip.addFile(path.join(dir, name), name);
    zip.end();
    const out = fs.createWriteStream(file, { mode: 0o600 });
    zip.outputStream.pipe(out);
    await once(out, 'finish');
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
  return contactsCount;
}
