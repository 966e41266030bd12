import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeErrorSummary } from '../src/server/plugins/errors.js';
import { client, createOrg } from './helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

describe('safeErrorSummary', () => {
  it('keeps the SQLSTATE and schema names of a failed query, never its text, parameters or row', () => {
    const cause = Object.assign(new Error('invalid input syntax for type uuid: "secret-value-1"'), {
      code: '22P02',
      severity: 'ERROR',
      detail: 'Failing row contains (secret-value-2)',
      where: 'SQL statement "insert … secret-value-3"',
      routine: 'string_to_uuid',
    });
    const err = Object.assign(
      new Error('Failed query: insert into contacts (first_name) values ($1)\nparams: secret-value-4', {
        cause,
      }),
      { query: 'insert into contacts (first_name) values ($1)', params: ['secret-value-4'] },
    );
    const summary = safeErrorSummary(err);
    const text = JSON.stringify(summary);
    expect(text).not.toMatch(/secret-value|insert into|values \(/);
    expect({ ...summary }).toMatchObject({
      name: 'Error',
      message: 'Database query failed: invalid input syntax for type uuid: "[redacted]"',
      code: '22P02',
      severity: 'ERROR',
      routine: 'string_to_uuid',
    });
    expect(summary.stack).toMatch(/^\s+at /);
  });

  it('keeps the message of a driver error that carries its query and parameters (some drivers attach them), not them', () => {
    const err = Object.assign(new Error('value too long for type character varying(100)'), {
      code: '22001',
      severity: 'ERROR',
      query: 'update contacts set job_title = $1',
      params: ['secret-value-5'],
    });
    const summary = safeErrorSummary(err);
    expect(JSON.stringify(summary)).not.toMatch(/secret-value|update contacts/);
    expect({ ...summary }).toMatchObject({
      message: 'value too long for type character varying(100)',
      code: '22001',
    });
  });

  it('keeps the message of an ordinary programming error', () => {
    expect({
      ...safeErrorSummary(new TypeError("Cannot read properties of undefined (reading 'x')")),
    }).toMatchObject({
      name: 'TypeError',
      message: "Cannot read properties of undefined (reading 'x')",
    });
  });
});

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('error logs hold no user data', () => {
  let server: TestServer;
  let org: Awaited<ReturnType<typeof createOrg>>;
  let logs = '';
  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      logs += chunk.toString('utf8');
    });
    server = await createTestServer({ logLevel: 'info' }, { logStream: stream });
    org = await createOrg(server);
    // A constraint the application does not know about: inserting a name holding "canary" fails
    // inside the contacts write path with an error carrying the SQL text and its parameters.
    await server.ownerQuery(
      `alter table contacts add constraint zz_no_canary check (position('canary' in first_name) = 0)`,
    );
  });
  afterAll(async () => {
    await server?.close();
  });

  it('logs a 500 from a failed query with its request id, code and constraint, without the values', async () => {
    const secret = `canary-${randomBytes(6).toString('hex')}`;
    const email = `${secret}@example.com`;
    const res = await client(server, org.owner).post('/api/v1/contacts', {
      firstName: secret,
      lastName: secret,
      email,
      jobTitle: secret,
    });
    expect(res.statusCode, res.body).toBe(500);
    expect(res.body).not.toContain(secret);
    const requestId = res.json().requestId as string;
    const errorLine = await waitFor(
      () =>
        logs
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { level: number; reqId?: string; msg: string; err?: unknown })
          .find((l) => l.reqId === requestId && l.level >= 50),
      { what: `the error log line of request ${requestId}` },
    );
    expect(errorLine!.err).toMatchObject({
      type: 'DrizzleQueryError',
      message:
        'Database query failed: new row for relation "contacts" violates check constraint "zz_no_canary"',
      code: '23514',
      constraint: 'zz_no_canary',
      table: 'contacts',
    });
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain('"params"');
    expect(logs).not.toContain('Failing row');
  });
});
