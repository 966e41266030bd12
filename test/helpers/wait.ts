/**
 * Waiting for a condition, never for a fixed time: `probe` runs every `intervalMs` until it
 * returns something other than undefined, and that value is returned. The deadline is only an
 * upper bound (generous, so a loaded machine still passes); `abortIf` ends the wait at once with
 * its message (a child process that died, say) instead of waiting out the deadline.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  opts: { what: string; timeoutMs?: number; intervalMs?: number; abortIf?: () => string | undefined },
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_WAIT_MS;
  const started = performance.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    const aborted = opts.abortIf?.();
    if (aborted) throw new Error(`Gave up waiting for ${opts.what}: ${aborted}`);
    if (performance.now() - started > timeoutMs) {
      const why = lastError ? ` (last error: ${(lastError as Error).message})` : '';
      throw new Error(`Waited ${Math.round(timeoutMs / 1000)} s for ${opts.what}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 50));
  }
}

/**
 * Upper bound for in-process waits (a job finishing, a mail arriving): below the test timeout,
 * so a wait that fails says what it waited for. TEST_WAIT_MS overrides it.
 */
export const DEFAULT_WAIT_MS = Number(process.env.TEST_WAIT_MS ?? 30_000);

/**
 * Waits until the job queue has nothing left to do: no job waiting, running or due for a retry
 * (pg-boss's own housekeeping and jobs scheduled for later aside). For checks that something
 * did NOT happen (no mail sent, say): once the queue is idle, it would have happened.
 */
export async function queueIdle(server: {
  runtime: { database: { query<R>(text: string, values?: unknown[]): Promise<{ rows: R[] }> } };
}): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await server.runtime.database.query<{ n: number }>(
        `select count(*)::int as n from pgboss.job where state in ('created', 'retry', 'active')
           and name not like '__pgboss%' and start_after <= now()`,
      );
      return rows[0]!.n === 0 ? true : undefined;
    },
    { what: 'the job queue to be idle' },
  );
}
