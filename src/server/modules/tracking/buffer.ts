import type { Logger } from 'pino';

/**
 * The tracking hot path never waits for the database: opens and clicks are kept here and written
 * in batches (one `write` call per batch of up to `batchSize`).
 *
 * - A flush runs every `intervalMs` (100 ms) and as soon as `batchSize` (1,000) events wait.
 * - Events of the held kind (clicks) are written only once they are `holdMs` old (2 s), so the
 *   burst rule can still mark them machine when later clicks of the same message arrive.
 * - A failed write keeps its events (at the front, in order) and is retried with exponential
 *   backoff (100 ms doubling to 10 s).
 * - A write refused for its data (`isPoison`, e.g. a constraint violation, never an outage) is
 *   split in halves until the one event it cannot take is alone; that event is dropped with an
 *   error log, so one bad event never blocks the rest.
 * - Memory is bounded: beyond `maxPending` (100,000) waiting events the oldest are dropped and a
 *   warning says how many.
 * - `close()` writes everything (held events too) before it resolves, retrying a failing write a
 *   few times; the app's onClose calls it before the runtime closes the database.
 */
export interface BufferedEvent {
  /** When it happened (ms since epoch): the hold and the drop order go by it. */
  receivedAt: number;
}

export interface EventBufferOptions<E extends BufferedEvent> {
  write: (batch: E[]) => Promise<void>;
  /** Events to hold back for `holdMs` before they are written (clicks). */
  held?: (event: E) => boolean;
  holdMs?: number;
  intervalMs?: number;
  batchSize?: number;
  maxPending?: number;
  log?: Pick<Logger, 'warn' | 'error'>;
  /** Whether a write failed because of the events themselves (retrying the same batch cannot help). */
  isPoison?: (err: unknown) => boolean;
  /** Tries and backoff of close()'s final write. */
  closeAttempts?: number;
}

const MAX_BACKOFF_MS = 10_000;

