import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openPostgres } from '../src/server/lib/db.js';
import { freePort, PROCESS_TEST_TIMEOUT_MS, startMoxora, stopAllProcesses } from './helpers/process.js';
import {
  CONCURRENCY,
  campaignMessages,
  cancelUnfinishedCampaigns,
  claimsOf,
  cloneTestDatabase,
  expectDelivered,
  expectLeaseRespected,
  expectLedgerComplete,
  ledgerState,
  RECIPIENTS,
  rowsIn,
  sendingEnv,
  signUpOwner,
  startCampaign,
  waitCampaignSent,
  waitMidCampaign,
} from './helpers/send-crash.js';
import { databaseMissing } from './helpers/server.js';
import { type SmtpSink, startSmtpSink } from './helpers/smtp-sink.js';

const TEST_ENCRYPTION_KEY = randomBytes(32).toString('hex');

/**
 * The send ledger's guarantees, shown on a real process (`npm start`'s compiled server on the run's
 * PostgreSQL) sending a campaign of RECIPIENTS messages through a real SMTP server that holds each
 * message ~20 ms (so messages are in flight when the process dies):
 * - SIGKILL mid-campaign: the campaign is not "sent"; after a restart (which requeues the dead
 *   process's claims once their lease expires) everyone gets it, the duplicates are
 *   at most SEND_CONCURRENCY and only to people in flight at the kill, nobody recorded "sent" is
 *   sent again, and the campaign never reads "sent" while a row is queued or sending;
 * - SIGTERM mid-campaign: the process finishes what is in flight, records it, puts the rest back,
 *   exits 0 within its graceful window (past it main.ts forces exit code 1) with nothing left
 *   "sending"; after a restart, nobody twice.
 */
/**
 * Longer than the restart plus sending the queued rest takes on a busy 2-core machine (~15 s), so
 * that the restarted server ends up with nothing to do but wait for the dead one's claims: the
 * moment a campaign could wrongly read "sent" (rows still "sending"), or a runner take claims back
 * too early. (The embedded test keeps the short default: it shows the quick takeover.)
 */
const LEASE_SECONDS = 30;

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)(
  'a sending server killed mid-campaign',
  { timeout: PROCESS_TEST_TIMEOUT_MS },
  () => {
    let db: { url: string; drop(): Promise<void> };
    let database: Database;
    let sink: SmtpSink | undefined;
    const dataDirs: string[] = [];

    beforeAll(async () => {
      db = await cloneTestDatabase();
      database = await openPostgres(db.url, 3);
    });
    afterEach(async () => {
      await stopAllProcesses();
      // A campaign a failed test left running must not be sent by the next test's server.
      if (database) await cancelUnfinishedCampaigns(database);
      await sink?.close();
      sink = undefined;
      for (const dir of dataDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    });
    afterAll(async () => {
      await database?.close();
      await db?.drop();
    });

    async function setup(prefix: string) {
      sink = await startSmtpSink();
      sink.delayMs = 20;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-send-crash-'));
      dataDirs.push(dir);
      const port = await freePort();
      const env = {
        PORT: String(port),
        DATABASE_URL: db.url,
        MOXORA_DATA_DIR: dir,
        // One installation, one key (docs/operations.md): each test's data folder is new, the database is not.
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        ...sendingEnv(sink, LEASE_SECONDS),
      };
      const start = () => startMoxora('main', [], env);
      const first = start();
      await first.waitHealthy(port);
      const api = await signUpOwner(port, database);
      const { campaignId, emails } = await startCampaign(database, api, { prefix });
      return { sink, port, start, first, api, campaignId, emails };
    }

    it('SIGKILL: after a restart everyone gets it, duplicates at most the messages in flight', async () => {
      const { sink, port, start, first, api, campaignId, emails } = await setup('kill');
      await waitMidCampaign(database, campaignId, first, 100);
      process.kill(-first.child.pid!, 'SIGKILL');
      await first.exited;
      const atKill = await ledgerState(database, campaignId);
      expect(atKill.status).toBe('sending');
      expect(atKill.sent).toBeGreaterThanOrEqual(100);
      expect(atKill.sent).toBeLessThan(RECIPIENTS);
      expect(atKill.sending, 'claims of the dead process, held until their lease expires').toBeGreaterThan(0);
      const claims = await claimsOf(database, campaignId);
      expect(claims.size).toBe(atKill.sending);
      const recorded = await rowsIn(database, campaignId, 'sent');
      const receivedAtKill = campaignMessages(sink, emails);
      // Whatever the sink took but the ledger did not record was in flight: one per lane at most.
      expect(receivedAtKill - atKill.sent).toBeLessThanOrEqual(CONCURRENCY);
      expect(receivedAtKill).toBeGreaterThanOrEqual(atKill.sent);

      const second = start();
      await second.waitHealthy(port);
      const { reads, heldReads } = await waitCampaignSent(database, campaignId, second, claims.size);
      expect(reads).toBeGreaterThan(1); // it was watched while it ran, not only at the end
      expect(
        heldReads,
        'the restarted server was seen waiting for the dead claims with nothing queued (if this machine needs longer than LEASE_SECONDS to restart and send the rest, raise it)',
      ).toBeGreaterThan(0);
      await expectLedgerComplete(database, api, campaignId, RECIPIENTS);
      // Rows recorded before the kill kept their sent_at: they were not sent again.
      const after = await rowsIn(database, campaignId, 'sent');
      for (const [email, at] of recorded) expect(after.get(email), email).toBe(at);
      expectDelivered(sink, emails, {
        maxDuplicates: CONCURRENCY,
        mayRepeat: new Set(claims.keys()),
        once: recorded.keys(),
      });
      // The dead process's claims were taken back once their lease had expired, and logged.
      await expectLeaseRespected(database, campaignId, claims, LEASE_SECONDS);
      expect(second.stderr() + second.stdout()).toContain('queued again');
      expect(await second.stop('SIGTERM'), second.stderr()).toBe(0);
    });

    it('SIGTERM: exits 0 within its graceful window, nothing left sending; after a restart nobody twice', async () => {
      const { sink, port, start, first, api, campaignId, emails } = await setup('term');
      await waitMidCampaign(database, campaignId, first, 100);
      // Exit code 0 is the proof of a graceful stop: past its window main.ts forces exit code 1.
      expect(await first.stop('SIGTERM'), first.stderr()).toBe(0);
      const atStop = await ledgerState(database, campaignId);
      expect(atStop).toMatchObject({ status: 'sending', sending: 0, failed: 0 });
      expect(atStop.queued).toBeGreaterThan(0);
      expect(atStop.sent + atStop.queued).toBe(RECIPIENTS);
      // Everything the sink accepted was recorded before the exit.
      expect(campaignMessages(sink, emails)).toBe(atStop.sent);
      const recorded = await rowsIn(database, campaignId, 'sent');

      const second = start();
      await second.waitHealthy(port);
      await waitCampaignSent(database, campaignId, second);
      await expectLedgerComplete(database, api, campaignId, RECIPIENTS);
      const after = await rowsIn(database, campaignId, 'sent');
      for (const [email, at] of recorded) expect(after.get(email), email).toBe(at);
      expect(expectDelivered(sink, emails, { maxDuplicates: 0 })).toBe(0);
      for (const e of emails) expect(sink.countsByRecipient().get(e), e).toBe(1);
      expect(campaignMessages(sink, emails)).toBe(RECIPIENTS);
      expect(await second.stop('SIGTERM'), second.stderr()).toBe(0);
    });
  },
);
