/**
 * The engine's clock. Automations read time from here (never `Date.now()` or SQL `now()` for
 * wait decisions), so tests and the Chromium end-to-end test can jump through days of waits:
 * `CLOCK_OFFSET_MS` sets a starting offset (refused in production), `advance()` moves it on.
 */
let offsetMs = 0;

export const clock = {
  now(): Date {
    return new Date(Date.now() + offsetMs);
  },
  offsetMs(): number {
    return offsetMs;
  },
  /** Tests and the dev clock endpoint only. */
  setOffset(ms: number): void {
    offsetMs = ms;
  },
  advance(ms: number): void {
    offsetMs += ms;
  },
};
