import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../test/helpers/wait.js';
import { type BufferedEvent, EventBuffer } from './buffer.js';

interface Ev extends BufferedEvent {
  n: number;
  kind: 'open' | 'click';
}

const logs: Array<{ level: string; obj: unknown; msg: string }> = [];
const log = {
  warn: (obj: unknown, msg: string) => void logs.push({ level: 'warn', obj, msg }),
  error: (obj: unknown, msg: string) => void logs.push({ level: 'error', obj, msg }),
} as never;

const open: EventBuffer<Ev>[] = [];
function buffer(
  opts: Partial<ConstructorParameters<typeof EventBuffer<Ev>>[0]> & { write: (b: Ev[]) => Promise<void> },
) {
  const b = new EventBuffer<Ev>({ log, held: (e) => e.kind === 'click', ...opts });
  open.push(b);
  return b;
}
afterEach(async () => {
  for (const b of open.splice(0)) await b.close().catch(() => {});
  logs.length = 0;
});

let seq = 0;
const ev = (kind: Ev['kind'] = 'open', receivedAt = Date.now()): Ev => ({ n: seq++, kind, receivedAt });

describe('EventBuffer', () => {
  it('writes by itself within the interval, in batches of at most batchSize', async () => {
    const batches: Ev[][] = [];
    const b = buffer({ write: async (x) => void batches.push(x), batchSize: 10, intervalMs: 20 });
    for (let i = 0; i < 25; i++) b.push(ev());
    await waitFor(() => (batches.flat().length === 25 ? true : undefined), { what: 'all written' });
    expect(batches.every((x) => x.length <= 10)).toBe(true);
    expect(batches.flat().map((e) => e.n)).toEqual([...batches.flat().map((e) => e.n)].sort((a, c) => a - c));
  });

  it('writes as soon as batchSize events wait, before the interval', async () => {
    const batches: Ev[][] = [];
    const b = buffer({ write: async (x) => void batches.push(x), batchSize: 5, intervalMs: 60_000 });
    for (let i = 0; i < 5; i++) b.push(ev());
    await waitFor(() => (batches.length === 1 ? true : undefined), { what: 'the full batch' });
    expect(batches[0]).toHaveLength(5);
  });

  it('holds clicks back for holdMs (the burst window), unless flushed', async () => {
    const written: Ev[] = [];
    const b = buffer({ write: async (x) => void written.push(...x), holdMs: 60_000, intervalMs: 10 });
    b.push(ev('click'));
    b.push(ev('open'));
    await waitFor(() => (written.length === 1 ? true : undefined), { what: 'the open' });
    expect(written[0]!.kind).toBe('open');
    expect(b.pending).toBe(1);
    await b.flush();
    expect(written.map((e) => e.kind)).toEqual(['open', 'click']);
    expect(b.pending).toBe(0);
  });

  it('writes held clicks once they are old enough', async () => {
    const written: Ev[] = [];
    const b = buffer({ write: async (x) => void written.push(...x), holdMs: 50, intervalMs: 10 });
    b.push(ev('click', Date.now() - 1_000));
    b.push(ev('click'));
    await waitFor(() => (written.length === 2 ? true : undefined), { what: 'both clicks' });
  });

  it('keeps the events of a failed write, in order, and retries them', async () => {
    let fail = 2;
    const written: Ev[] = [];
    const b = buffer({
      write: async (x) => {
        if (fail > 0) {
          fail--;
          throw new Error('database down');
        }
        written.push(...x);
      },
      intervalMs: 10,
    });
    const sent = [ev(), ev(), ev()];
    for (const e of sent) b.push(e);
    await waitFor(() => (written.length === 3 ? true : undefined), { what: 'the retried batch' });
    expect(written.map((e) => e.n)).toEqual(sent.map((e) => e.n));
    expect(b.stats.failedWrites).toBe(2);
    expect(logs.filter((l) => l.level === 'warn' && l.msg.includes('failed'))).toHaveLength(2);
  });

  it('flush() rejects when the write fails, and nothing is lost', async () => {
    let fail = true;
    const written: Ev[] = [];
    const b = buffer({
      write: async (x) => {
        if (fail) throw new Error('database down');
        written.push(...x);
      },
      intervalMs: 60_000,
    });
    b.push(ev());
    await expect(b.flush()).rejects.toThrow('database down');
    expect(b.pending).toBe(1);
    fail = false;
    await b.flush();
    expect(written).toHaveLength(1);
  });

  it('isolates an event the database refuses (split in halves), drops only it, and writes the rest', async () => {
    const written: Ev[] = [];
    const poison = 37;
    const b = buffer({
      write: async (x) => {
        if (x.some((e) => e.n === poison))
          throw Object.assign(new Error('violates check'), { code: '23514' });
        written.push(...x);
      },
      isPoison: (err) => (err as { code?: string }).code === '23514',
      batchSize: 50,
      intervalMs: 60_000,
    });
    const all = Array.from({ length: 120 }, () => ev());
    for (const e of all) b.push({ ...e, n: e.n - all[0]!.n });
    await b.flush();
    expect(written.map((e) => e.n).sort((a, c) => a - c)).toEqual(
      Array.from({ length: 120 }, (_, i) => i).filter((n) => n !== poison),
    );
    expect(b.stats.poisoned).toBe(1);
    expect(logs.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(b.pending).toBe(0);
  });

  it('drops the oldest beyond maxPending and says how many', async () => {
    const written: Ev[] = [];
    let down = true;
    const b = buffer({
      write: async (x) => {
        if (down) throw new Error('down');
        written.push(...x);
      },
      maxPending: 100,
      intervalMs: 60_000,
    });
    const all = Array.from({ length: 150 }, (_, i) => ev(i % 3 === 0 ? 'click' : 'open', 1_000 + i));
    for (const e of all) b.push(e);
    expect(b.pending).toBe(100);
    expect(b.stats.dropped).toBe(50);
    const warning = logs.find((l) => l.msg.includes('dropped'));
    expect(warning?.obj).toMatchObject({ dropped: expect.any(Number) });
    down = false;
    await b.flush();
    // The newest 100 survive, the oldest 50 went.
    expect(written.map((e) => e.n).sort((a, c) => a - c)).toEqual(all.slice(50).map((e) => e.n));
  });

  it('close() writes everything, held clicks included, retrying a failing write', async () => {
    let fail = 2;
    const written: Ev[] = [];
    const b = new EventBuffer<Ev>({
      log,
      held: (e) => e.kind === 'click',
      write: async (x) => {
        if (fail-- > 0) throw new Error('busy');
        written.push(...x);
      },
      intervalMs: 60_000,
    });
    for (let i = 0; i < 10; i++) b.push(ev(i % 2 ? 'click' : 'open'));
    await b.close();
    expect(written).toHaveLength(10);
    expect(b.pending).toBe(0);
  });

  it('close() gives up after its attempts and logs how many events are lost', async () => {
    const b = new EventBuffer<Ev>({
      log,
      write: async () => {
        throw new Error('gone');
      },
      intervalMs: 60_000,
      closeAttempts: 2,
    });
    b.push(ev());
    await b.close();
    expect(logs.find((l) => l.level === 'error')?.obj).toMatchObject({ lost: 1 });
  });
});
