import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../lib/context.js';

const Check = z.object({
  status: z.enum(['ok', 'error']),
  latencyMs: z.number(),
  error: z.string().optional(),
});
const HealthResponse = z.object({
  status: z.enum(['ok', 'error']),
  version: z.string(),
  database: Check.extend({ kind: z.enum(['postgres', 'embedded']) }),
  queue: Check,
});

export async function healthRoutes(app: FastifyInstance, opts: { deps: Deps; version: string }) {
  const { deps } = opts;
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/health',
    {
      schema: {
        tags: ['System'],
        summary: 'Database and job-queue status (503 when either is down)',
        response: { 200: HealthResponse, 503: HealthResponse },
      },
      logLevel: 'warn',
    },
    async (_request, reply) => {
      let t = performance.now();
      let database: z.infer<typeof HealthResponse>['database'];
      try {
        await deps.database.query('select 1');
        database = { status: 'ok', kind: deps.database.kind, latencyMs: round(performance.now() - t) };
      } catch (err) {
        database = {
          status: 'error',
          kind: deps.database.kind,
          latencyMs: round(performance.now() - t),
          error: (err as Error).message,
        };
      }
      t = performance.now();
      const q = await deps.jobs.health();
      const queue = q.ok
        ? { status: 'ok' as const, latencyMs: round(performance.now() - t) }
        : { status: 'error' as const, latencyMs: round(performance.now() - t), error: q.error };
      const ok = database.status === 'ok' && queue.status === 'ok';
      return reply
        .status(ok ? 200 : 503)
        .send({ status: ok ? 'ok' : 'error', version: opts.version, database, queue });
    },
  );
}

const round = (ms: number) => Math.round(ms * 100) / 100;
