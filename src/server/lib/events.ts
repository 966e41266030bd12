import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ActorType, ContactEventType, StoredContactEvent } from '../../common/events.js';
import { safeErrorSummary } from '../plugins/errors.js';
import type { Database, Db } from './db.js';
import { defineJob, type JobDeps, type JobQueue } from './jobs.js';
import { pgArray, rows } from './sql.js';

/**
 * The event bus. Writers record contact events and an outbox row in their own transaction
 * (`modules/contacts/write/events.ts`); after commit they `kick()` the bus, whose dispatcher
 * moves outbox rows to subscribers:
 * - durable subscribers (`defineSubscriber`) get a pg-boss job per batch of events, enqueued in
 *   the same transaction that deletes the outbox row: an event committed just before a crash
 *   stays in the outbox and is dispatched by the next process (the periodic sweep), never lost;
 *   delivery is at least once, so handlers must be idempotent;
 * - in-process listeners (`bus.on`) are called after that commit, best effort (UI refreshes,
 *   tests); they are not called again after a crash.
 */
export interface EventSubscriber {
  /** module.verb, unique. */
  name: string;
  /** Only these event types are delivered (all when omitted). */
  types?: ContactEventType[];
  handler: (events: StoredContactEvent[], deps: JobDeps) => Promise<void>;
}

const subscribers = new Map<string, EventSubscriber>();

/** Declares a durable subscriber. Call at module top level (every process must load the same set). */
export function defineSubscriber(sub: EventSubscriber): EventSubscriber {
  if (!/^[a-z]+\.[a-zA-Z]+$/.test(sub.name)) throw new Error(`Subscriber ${sub.name} must be module.verb`);
  const existing = subscribers.get(sub.name);
  if (existing && existing !== sub) throw new Error(`Subscriber ${sub.name} is defined twice`);
  subscribers.set(sub.name, sub);
  return sub;
}

/** Most event ids in one delivery job. */
const DELIVERY_CHUNK = 1_000;
/** Outbox rows taken per dispatch transaction. */
const OUTBOX_BATCH = 100;

export const deliverEventsJob = defineJob({
  name: 'events.deliver',
  schema: z.object({ subscriber: z.string(), eventIds: z.array(z.uuid()).max(DELIVERY_CHUNK) }),
  queue: { retryLimit: 10, retryDelay: 2, retryBackoff: true, expireInSeconds: 15 * 60 },
  async handler(data, deps) {
    const sub = subscribers.get(data.subscriber);
    if (!sub) {
      deps.log.warn({ subscriber: data.subscriber }, 'events for an unknown subscriber dropped');
      return;
    }
    // Events of contacts deleted since are gone (with their personal data): nothing to deliver.
    const events = await loadEvents(deps.database.db, data.eventIds);
    const wanted = sub.types ? events.filter((e) => sub.types!.includes(e.type)) : events;
    if (wanted.length) await sub.handler(wanted, deps);
  },
});

interface EventRow {
  id: string;
  org_id: string;
  contact_id: string;
  type: string;
  actor_type: string;
  actor_id: string | null;
  data: Record<string, unknown>;
  created_at: Date | string;
}

export async function loadEvents(db: Db, ids: string[]): Promise<StoredContactEvent[]> {
  if (ids.length === 0) return [];
  const list = await rows<EventRow>(
    db,
    sql`select id, org_id, contact_id, type, actor_type, actor_id, data, created_at from contact_events
      where id = any(${pgArray(ids)}::uuid[]) order by created_at, seq`,
  );
  return list.map(
    (r) =>
      ({
        id: r.id,
        orgId: r.org_id,
        contactId: r.contact_id,
        type: r.type,
        data: r.data,
        actor: { type: r.actor_type as ActorType, id: r.actor_id },
        createdAt: new Date(r.created_at).toISOString(),
      }) as StoredContactEvent,
  );
}

export type EventListener = (events: StoredContactEvent[]) => void | Promise<void>;

export interface EventBus {
  /** After a commit that recorded events: dispatch soon (coalesced; never throws). */
  kick(): void;
  /** Dispatches everything in the outbox now; resolves when it is empty. */
  dispatch(): Promise<number>;
  /** In-process listener, called after commit with each dispatched batch. Returns an unsubscribe. */
  on(listener: EventListener): () => void;
  /** Periodic sweep of the outbox (for events whose writer died before dispatching them). */
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

export function createEventBus(deps: { database: Database; jobs: JobQueue; log: Logger }): EventBus {
  const listeners = new Set<EventListener>();
  let running: Promise<number> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function dispatchBatch(): Promise<number> {
    const db = deps.database.db;
    const taken = await db.transaction(async (tx) => {
      const outbox = await rows<{ id: number; event_ids: string[] }>(
        tx,
        sql`select id, event_ids from event_outbox order by id limit ${OUTBOX_BATCH} for update skip locked`,
      );
      if (outbox.length === 0) return null;
      const ids = outbox.flatMap((o) => o.event_ids);
      for (const sub of subscribers.values()) {
        for (let i = 0; i < ids.length; i += DELIVERY_CHUNK) {
          await deps.jobs.send(
            deliverEventsJob,
            { subscriber: sub.name, eventIds: ids.slice(i, i + DELIVERY_CHUNK) },
            { tx },
          );
        }
      }
      await tx.execute(
        sql`delete from event_outbox where id = any(${pgArray(outbox.map((o) => String(o.id)))}::bigint[])`,
      );
      return ids;
    });
    if (!taken) return 0;
    deps.jobs.wake(deliverEventsJob.name);
    if (listeners.size) {
      const events = await loadEvents(db, taken);
      for (const l of listeners) {
        try {
          await l(events);
        } catch (err) {
          deps.log.warn({ err: safeErrorSummary(err) }, 'event listener failed');
        }
      }
    }
    return taken.length;
  }

  async function drain(): Promise<number> {
    let total = 0;
    do {
      again = false;
      for (;;) {
        const n = await dispatchBatch();
        total += n;
        if (n === 0) break;
      }
    } while (again);
    return total;
  }

  const bus: EventBus = {
    dispatch() {
      if (running) {
        again = true;
        return running;
      }
      running = drain().finally(() => {
        running = null;
      });
      return running;
    },
    kick() {
      if (stopped) return;
      setImmediate(() => {
        bus
          .dispatch()
          .catch((err) =>
            deps.log.warn({ err: safeErrorSummary(err) }, 'event dispatch failed; the sweep retries'),
          );
      });
    },
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start(intervalMs) {
      if (timer) return;
      timer = setInterval(() => bus.kick(), intervalMs);
      timer.unref();
      bus.kick();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => {});
    },
  };
  return bus;
}
