import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { client, createOrg } from './helpers/factories.js';
import { PROCESS_TEST_TIMEOUT_MS, startMoxora, stopAllProcesses } from './helpers/process.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

/** `moxora import` and `moxora export` against the same PostgreSQL database as a running API. */
// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)(
  'command line import and export',
  { timeout: PROCESS_TEST_TIMEOUT_MS },
  () => {
    let server: TestServer;
    let dir: string;
    beforeAll(async () => {
      server = await createTestServer();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-cli-'));
    });
    afterEach(stopAllProcesses);
    afterAll(async () => {
      await server?.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    async function run(args: string[]) {
      const p = startMoxora('cli', args, { DATABASE_URL: server.databaseUrl!, MOXORA_DATA_DIR: dir });
      const status = await p.waitForExit();
      return { status, stdout: p.stdout(), stderr: p.stderr() };
    }

    it('imports a file with a progress bar, then exports the imported contacts back to CSV', async () => {
      const org = await createOrg(server);
      await client(server, org.owner).patch('/api/v1/organization', { name: 'Cli Org' });
      const file = path.join(dir, 'people.csv');
      fs.writeFileSync(
        file,
        `Email,First Name,Last Name,Tags\n${Array.from({ length: 300 }, (_, i) => `cli${i}@x.test,F${i},L${i},a;b`).join('\n')}\n`,
      );
      const imp = await run(['import', file, '--org', 'Cli Org', '--tags', 'from-cli']);
      expect(imp.status, imp.stderr).toBe(0);
      expect(imp.stderr).toMatch(/100\.0% 300\/300 rows/);
      const result = JSON.parse(imp.stdout.trim().split('\n').at(-1)!);
      expect(result).toMatchObject({ status: 'done', counts: { created: 300, updated: 0, failed: 0 } });
      // The command line ran it itself: no job was left for the server's worker, whose data folder
      // does not hold the file (it once picked the job up first and failed the import).
      const jobs = await server.runtime.database.query<{ n: number }>(
        `select count(*)::int as n from pgboss.job where name = 'imports.run' and data ->> 'importId' = $1`,
        [result.id],
      );
      expect(jobs.rows[0]!.n).toBe(0);
      const page = (
        await client(server, org.owner).post('/api/v1/contacts/search', {
          filter: { field: 'tags', op: 'has_all', value: ['a', 'from-cli'] },
          includeCount: true,
        })
      ).json();
      expect(page.count).toBe(300);

      const out = path.join(dir, 'out.csv');
      const exp = await run([
        'export',
        '--org',
        org.orgId,
        '--out',
        out,
        '--columns',
        'email,firstName,tags',
      ]);
      expect(exp.status, exp.stderr).toBe(0);
      const lines = fs.readFileSync(out, 'utf8').trim().split('\r\n');
      expect(lines).toHaveLength(301);
      expect(lines[0]).toBe('Email,First name,Tags');
      expect(lines).toContain('cli7@x.test,F7,a; b; from-cli');
    });

    it('refuses an import into an organisation that does not exist, with exit code 1 naming it', async () => {
      const file = path.join(dir, 'nobody.csv');
      fs.writeFileSync(file, 'Email,First Name\nnobody@x.test,No\n');
      const bad = await run(['import', file, '--org', 'No Such Org']);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('No organisation No Such Org');
    });
  },
);