export class EventBuffer<E extends BufferedEvent> {
  /** Written at the next flush. */
  private ready: E[] = [];
  /** Held kind, in arrival order: the ones old enough are a prefix. */
  private holding: E[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private retryAt = 0;
  private droppedSinceWarning = 0;
  private lastDropWarning = 0;
  private readySincePass = 0;
  private closed = false;
  /** Batch size now: halved around an event the writer refuses, back up after successes. */
  private limit: number;
  private readonly opts: Required<Omit<EventBufferOptions<E>, 'log' | 'held' | 'isPoison'>> &
    Pick<EventBufferOptions<E>, 'log' | 'held' | 'isPoison'>;

  /** Counters for tests, logs and the benchmark. */
  readonly stats = { pushed: 0, written: 0, dropped: 0, failedWrites: 0, poisoned: 0 };

  constructor(opts: EventBufferOptions<E>) {
    this.opts = {
      holdMs: 2_000,
      intervalMs: 100,
      batchSize: 1_000,
      maxPending: 100_000,
      closeAttempts: 6,
      ...opts,
    };
    this.limit = this.opts.batchSize;
    this.timer = setInterval(() => this.tick(), this.opts.intervalMs);
    this.timer.unref();
  }

  get pending(): number {
    return this.ready.length + this.holding.length;
  }

  push(event: E): void {
    if (this.opts.held?.(event)) this.holding.push(event);
    else {
      this.ready.push(event);
      this.readySincePass++;
    }
    this.stats.pushed++;
    if (this.pending > this.opts.maxPending) this.dropOldest(this.pending - this.opts.maxPending);
    if (this.readySincePass >= this.opts.batchSize && !this.flushing && Date.now() >= this.retryAt) {
      void this.pass(false).catch(() => {});
    }
    // After close (a request that raced the shutdown): write it now rather than never.
    if (this.closed && !this.flushing) void this.pass(true).catch(() => {});
  }

  /** Writes everything waiting now, held events included. Rejects when a write fails. */
  async flush(): Promise<void> {
    // A pass already running may have taken only part (unforced): run forced passes until empty.
    while (this.pending > 0 || this.flushing) {
      if (this.flushing) await this.flushing.catch(() => {});
      else await this.pass(true);
    }
  }

  /** Stops the timer and writes everything; a failing write is retried with backoff first. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.closed = true;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.flush();
        this.warnDropped(true);
        return;
      } catch (err) {
        if (attempt >= this.opts.closeAttempts) {
          this.opts.log?.error(
            { err, lost: this.pending },
            `tracking: ${this.pending} open/click events could not be written before shutdown`,
          );
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt)));
      }
    }
  }

  private tick(): void {
    if (this.flushing || this.pending === 0 || Date.now() < this.retryAt) return;
    void this.pass(false).catch(() => {});
  }

  /** One flush: batches until nothing (old enough) is left. Only one runs at a time. */
  private pass(force: boolean): Promise<void> {
    if (this.flushing) return this.flushing;
    const run = async () => {
      this.readySincePass = 0;
      try {
        for (;;) {
          const batch = this.take(force);
          if (batch.length === 0) return;
          try {
            await this.opts.write(batch);
          } catch (err) {
            if (this.opts.isPoison?.(err)) {
              this.stats.failedWrites++;
              if (batch.length === 1) {
                this.stats.poisoned++;
                this.opts.log?.error(
                  { err, event: batch[0] },
                  'tracking: an open/click event was refused by the database and dropped',
                );
              } else {
                this.putBack(batch);
                this.limit = Math.max(1, Math.floor(batch.length / 2));
              }
              continue;
            }
            this.putBack(batch);
            this.failures++;
            this.stats.failedWrites++;
            const backoff = Math.min(MAX_BACKOFF_MS, 100 * 2 ** (this.failures - 1));
            this.retryAt = Date.now() + backoff;
            this.opts.log?.warn(
              { err, waiting: this.pending, retryInMs: backoff },
              'tracking: writing open/click events failed; they are kept and retried',
            );
            throw err;
          }
          this.stats.written += batch.length;
          this.limit = Math.min(this.opts.batchSize, this.limit * 2);
          this.failures = 0;
          this.retryAt = 0;
        }
      } finally {
        this.warnDropped(false);
      }
    };
    // Cleared in a callback (always asynchronous), so a pass that ends at once still clears it.
    const p: Promise<void> = run().finally(() => {
      if (this.flushing === p) this.flushing = null;
    });
    this.flushing = p;
    return p;
  }

  private take(force: boolean): E[] {
    const size = this.limit;
    const batch = this.ready.length <= size ? this.ready : this.ready.slice(0, size);
    if (batch === this.ready) this.ready = [];
    else this.ready = this.ready.slice(size);
    if (batch.length >= size || this.holding.length === 0) return batch;
    const cutoff = Date.now() - this.opts.holdMs;
    let n = 0;
    const room = size - batch.length;
    while (n < this.holding.length && n < room && (force || this.holding[n]!.receivedAt <= cutoff)) n++;
    if (n === 0) return batch;
    const taken = this.holding.slice(0, n);
    this.holding = this.holding.slice(n);
    return batch.length === 0 ? taken : batch.concat(taken);
  }

  private putBack(batch: E[]): void {
    const held = this.opts.held;
    const heldBack = held ? batch.filter(held) : [];
    const readyBack = held ? batch.filter((e) => !held(e)) : batch;
    this.ready = readyBack.concat(this.ready);
    this.holding = heldBack.concat(this.holding);
    if (this.pending > this.opts.maxPending) this.dropOldest(this.pending - this.opts.maxPending);
  }

  private dropOldest(count: number): void {
    let left = count;
    while (left > 0 && this.pending > 0) {
      const r = this.ready[0];
      const h = this.holding[0];
      // Whole runs at once from the queue whose head is older.
      const fromReady = r !== undefined && (h === undefined || r.receivedAt <= h.receivedAt);
      const queue = fromReady ? this.ready : this.holding;
      const limit = fromReady ? h?.receivedAt : r?.receivedAt;
      let n = 0;
      while (n < left && n < queue.length && (limit === undefined || queue[n]!.receivedAt <= limit)) n++;
      n = Math.max(n, 1);
      if (fromReady) this.ready = this.ready.slice(n);
      else this.holding = this.holding.slice(n);
      left -= n;
      this.stats.dropped += n;
      this.droppedSinceWarning += n;
    }
    this.warnDropped(false);
  }

  private warnDropped(now: boolean): void {
    if (this.droppedSinceWarning === 0) return;
    if (!now && Date.now() - this.lastDropWarning < 1_000) return;
    this.opts.log?.warn(
      { dropped: this.droppedSinceWarning, maxPending: this.opts.maxPending },
      `tracking: ${this.droppedSinceWarning} open/click events dropped (more than ${this.opts.maxPending} waiting: the database is not keeping up or is down)`,
    );
    this.droppedSinceWarning = 0;
    this.lastDropWarning = Date.now();
  }
}
