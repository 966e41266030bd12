import { randomBytes } from 'node:crypto';
import type { Config } from './config.js';
import type { Database } from './db.js';

/**
 * The auth secret signs session cookies. AUTH_SECRET wins; otherwise one is generated once and
 * kept in the database, so every process of an installation shares it with zero setup.
 */
export async function getAuthSecret(database: Database, config: Config): Promise<string> {
  if (config.authSecret) return config.authSecret;
  await database.query(
    `insert into instance_settings (key, value) values ('auth_secret', $1) on conflict (key) do nothing`,
    [randomBytes(48).toString('base64url')],
  );
  const { rows } = await database.query<{ value: string }>(
    `select value from instance_settings where key = 'auth_secret'`,
  );
  return rows[0]!.value;
}
