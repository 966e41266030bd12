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
