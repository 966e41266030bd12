import { sql } from 'drizzle-orm';
import type { Keyring } from './crypto.js';
import type { Database } from './db.js';
import { rows } from './sql.js';

/**
 * Every column that holds a value sealed by the keyring (lib/crypto.ts). A new one must be listed
 * here: test/rotate-keys.test.ts fails when a `*_enc` column of the database is missing.
 */
export const SEALED_COLUMNS = [
  { table: 'email_settings', key: 'org_id', column: 'smtp_password_enc' },
  { table: 'email_webhooks', key: 'id', column: 'secret_enc' },
  // The auth secret (lib/secrets.ts): the one instance_settings row that is sealed.
  { table: 'instance_settings', key: 'key', column: 'value', where: sql`key = 'auth_secret_enc'` },
] as const;

export interface RotationReport {
  table: string;
  column: string;
  /** Re-encrypted under the current key. */
  rotated: number;
  /** Already under the current key: left alone (a second run rotates nothing). */
  current: number;
}

/**
 * Re-encrypts every sealed value under the keyring's current key (ENCRYPTION_KEY), decrypting
 * with whichever key sealed it (ENCRYPTION_KEYS_OLD lists the previous ones). One transaction per
 * table, rows locked while they are rewritten; a value sealed under a key the keyring does not
 * hold aborts that table's transaction with its name. Idempotent.
 */
export async function rotateKeys(database: Database, keys: Keyring): Promise<RotationReport[]> {
  const report: RotationReport[] = [];
  for (const spec of SEALED_COLUMNS) {
    const t = sql.identifier(spec.table);
    const k = sql.identifier(spec.key);
    const c = sql.identifier(spec.column);
    const filter = 'where' in spec ? sql` and ${spec.where}` : sql``;
    const entry = await database.db.transaction(async (tx) => {
      const found = await rows<{ id: string; sealed: string }>(
        tx,
        sql`select ${k}::text as id, ${c} as sealed from ${t} where ${c} is not null${filter} for update`,
      );
      let rotated = 0;
      for (const row of found) {
        if (keys.keyIdOf(row.sealed) === keys.currentKeyId) continue;
        let plain: string;
        try {
          plain = keys.decrypt(row.sealed);
        } catch (err) {
          throw new Error(`${spec.table}.${spec.column} (${spec.key} ${row.id}): ${(err as Error).message}`);
        }
        await tx.execute(sql`update ${t} set ${c} = ${keys.encrypt(plain)} where ${k}::text = ${row.id}`);
        rotated++;
      }
      return { table: spec.table, column: spec.column, rotated, current: found.length - rotated };
    });
    report.push(entry);
  }
  return report;
}
