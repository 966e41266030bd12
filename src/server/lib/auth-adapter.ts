import { createHash } from 'node:crypto';
import type { drizzleAdapter } from 'better-auth/adapters/drizzle';

type AdapterInstance = ReturnType<typeof drizzleAdapter>;
type Adapter = ReturnType<AdapterInstance>;
type Where = { field: string; value: unknown; operator?: string; [k: string]: unknown };
type Row = Record<string, unknown>;

/**
 * SHA-256 of a session token, base64url without padding (43 characters): the only form of a
 * session token the database holds. The same encoding as better-auth's hashed verification
 * identifiers, and as migration 0016 computes in SQL.
 */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** A stored hash (43 base64url characters). better-auth's raw tokens are 32 alphanumerics. */
const HASHED = /^[A-Za-z0-9_-]{43}$/;
const stored = (value: string) => (HASHED.test(value) ? value : hashSessionToken(value));

/**
 * Wraps better-auth's database adapter so the `sessions.token` column holds only SHA-256 hashes.
 *
 * - create: the row gets the hash; the result handed back to better-auth carries the raw token,
 *   which better-auth signs into the cookie (the cookie is the only place the raw token lives).
 * - every where clause on the session `token` field (find, update, delete, `in` lists) is
 *   rewritten to the hash, so a cookie's raw token finds its row.
 * - rows read back carry the hash, except that a lookup by raw token gets that raw token back
 *   (better-auth's findSessions maps its results by the tokens it asked for).
 * - a value already in the stored form (43 base64url characters) is used as is: better-auth's
 *   list/revoke endpoints (list-sessions → revoke-session, revoke-other-sessions) hand back the
 *   token of a listed row. Turning a stored hash into a working cookie still needs the instance's
 *   auth secret to sign it, and that secret is not readable from the database (lib/secrets.ts).
 *
 * Verification identifiers (password-reset tokens …) are hashed by better-auth itself
 * (`verification.storeIdentifier: 'hashed'` in lib/auth.ts).
 */
export function withHashedSessionTokens(inner: AdapterInstance): AdapterInstance {
  return ((options: Parameters<AdapterInstance>[0]) => wrap(inner(options))) as AdapterInstance;
}

function isSession(model: string) {
  return model === 'session';
}

/** Rewrites token conditions; returns the raw tokens it saw, by their hash. */
function hashWhere(
  model: string,
  where: Where[] | undefined,
): { where: Where[] | undefined; raw: Map<string, string> } {
  const raw = new Map<string, string>();
  if (!where || !isSession(model)) return { where, raw };
  const out = where.map((w) => {
    if (w.field !== 'token') return w;
    if (typeof w.value === 'string') {
      const h = stored(w.value);
      if (h !== w.value) raw.set(h, w.value);
      return { ...w, value: h };
    }
    if (Array.isArray(w.value)) {
      return {
        ...w,
        value: (w.value as unknown[]).map((v) => {
          if (typeof v !== 'string') return v;
          const h = stored(v);
          if (h !== v) raw.set(h, v);
          return h;
        }),
      };
    }
    return w;
  });
  return { where: out, raw };
}

function hashData<T>(model: string, data: T): T {
  if (!isSession(model) || !data || typeof data !== 'object') return data;
  const token = (data as Row).token;
  if (typeof token !== 'string') return data;
  return { ...(data as Row), token: stored(token) } as T;
}

function restore<T>(row: T, raw: Map<string, string>): T {
  if (!row || typeof row !== 'object' || raw.size === 0) return row;
  const token = (row as Row).token;
  if (typeof token === 'string' && raw.has(token)) return { ...(row as Row), token: raw.get(token) } as T;
  return row;
}

function wrap(adapter: Adapter): Adapter {
  const a = adapter as unknown as Record<string, (...args: never[]) => Promise<unknown>>;
  type Args = { model: string; where?: Where[]; data?: unknown; update?: unknown } & Row;
  const call = (name: string, args: Args) => (a[name] as unknown as (x: Args) => Promise<unknown>)(args);

  const withWhere = (name: string, mapResult: 'one' | 'many' | 'none') => async (args: Args) => {
    const { where, raw } = hashWhere(args.model, args.where);
    const next: Args = { ...args, where: where as Where[] };
    if ('update' in args) next.update = hashData(args.model, args.update);
    if ('set' in args) next.set = hashData(args.model, args.set);
    const result = await call(name, next);
    if (mapResult === 'one') return restore(result, raw);
    if (mapResult === 'many' && Array.isArray(result)) return result.map((r) => restore(r, raw));
    return result;
  };

  const wrapped: Record<string, unknown> = {
    ...adapter,
    async create(args: Args) {
      if (!isSession(args.model)) return call('create', args);
      const data = args.data as Row | undefined;
      const rawToken = typeof data?.token === 'string' ? data.token : undefined;
      const result = await call('create', { ...args, data: hashData(args.model, data) });
      // better-auth signs the returned token into the cookie: hand back the raw one.
      return rawToken && result && typeof result === 'object'
        ? { ...(result as Row), token: rawToken }
        : result;
    },
    findOne: withWhere('findOne', 'one'),
    findMany: withWhere('findMany', 'many'),
    count: withWhere('count', 'none'),
    update: withWhere('update', 'one'),
    updateMany: withWhere('updateMany', 'none'),
    delete: withWhere('delete', 'none'),
    deleteMany: withWhere('deleteMany', 'none'),
    transaction: <R>(callback: (trx: Adapter) => Promise<R>) =>
      adapter.transaction((trx) => callback(wrap(trx as unknown as Adapter) as never)),
  };
  if (typeof a.consumeOne === 'function') wrapped.consumeOne = withWhere('consumeOne', 'one');
  if (typeof a.incrementOne === 'function') wrapped.incrementOne = withWhere('incrementOne', 'one');
  return wrapped as unknown as Adapter;
}
