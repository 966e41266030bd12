import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clock } from '../../lib/clock.js';
import type { Deps } from '../../lib/context.js';
import { AppError } from '../../lib/errors.js';
import { runWatchdog } from '../automations/engine.js';

/**
 * Test-only (DEV_CLOCK=1, never in production, loopback callers only): moves the automation
 * clock forward and runs the watchdog at once, so an end-to-end test can jump over a 1-day wait.
 */
export async function devClockRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/_dev/clock',
    {
      schema: {
        hide: true,
        body: z.object({
          advanceSeconds: z
            .number()
            .int()
            .min(0)
            .max(400 * 86_400),
        }),
      },
    },
    async (request) => {
      const address = request.raw.socket.remoteAddress ?? '';
      if (!['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(address))
        throw new AppError('NOT_FOUND', 'Not found');
      clock.advance(request.body.advanceSeconds * 1000);
      const woken = await runWatchdog(opts.deps);
      return { now: clock.now().toISOString(), offsetMs: clock.offsetMs(), woken };
    },
  );
}
