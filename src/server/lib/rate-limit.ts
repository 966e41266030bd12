import net from 'node:net';
import type { Database } from './db.js';
import { AppError } from './errors.js';

/**
 * Fixed-window counters in PostgreSQL, so every API process shares them (better-auth's own
 * limiter is in memory, per process). One statement per hit.
 */
export class RateLimiter {
  constructor(private readonly database: Database) {}

  /** Counts one hit and returns the count in the current window. */
  async hit(key: string, windowSeconds: number): Promise<number> {
    const { rows } = await this.database.query<{ count: number }>(
      `insert into rate_limits (key, window_start, count) values ($1, now(), 1)
       on conflict (key) do update set
         count = case when rate_limits.window_start <= now() - make_interval(secs => $2) then 1
                      else rate_limits.count + 1 end,
         window_start = case when rate_limits.window_start <= now() - make_interval(secs => $2) then now()
                      else rate_limits.window_start end
       returning count`,
      [key, windowSeconds],
    );
    return Number(rows[0]?.count ?? 0);
  }

  /**
   * Gives back one hit counted in the current window (an attempt that turned out legitimate).
   * Never below zero, and never into a window that has already ended.
   */
  async undo(key: string, windowSeconds: number): Promise<void> {
    await this.database.query(
      `update rate_limits set count = count - 1
       where key = $1 and count > 0 and window_start > now() - make_interval(secs => $2)`,
      [key, windowSeconds],
    );
  }

  /** The count in the current window without counting. */
  async peek(key: string, windowSeconds: number): Promise<number> {
    const { rows } = await this.database.query<{ count: number }>(
      `select count from rate_limits where key = $1 and window_start > now() - make_interval(secs => $2)`,
      [key, windowSeconds],
    );
    return Number(rows[0]?.count ?? 0);
  }

  async purgeExpired(maxWindowSeconds: number): Promise<void> {
    await this.database.query(
      `delete from rate_limits where window_start < now() - make_interval(secs => $1)`,
      [maxWindowSeconds],
    );
  }
}

export function rateLimited(windowSeconds: number): AppError {
  const minutes = Math.ceil(windowSeconds / 60);
  return new AppError(
    'RATE_LIMITED',
    `Too many attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    {
      retryAfterSeconds: windowSeconds,
    },
  );
}

/**
 * What per-IP limits count for a client address: an IPv4 address as is, an IPv6 address by its
 * /64 (one subscriber's network: a client holds the whole /64, so a new address in it each time
 * would otherwise start a new count), an IPv4-mapped IPv6 address as its IPv4 address.
 */
export function ipBucket(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!net.isIPv6(ip)) return ip;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return `${all
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
