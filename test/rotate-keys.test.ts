import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildApp, createRuntime } from '../src/server/app.js';
import { createKeyring, loadKeyring } from '../src/server/lib/crypto.js';
import { openPostgres } from '../src/server/lib/db.js';
import { rotateKeys, SEALED_COLUMNS } from '../src/server/lib/rotate-keys.js';
import { signToken, verifyToken } from '../src/server/lib/tokens.js';
import { createOrg } from './helpers/factories.js';
import { PROCESS_TEST_TIMEOUT_MS, startMoxora, stopAllProcesses } from './helpers/process.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

const hexKey = () => randomBytes(32).toString('hex');

describe('keyring', () => {
  it('encrypts under the first key, decrypts under any listed key, and names the key a value was sealed with', () => {
    const [a, b] = [randomBytes(32), randomBytes(32)];
    const onlyA = createKeyring([a]);
    const sealed = onlyA.encrypt('smtp password');
    const bThenA = createKeyring([b, a]);
    expect(bThenA.decrypt(sealed)).toBe('smtp password');
    expect(bThenA.keyIdOf(sealed)).toBe(onlyA.currentKeyId);
    expect(bThenA.keyIdOf(bThenA.encrypt('x'))).toBe(bThenA.currentKeyId);
    expect(() => createKeyring([b]).decrypt(sealed)).toThrow(/unknown key/);
  });

  it('email links signed under the old key verify while it is listed among the old keys, not after', () => {
    const [a, b] = [randomBytes(32), randomBytes(32)];
    const sendId = '0190a0b0-c0d0-7e0f-8a0b-0c0d0e0f1a2b';
    const link = signToken(createKeyring([a]), 'unsubscribe', sendId);
    expect(verifyToken(createKeyring([b, a]), 'unsubscribe', link)).toEqual({ sendId });
    expect(verifyToken(createKeyring([b]), 'unsubscribe', link)).toBeNull();
    // New links are signed under the new key.
    expect(signToken(createKeyring([b, a]), 'unsubscribe', sendId)).toBe(
      signToken(createKeyring([b]), 'unsubscribe', sendId),
    );
  });

  it('loadKeyring: ENCRYPTION_KEY encrypts, ENCRYPTION_KEYS_OLD only decrypts; a malformed old key is refused', () => {
    const [a, b] = [hexKey(), hexKey()];
    const dataDir = path.join(os.tmpdir(), 'unused');
    const sealedA = loadKeyring({ encryptionKey: a, dataDir }).encrypt('v');
    const ring = loadKeyring({ encryptionKey: b, encryptionKeysOld: [a], dataDir });
    expect(ring.decrypt(sealedA)).toBe('v');
    expect(ring.currentKeyId).toBe(loadKeyring({ encryptionKey: b, dataDir }).currentKeyId);
    expect(() => loadKeyring({ encryptionKey: b, encryptionKeysOld: ['short'], dataDir })).toThrow(
      /ENCRYPTION_KEYS_OLD/,
    );
  });
});

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('moxora rotate-keys', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  // Tests run in random order: each one that rotates gets a database (and key A) of its own.
  const servers: TestServer[] = [];
  const dirs: string[] = [];
  afterEach(stopAllProcesses);
  afterAll(async () => {
    for (const s of servers) await s.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-rotate-'));
    dirs.push(d);
    return d;
  };

  /** A fresh server under key A with one of each stored secret (and the sealed auth secret). */
  async function serverWithSecrets(A: string) {
    const server = await createTestServer({ encryptionKey: A });
    servers.push(server);
    const org = await createOrg(server);
    const keysA = server.runtime.keys;
    await server.runtime.database.query(
      `insert into email_settings (org_id, smtp_host, smtp_user, smtp_password_enc) values ($1, 'smtp.test', 'u', $2)
       on conflict (org_id) do update set smtp_password_enc = excluded.smtp_password_enc`,
      [org.orgId, keysA.encrypt('smtp-password')],
    );
    await server.runtime.database.query(
      `insert into email_webhooks (org_id, provider, secret_enc) values ($1, 'postmark', $2)`,
      [org.orgId, keysA.encrypt('webhook-secret')],
    );
    /** Every sealed value of the database, by table.column and row. */
    const sealedValues = async (): Promise<Record<string, string>> => {
      const out: Record<string, string> = {};
      for (const c of SEALED_COLUMNS) {
        const filter = c.table === 'instance_settings' ? ` and key = 'auth_secret_enc'` : '';
        const { rows } = await server.runtime.database.query<{ id: string; v: string }>(
          `select ${c.key}::text as id, ${c.column} as v from ${c.table} where ${c.column} is not null${filter}`,
        );
        for (const r of rows) out[`${c.table}.${c.column}:${r.id}`] = r.v;
      }
      return out;
    };
    const before = await sealedValues();
    expect(Object.keys(before)).toHaveLength(3);
    const plain = Object.fromEntries(Object.entries(before).map(([k, v]) => [k, keysA.decrypt(v)]));
    return { server, org, sealedValues, before, plain };
  }

  it('every *_enc column of the database is listed for rotation', async () => {
    const server = await createTestServer();
    servers.push(server);
    const { rows } = await server.runtime.database.query<{ t: string; c: string }>(
      `select table_name as t, column_name as c from information_schema.columns
        where table_schema = 'public' and column_name like '%\\_enc'`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows)
      expect(
        SEALED_COLUMNS.some((c) => c.table === r.t && c.column === r.c),
        `${r.t}.${r.c}`,
      ).toBe(true);
  });

  it('re-encrypts every stored secret from A to B: B alone then decrypts everything; a second run changes nothing', async () => {
    const A = hexKey();
    const { server, org, sealedValues, before, plain } = await serverWithSecrets(A);
    const B = hexKey();
    const dataDir = tmp();
    const report = await rotateKeys(
      server.runtime.database,
      loadKeyring({ encryptionKey: B, encryptionKeysOld: [A], dataDir }),
    );
    expect(report.map((r) => [r.table, r.rotated, r.current])).toEqual([
      ['email_settings', 1, 0],
      ['email_webhooks', 1, 0],
      ['instance_settings', 1, 0],
    ]);

    const onlyB = loadKeyring({ encryptionKey: B, dataDir });
    const after = await sealedValues();
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const [k, v] of Object.entries(after)) {
      expect(onlyB.keyIdOf(v)).toBe(onlyB.currentKeyId);
      expect(onlyB.decrypt(v)).toBe(plain[k]);
    }

    const again = await rotateKeys(
      server.runtime.database,
      loadKeyring({ encryptionKey: B, encryptionKeysOld: [A], dataDir }),
    );
    expect(again.map((r) => [r.rotated, r.current])).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
    ]);
    expect(await sealedValues()).toEqual(after);

    // The auth secret survived the rotation: a process with B alone accepts a cookie issued under A.
    const database = await openPostgres(server.databaseUrl, 2);
    const runtime = await createRuntime({ ...server.config, dataDir, encryptionKey: B }, { database });
    try {
      const { app } = await buildApp(runtime);
      const me = await app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { origin: server.origin, cookie: org.owner.cookie },
      });
      expect(me.statusCode).toBe(200);
      await app.close();
    } finally {
      await runtime.close();
    }
  });

  it('the command refuses values sealed under a key it does not hold, then rotates with ENCRYPTION_KEYS_OLD and reports counts', async () => {
    const A = hexKey();
    const { server, sealedValues, before, plain } = await serverWithSecrets(A);
    const C = hexKey();
    const dataDir = tmp();
    const run = async (env: Record<string, string>) => {
      const p = startMoxora('cli', ['rotate-keys'], {
        DATABASE_URL: server.databaseUrl,
        MOXORA_DATA_DIR: dataDir,
        ...env,
      });
      const status = await p.waitForExit();
      return { status, stdout: p.stdout(), stderr: p.stderr() };
    };
    // Without the old key the values cannot be read: nothing changes and the exit code says so.
    const refused = await run({ ENCRYPTION_KEY: C });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/unknown key/);
    expect(await sealedValues()).toEqual(before);

    const ok = await run({ ENCRYPTION_KEY: C, ENCRYPTION_KEYS_OLD: ` ${hexKey()}, ${A} ` });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/email_settings\.smtp_password_enc: 1 re-encrypted, 0 already/);
    expect(ok.stdout).toMatch(/email_webhooks\.secret_enc: 1 re-encrypted, 0 already/);
    expect(ok.stdout).toMatch(/^3 secret\(s\) re-encrypted/m);
    const onlyC = loadKeyring({ encryptionKey: C, dataDir });
    for (const [k, v] of Object.entries(await sealedValues())) expect(onlyC.decrypt(v)).toBe(plain[k]);

    const twice = await run({ ENCRYPTION_KEY: C, ENCRYPTION_KEYS_OLD: A });
    expect(twice.status, twice.stderr).toBe(0);
    expect(twice.stdout).toMatch(/^0 secret\(s\) re-encrypted/m);
  });
});
