import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  kind: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<{ messageId: string }>;
  verify(): Promise<boolean>;
  close(): void;
}

/** Sends through any SMTP provider (SMTP_URL). */
export function createSmtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    kind: 'smtp',
    async send(message) {
      const info = await transport.sendMail({ from, ...message });
      return { messageId: info.messageId };
    },
    async verify() {
      try {
        await transport.verify();
        return true;
      } catch {
        return false;
      }
    },
    close() {
      transport.close();
    },
  };
}

/** The zero-setup default: each message becomes a real RFC 5322 `.eml` file in `dir`. */
export function createOutboxMailer(dir: string, from: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'outbox',
    async send(message) {
      const info = await transport.sendMail({ from, ...message });
      await writeOutboxFile(dir, info.message as Buffer);
      return { messageId: info.messageId };
    },
    async verify() {
      await fs.mkdir(dir, { recursive: true });
      return true;
    },
    close() {},
  };
}

/** Writes one message as an `.eml` file in `dir` (written aside, then renamed: never half a file). */
export async function writeOutboxFile(dir: string, message: Buffer): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
  const tmp = path.join(dir, `.${name}.tmp`);
  await fs.writeFile(tmp, message, { mode: 0o600 });
  await fs.rename(tmp, path.join(dir, name));
}

export function outboxDir(dataDir: string): string {
  return path.join(dataDir, 'outbox');
}
