import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A counting SMTP sink for the email benchmarks, run as its own process (so that accepting mail
 * does not share the measured process's event loop): the `smtp-server` package on 127.0.0.1, no
 * auth, no TLS; every message is read to the end, counted and discarded. Started with
 * `startSinkProcess()` (bench/campaign-send.ts) over an IPC channel:
 *   parent → child: { type: 'reset' } | { type: 'stats' } | { type: 'close' }
 *   child → parent: { type: 'ready', port } | { type: 'stats', … } (also the answer to reset)
 */
export interface SinkStats {
  type: 'stats';
  /** Messages accepted since the last reset. */
  messages: number;
  /** Distinct recipient addresses (lower-cased) among them. */
  distinct: number;
  /** Message bytes (DATA) received. */
  bytes: number;
  /** Connections opened since the last reset. */
  connections: number;
  /** When the first and the last message of this phase ended (ms since the epoch; 0 = none). */
  firstAt: number;
  lastAt: number;
  rssMb: number;
  /** CPU time of the sink process (user + system) since the last reset, in ms. */
  cpuMs: number;
}

type Request = { type: 'reset' } | { type: 'stats' } | { type: 'close' };

let messages = 0;
let bytes = 0;
let connections = 0;
let firstAt = 0;
let lastAt = 0;
let seen = new Set<string>();
let cpu0 = process.cpuUsage();

function stats(): SinkStats {
  return {
    type: 'stats',
    messages,
    distinct: seen.size,
    bytes,
    connections,
    firstAt,
    lastAt,
    rssMb: Math.round(process.memoryUsage().rss / 1048576),
    cpuMs: (() => {
      const c = process.cpuUsage(cpu0);
      return Math.round((c.user + c.system) / 1000);
    })(),
  };
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  size: 25 * 1024 * 1024,
  maxClients: 1000,
  onConnect(_session, cb) {
    connections++;
    cb();
  },
  onData(stream, session, cb) {
    let size = 0;
    stream.on('data', (c: Buffer) => {
      size += c.length;
    });
    stream.on('end', () => {
      messages++;
      bytes += size;
      const now = Date.now();
      if (!firstAt) firstAt = now;
      lastAt = now;
      for (const r of session.envelope.rcptTo) seen.add(r.address.toLowerCase());
      cb();
    });
  },
});
server.on('error', () => {});

if (!process.send) {
  process.stderr.write('smtp-sink-process: start me with child_process.fork (an IPC channel is needed)\n');
  process.exit(2);
}
const send = (m: unknown) => process.send?.(m);

process.on('message', (m: Request) => {
  if (m.type === 'reset') {
    messages = 0;
    bytes = 0;
    connections = 0;
    firstAt = 0;
    lastAt = 0;
    seen = new Set();
    cpu0 = process.cpuUsage();
    send(stats());
  } else if (m.type === 'stats') {
    send(stats());
  } else if (m.type === 'close') {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2_000).unref();
  }
});
// The parent went away: do not linger.
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  send({ type: 'ready', port: (server.server.address() as AddressInfo).port });
});
