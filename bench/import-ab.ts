import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { generateCsv } from './csv-data.js';
import { cliImport, freshDb, runCli } from './imports.js';

const here = path.resolve(import.meta.dirname, '..');
const other = path.resolve(process.argv[2] ?? '');
const rows = Number(process.argv[3] ?? 200_000);
const rounds = Number(process.argv[4] ?? 3);
if (!fs.existsSync(path.join(other, 'src/server/cli.ts'))) {
  process.stderr.write('usage: tsx bench/import-ab.ts <other checkout> [rows] [rounds]\n');
  process.exit(2);
}
const DIR = path.join(here, '.tmp/bench-import-ab');
fs.mkdirSync(DIR, { recursive: true });

async function run(root: string, file: string, changed: string) {
  const url = await freshDb('moxora_bench_ab');
  const dataDir = path.join(DIR, 'data');
  fs.rmSync(dataDir, { recursive: true, force: true });
  const env = { DATABASE_URL: url, MOXORA_DATA_DIR: dataDir };
  await runCli(root, ['migrate'], env);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const u = await c.query(
    `insert into users (name, email, email_verified, age_confirmed) values ('Bench', 'bench@example.com', true, true) returning id`,
  );
  const o = await c.query(`insert into organizations (name) values ('Bench') returning id`);
  await c.query(`insert into members (org_id, user_id, role) values ($1, $2, 'owner')`, [
    o.rows[0].id,
    u.rows[0].id,
  ]);
  await c.query(
    `insert into field_definitions (org_id, entity, key, label, type, options, position) values
      ($1, 'contact', 'score', 'Score', 'number', '[]', 0), ($1, 'contact', 'renewal', 'Renewal', 'date', '[]', 1),
      ($1, 'contact', 'plan', 'Plan', 'single_select', '["free","starter","pro","enterprise"]', 2)`,
    [o.rows[0].id],
  );
  await c.end();
  const timed = async (f: string) => {
    const r = await cliImport(f, env, root);
    return { wall: r.seconds, job: r.jobSeconds, counts: r.counts };
  };
  return { created: await timed(file), updated: await timed(changed), unchanged: await timed(changed) };
}

const file = path.join(DIR, `contacts-${rows}.csv`);
const changed = path.join(DIR, `contacts-${rows}-changed.csv`);
if (!fs.existsSync(file)) await generateCsv(file, rows);
if (!fs.existsSync(changed)) await generateCsv(changed, rows, 1);
const phases = ['created', 'updated', 'unchanged'] as const;
const results: Record<'this' | 'other', Record<(typeof phases)[number], number[]>> = {
  this: { created: [], updated: [], unchanged: [] },
  other: { created: [], updated: [], unchanged: [] },
};
for (let i = 0; i < rounds; i++) {
  const order: Array<['this' | 'other', string]> =
    i % 2 === 0
      ? [
          ['other', other],
          ['this', here],
        ]
      : [
          ['this', here],
          ['other', other],
        ];
  for (const [name, root] of order) {
    const r = await run(root, file, changed);
    for (const p of phases) results[name][p].push(r[p].job);
    process.stdout.write(
      `round ${i + 1} ${name}: ${phases.map((p) => `${p} ${r[p].job.toFixed(2)} s (${JSON.stringify(r[p].counts)})`).join('; ')}\n`,
    );
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const p of phases) {
  const a = median(results.this[p]);
  const b = median(results.other[p]);
  const pairs = results.this[p].map((x, i) => (x / results.other[p][i]!).toFixed(2)).join(', ');
  process.stdout.write(
    `${p}: this ${a.toFixed(2)} s, other ${b.toFixed(2)} s, ratio ${(a / b).toFixed(2)} (pairs ${pairs})\n`,
  );
}
