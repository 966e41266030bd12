/**
 * A full garbage collection, for long batch jobs (imports), when the process was started with
 * `--expose-gc`; otherwise nothing. V8 flags are never switched at run time (the API process runs
 * with the flags it was started with).
 *
 * Why a batch job may want it: each import batch leaves tens of MB of garbage that survives a few
 * young-generation collections, and with a large default heap limit V8 lets it pile up for
 * hundreds of MB before a full collection. Collecting once per batch (a few tens of ms per
 * 20,000 rows) keeps the peak near the live set.
 */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
