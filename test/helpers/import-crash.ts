import { expect } from 'vitest';
import type { Database } from '../../src/server/lib/db.js';
import { waitFor } from './wait.js';

/**
 * A CSV made to show a batch applied twice, or rows applied out of order, after a crash and resume
 * of an import (used by test/import-crash.test.ts; reusable for a crash of `npm start` on the
 * embedded database):
 * - every 10th row repeats the email of the row 3,001 rows before it (another batch, the same
 *   partition: the email decides it) with a first name starting "Later": the later row must win;
 * - every 7th row (that is no repeat) has no email, only a name: no unique key catches a second
 *   copy, only exactly-once progress keeps it from being created twice.
 */
export function crashImportCsv(rows: number) {
  const lines = ['email,first name,last name'];
  const firstNameOf = new Map<string, string>(); // email → the first name the contact must end with
  let noEmail = 0;
  let repeats = 0;
  for (let i = 0; i < rows; i++) {
    if (i % 7 === 6 && i % 10 !== 9) {
      lines.push(`,Nomail${i},Last${i}`);
      noEmail++;
      continue;
    }
    // A repeat names the email row i - 3001 would have had (a new one when that row had none).
    const repeat = i % 10 === 9 && i >= 3001;
    const email = `person${repeat ? i - 3001 : i}@crash.test`;
    const first = repeat ? `Later${i}` : `First${i}`;
    if (firstNameOf.has(email)) repeats++;
    firstNameOf.set(email, first);
    lines.push(`${email},${first},Last${i}`);
  }
  return {
    csv: `${lines.join('\n')}\n`,
    expected: {
      rows,
      /** Contacts the import must create: distinct emails and the rows without one. */
      contacts: firstNameOf.size + noEmail,
      noEmail,
      /** Rows whose email an earlier row already had (merged into its contact). */
      repeats,
      /** Contacts whose first name is a "Later…" one (the later row won). */
      later: [...firstNameOf.values()].filter((f) => f.startsWith('Later')).length,
    },
  };
}

export interface ImportState {
  status: string;
  rows_done: number;
  parts_done: number[] | null;
  created_count: number;
  updated_count: number;
  skipped_count: number;
  unchanged_count: number;
  failed_count: number;
}

export async function importState(database: Database, id: string): Promise<ImportState> {
  return (
    await database.query<ImportState>(
      `select status, error, rows_done, parts_done, created_count, updated_count, skipped_count, unchanged_count, failed_count
       from imports where id = $1`,
      [id],
    )
  ).rows[0]!;
}

/**
 * Waits until every partition of the import has committed at least one batch (and the import is
 * not finished): the moment to kill its runner in the middle of the work of all its writers.
 */
export async function waitForEveryWriter(
  database: Database,
  id: string,
  opts: { timeoutMs: number; abortIf?: () => string | undefined },
): Promise<ImportState> {
  return waitFor(
    async () => {
      const s = await importState(database, id);
      if (s.status !== 'running') throw new Error(`the import ended (${s.status}) before it could be killed`);
      return s.parts_done && s.parts_done.length > 0 && s.parts_done.every((n) => n > 0) ? s : undefined;
    },
    { what: 'every writer of the import to commit a batch', intervalMs: 10, ...opts },
  );
}

/** After the resumed import: every row exactly once, the later row of a repeated email won. */
export async function expectImportedExactlyOnce(
  database: Database,
  orgId: string,
  id: string,
  expected: ReturnType<typeof crashImportCsv>['expected'],
) {
  const s = await importState(database, id);
  expect(s).toMatchObject({
    status: 'done',
    rows_done: expected.rows,
    created_count: expected.contacts,
    failed_count: 0,
    unchanged_count: 0,
  });
  // A repeat in another batch updates the contact its first row created (counted as skipped, like a
  // repeat inside one batch): created + skipped covers every row.
  expect(s.created_count + s.skipped_count + s.updated_count).toBe(expected.rows);
  expect(s.skipped_count).toBe(expected.repeats);
  expect(s.parts_done!.reduce((a, b) => a + b, 0)).toBe(expected.rows);
  const counts = (
    await database.query<{
      contacts: number;
      no_email: number;
      later: number;
      created: number;
      distinct_created: number;
    }>(
      `select (select count(*)::int from contacts where org_id = $1) as contacts,
              (select count(*)::int from contacts where org_id = $1 and email is null) as no_email,
              (select count(*)::int from contacts where org_id = $1 and first_name like 'Later%') as later,
              (select count(*)::int from contact_events where org_id = $1 and type = 'contact.created') as created,
              (select count(distinct contact_id)::int from contact_events where org_id = $1 and type = 'contact.created') as distinct_created`,
      [orgId],
    )
  ).rows[0]!;
  expect(counts).toEqual({
    contacts: expected.contacts,
    no_email: expected.noEmail,
    later: expected.later,
    created: expected.contacts,
    distinct_created: expected.contacts,
  });
}
