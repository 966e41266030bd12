import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message as the sink received it. */
export interface SinkMessage {
  to: string[];
  from: string;
  raw: string;
  messageId: string | null;
  subject: string | null;
  header(name: string): string | null;
}

export interface SmtpSink {
  port: number;
  url: string;
  messages: SinkMessage[];
  /** Messages received per recipient address (lower-cased). */
  countsByRecipient(): Map<string, number>;
  /** Reject a recipient: return an SMTP code and text (e.g. 550 or 451), or null to accept. */
  reject: (rcpt: string) => { code: number; message: string } | null;
  /** Milliseconds to hold each message before accepting it (keeps messages in flight). */
  delayMs: number;
  close(): Promise<void>;
}

function headerOf(raw: string, name: string): string | null {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const re = new RegExp(`^${name}:\\s*(.*)$`, 'im');
  return re.exec(unfolded)?.[1]?.trim() ?? null;
}

/** A real SMTP server (the smtp-server package) on 127.0.0.1, no auth, no TLS: the test sink. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const sink: SmtpSink = {
    port: 0,
    url: '',
    messages,
    reject: () => null,
    delayMs: 0,
    countsByRecipient() {
      const m = new Map<string, number>();
      for (const msg of messages)
        for (const t of msg.to) m.set(t.toLowerCase(), (m.get(t.toLowerCase()) ?? 0) + 1);
      return m;
    },
    close: async () => {},
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address, _session, cb) {
      const r = sink.reject(address.address);
      if (r) return cb(Object.assign(new Error(r.message), { responseCode: r.code }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const accept = () => {
          messages.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            raw,
            messageId: headerOf(raw, 'Message-ID'),
            subject: headerOf(raw, 'Subject'),
            header: (name) => headerOf(raw, name),
          });
          cb();
        };
        if (sink.delayMs > 0) setTimeout(accept, sink.delayMs);
        else accept();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.url = `smtp://127.0.0.1:${sink.port}`;
  sink.close = () => new Promise<void>((r) => server.close(() => r()));
  return sink;
}
