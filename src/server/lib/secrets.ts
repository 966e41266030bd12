import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Config } from './config.js';
import type { Keyring } from './crypto.js';
import type { Database } from './db.js';
import { rows } from './sql.js';

/** instance_settings key of the auth secret, sealed under the keyring (never in clear). */
export const AUTH_SECRET_KEY = 'auth_secret_enc';
/** Where releases before 0016 kept the auth secret in clear: converted and deleted on start. */
const LEGACY_KEY = 'auth_secret';

/**
 * The auth secret signs session cookies and encrypts better-auth's own secrets (TOTP secrets,
 * recovery codes). AUTH_SECRET from the environment wins. Otherwise a random secret is generated
 * once and stored only AES-256-GCM-sealed under the encryption key (lib/crypto.ts), so a database
 * dump alone reveals nothing, every process with the same key shares it, and `moxora rotate-keys`
 * re-seals it under a new key without signing anyone out or losing a TOTP secret (a secret
 * derived from the key itself would change with every key rotation). A clear secret left by an
 * older release is sealed and its row deleted here, in one transaction, so nobody is signed out.
 */
export async function getAuthSecret(database: Database, config: Config, keys: Keyring): Promise<string> {
  if (config.authSecret) {
    // The environment's secret is the one in use: no copy of an older one stays behind. A
    // clean-up only: a database that cannot be reached (the OpenAPI generator has none) fails the
    // first real query instead.
    await database.query(`delete from instance_settings where key = $1`, [LEGACY_KEY]).catch(() => {});
    return config.authSecret;
  }
  return database.db.transaction(async (tx) => {
    // Two processes starting together agree on one secret.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('moxora:auth_secret'))`);
    const found = await rows<{ key: string; value: string }>(
      tx,
      sql`select key, value from instance_settings where key in (${AUTH_SECRET_KEY}, ${LEGACY_KEY})`,
    );
    const sealed = found.find((r) => r.key === AUTH_SECRET_KEY)?.value;
    const legacy = found.find((r) => r.key === LEGACY_KEY)?.value;
    let secret: string;
    if (sealed) secret = keys.decrypt(sealed);
    else {
      secret = legacy ?? randomBytes(48).toString('base64url');
      await tx.execute(
        sql`insert into instance_settings (key, value) values (${AUTH_SECRET_KEY}, ${keys.encrypt(secret)})`,
      );
    }
    if (legacy !== undefined) await tx.execute(sql`delete from instance_settings where key = ${LEGACY_KEY}`);
    return secret;
  });
}
