import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/server/lib/db.js';
import {
  embeddedPostgresPid,
  freePort,
  killEmbeddedPostgres,
  PROCESS_DEADLINE_MS,
  startMoxora,
  stopAllProcesses,
} from './helpers/process.js';
import {
  CONCURRENCY,
  campaignMessages,
  claimsOf,
  expectDelivered,
  expectLeaseRespected,
  expectLedgerComplete,
  LEASE_SECONDS,
  ledgerState,
  openEmbeddedDatabase,
  RECIPIENTS,
  rowsIn,
  sendingEnv,
  signUpOwner,
  startCampaign,
  waitCampaignSent,
  waitMidCampaign,
} from './helpers/send-crash.js';
import { type SmtpSink, startSmtpSink } from './helpers/smtp-sink.js';

/**
 * `npm start` on its own data folder (no DATABASE_URL: the embedded PostgreSQL) sends a campaign
 * through a real SMTP server and is SIGKILLed in the middle; then its PostgreSQL is SIGKILLed too
 * (so the next start replays the write-ahead log). Restarted on the same folder, the database and
 * the ledger are intact (what was recorded "sent" stays sent, with its time, and is not sent
 * again), the restarted server takes back the dead one's claims once their lease expires, everyone
 * gets the campaign and the duplicates are at most the messages that were in flight.
 * (The same case on an external PostgreSQL, and SIGTERM, are in send-crash.test.ts.)
 */
const dataDirs: string[] = [];
const pools: Database[] = [];
let sink: SmtpSink | undefined;

afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close().catch(() => {});
  await stopAllProcesses(); // the servers, and the PostgreSQL left on their data folders
  await sink?.close();
  sink = undefined;
  for (const dir of dataDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function open(dir: string) {
  const database = await openEmbeddedDatabase(dir);
  pools.push(database);
  return database;
}

async function close(database: Database) {
  pools.splice(pools.indexOf(database), 1);
  await database.close();
}

describe('a campaign on the embedded PostgreSQL, `npm start` SIGKILLed mid-campaign', () => {
  it(
    'restarts on the same folder with the ledger intact; everyone gets it, duplicates at most the messages in flight',
    async () => {
      sink = await startSmtpSink();
      sink.delayMs = 20;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-send-crash-embedded-'));
      dataDirs.push(dir);
      const port = await freePort();
      const env = { PORT: String(port), MOXORA_DATA_DIR: dir, ...sendingEnv(sink) };
      const start = () => startMoxora('main', [], env);

      const first = start();
      expect((await first.waitHealthy(port)).database.kind).toBe('embedded');
      let database = await open(dir);
      const api = await signUpOwner(port, database);
      const { campaignId, emails } = await startCampaign(database, api, { prefix: 'embedded' });
      await waitMidCampaign(database, campaignId, first, 100);

      // Moxora's process group first (its PostgreSQL, in a group of its own, survives: read the
      // ledger as the crash left it), then PostgreSQL with every backend, as a power cut would.
      process.kill(-first.child.pid!, 'SIGKILL');
      await first.exited;
      const atKill = await ledgerState(database, campaignId);
      expect(atKill.status).toBe('sending');
      expect(atKill.sending).toBeGreaterThan(0);
      expect(atKill.sent).toBeLessThan(RECIPIENTS);
      const claims = await claimsOf(database, campaignId);
      const recorded = await rowsIn(database, campaignId, 'sent');
      expect(campaignMessages(sink, emails) - atKill.sent).toBeLessThanOrEqual(CONCURRENCY);
      await close(database);
      expect(await killEmbeddedPostgres(dir)).toBe(true);

      const second = start();
      expect((await second.waitHealthy(port)).database.kind).toBe('embedded');
      database = await open(dir);
      await waitCampaignSent(database, campaignId, second);
      await expectLedgerComplete(database, api, campaignId, RECIPIENTS);
      const after = await rowsIn(database, campaignId, 'sent');
      for (const [email, at] of recorded) expect(after.get(email), email).toBe(at);
      await expectLeaseRespected(database, campaignId, claims, LEASE_SECONDS);
      expectDelivered(sink, emails, {
        maxDuplicates: CONCURRENCY,
        mayRepeat: new Set(claims.keys()),
        once: recorded.keys(),
      });

      await close(database);
      expect(await second.stop('SIGTERM'), second.stderr()).toBe(0);
      expect(embeddedPostgresPid(dir)).toBeNull();
    },
    PROCESS_DEADLINE_MS * 4,
  );
});
