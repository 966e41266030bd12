import fs from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { outboxDir } from '../../src/server/lib/mailer.js';
import type { TestServer } from './server.js';
import { DEFAULT_WAIT_MS, waitFor } from './wait.js';

export interface OutboxMessage {
  file: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  links: string[];
}

async function readAll(server: TestServer): Promise<OutboxMessage[]> {
  const dir = outboxDir(server.config.dataDir);
  let names: string[] = [];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.endsWith('.eml')).sort();
  } catch {
    return [];
  }
  return Promise.all(
    names.map(async (file) => {
      const m = await simpleParser(await fs.readFile(path.join(dir, file)));
      const to = m.to ? (Array.isArray(m.to) ? m.to.map((a) => a.text).join(', ') : m.to.text) : '';
      const text = m.text ?? '';
      return {
        file,
        to,
        subject: m.subject ?? '',
        text,
        html: typeof m.html === 'string' ? m.html : '',
        links: text.match(/https?:\/\/\S+/g) ?? [],
      };
    }),
  );
}

/** Waits (polling the outbox folder) for a message to `to` whose subject matches; returns the latest. */
export async function waitForMail(
  server: TestServer,
  to: string,
  subject: RegExp,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<OutboxMessage> {
  return waitFor(
    async () => (await readAll(server)).filter((m) => m.to.includes(to) && subject.test(m.subject)).at(-1),
    { what: `a mail to ${to} matching ${subject}`, timeoutMs },
  );
}

export async function mailsTo(server: TestServer, to: string): Promise<OutboxMessage[]> {
  return (await readAll(server)).filter((m) => m.to.includes(to));
}
