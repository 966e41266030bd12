import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StoredContactEvent } from '../src/common/events.js';
import { createRuntime, type Runtime } from '../src/server/app.js';
import { loadConfig } from '../src/server/lib/config.js';
import { systemCtx } from '../src/server/lib/context.js';
import { openPostgres } from '../src/server/lib/db.js';
import { insertContact, patchContact } from '../src/server/modules/contacts/write/contact.js';
import './fixtures/event-recorder.js';
import { databaseMissing } from './helpers/server.js';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Events the durable test subscriber has received (JSON lines in a file). */
function recorded(file: string): StoredContactEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as StoredContactEvent);
}

// The crash test runs a second process on the same database.
describe.skipIf(databaseMissing)('event bus', () => {
  let dbUrl: string;
  let cloneName: string;
  let runtime: Runtime;
  let orgId: string;
  let dataDir: string;
  let recorderFile: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    cloneName = `${inject('pgTemplate')}_f${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    await admin.query(`create database ${cloneName} template ${inject('pgTemplate')}`);
    await admin.end();
    const url = new URL(inject('pgAdminUrl'));
    url.pathname = `/${cloneName}`;
    dbUrl = url.toString();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-bus-'));
    recorderFile = path.join(dataDir, 'recorded.jsonl');
    process.env.EVENT_RECORDER_FILE = recorderFile;
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', MOXORA_DATA_DIR: dataDir });
    // Workers (and the outbox sweep) start only when a test asks for them.
    runtime = await createRuntime(config, { database: await openPostgres(dbUrl, 4) });
    const { rows } = await runtime.database.query<{ id: string }>(
      `insert into organizations (name) values ('Bus test') returning id`,
    );
    orgId = rows[0]!.id;
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await runtime?.close();
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    await admin.query(`drop database if exists ${cloneName} with (force)`).catch(() => {});
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers an event committed just before a SIGKILL, once the next process sweeps the outbox', async () => {
    // node itself (tsx as a loader), so that the signal that kills the script is the exit we see.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'test/fixtures/commit-then-die.ts')],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          DATABASE_URL: dbUrl,
          ORG_ID: orgId,
          MOXORA_DATA_DIR: dataDir,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
    });
    child.stderr!.on('data', (d) => {
      err += d;
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, sig) => resolve(sig)),
    );
    expect(signal, err).toBe('SIGKILL');
    const contactId = out.trim();
    expect(contactId).toMatch(/^[0-9a-f-]{36}$/);

    // Committed: the contact, its event and the outbox row; nothing delivered yet.
    const db = runtime.database;
    const ev = await db.query<{ id: string; type: string }>(
      'select id, type from contact_events where contact_id = $1',
      [contactId],
    );
    expect(ev.rows.map((r) => r.type)).toEqual(['contact.created']);
    const eventId = ev.rows[0]!.id;
    const outbox = await db.query('select 1 from event_outbox where $1 = any(event_ids)', [eventId]);
    expect(outbox.rows).toHaveLength(1);
    expect(recorded(recorderFile)).toEqual([]);

    // This process starts its workers: the sweep finds the outbox row and the subscriber gets it.
    await runtime.jobs.startWorkers();
    await expect
      .poll(() => recorded(recorderFile).filter((e) => e.id === eventId), { timeout: 60_000, interval: 200 })
      .toHaveLength(1);
    const [got] = recorded(recorderFile).filter((e) => e.id === eventId);
    expect(got).toMatchObject({
      type: 'contact.created',
      orgId,
      contactId,
      actor: { type: 'system', id: null },
    });
    expect((await db.query('select 1 from event_outbox')).rows).toHaveLength(0);
  }, 120_000);

  it('calls in-process listeners after commit, with the committed change visible', async () => {
    const seen: Array<{ type: string; visible: boolean }> = [];
    let id = '';
    const off = runtime.events.on(async (events) => {
      for (const e of events) {
        if (e.contactId !== id) continue;
        // Another connection sees the change: the listener runs after the commit.
        const r = await runtime.database.query('select 1 from contacts where id = $1', [e.contactId]);
        seen.push({ type: e.type, visible: r.rows.length === 1 });
      }
    });
    try {
      const ctx = systemCtx(runtime.deps, orgId);
      id = await insertContact(ctx, {
        firstName: 'Listen',
        email: `listen-${randomBytes(4).toString('hex')}@example.com`,
      });
      await patchContact(ctx, id, { lastName: 'Closely', tags: ['heard'] });
      await expect
        .poll(() => seen.map((s) => s.type), { timeout: 30_000 })
        .toEqual(['contact.created', 'contact.updated', 'tag.added']);
      expect(seen.every((s) => s.visible)).toBe(true);
    } finally {
      off();
    }
  }, 60_000);

  it('records nothing and publishes nothing when the transaction rolls back', async () => {
    const seen: string[] = [];
    const off = runtime.events.on((events) => {
      for (const e of events) seen.push(e.type);
    });
    try {
      const ctx = systemCtx(runtime.deps, orgId);
      const email = `taken-${randomBytes(4).toString('hex')}@example.com`;
      await insertContact(ctx, { email });
      await runtime.events.dispatch();
      seen.length = 0;
      // A duplicate email fails inside the write: no contact, no event, no outbox row.
      await expect(insertContact(ctx, { email })).rejects.toMatchObject({
        code: 'DUPLICATE_EMAIL',
      });
      await runtime.events.dispatch();
      expect(seen).toEqual([]);
      expect((await runtime.database.query('select 1 from event_outbox')).rows).toHaveLength(0);
    } finally {
      off();
    }
  });
});
