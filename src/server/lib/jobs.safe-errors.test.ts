import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createTestServer, databaseMissing, type TestServer } from '../../../test/helpers/server.js';
import { defineJob } from './jobs.js';

/** A job whose query fails with user data among its parameters. */
const failingJob = defineJob({
  name: 'testing.failWithUserData',
  schema: z.object({ secret: z.string() }),
  queue: { retryLimit: 0 },
  async handler(data, deps) {
    // A uuid column given a non-uuid parameter: the driver error carries the query and parameters.
    await deps.database.db.execute(sql`select * from contacts where id = ${data.secret}::uuid`);
  },
});

describe.skipIf(databaseMissing)('job failures', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('keep query parameters out of the job log and of the stored job output', async () => {
    const secret = `ssn-${randomBytes(6).toString('hex')}`;
    const warn = vi.spyOn(server.runtime.log, 'warn');
    const id = await server.runtime.jobs.send(failingJob, { secret });
    await expect
      .poll(
        async () =>
          (
            await server.runtime.database.query<{ state: string }>(
              'select state from pgboss.job where id = $1',
              [id],
            )
          ).rows[0]?.state,
        { timeout: 30_000 },
      )
      .toBe('failed');
    const { rows } = await server.runtime.database.query<{ output: unknown }>(
      'select output from pgboss.job where id = $1',
      [id],
    );
    expect(JSON.stringify(rows[0]!.output)).not.toContain(secret);
    expect(JSON.stringify(rows[0]!.output)).toMatch(/uuid|Database query failed/);
    const logged = warn.mock.calls.filter((c) => JSON.stringify(c).includes('testing.failWithUserData'));
    expect(logged.length).toBeGreaterThan(0);
    expect(JSON.stringify(logged)).not.toContain(secret);
  });
});
