import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every write to `contacts`, `contact_events` and `event_outbox` goes through the one write path
 * (src/server/modules/contacts/write/), which records the typed events in the same transaction.
 * A new writer elsewhere fails this test: route it through the write path instead.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const WRITE_PATH = path.join('src', 'server', 'modules', 'contacts', 'write');
const WRITE =
  /\b(insert\s+into|update|delete\s+from)\s+(contacts|contact_events|event_outbox)\b|\.(insert|update|delete)\(\s*(contacts|contactEvents|eventOutbox)\s*\)/gi;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [full] : [];
  });
}

describe('the contacts write path', () => {
  it('is the only code that writes contacts, contact_events or event_outbox', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(path.join(ROOT, 'src', 'server'))) {
      const rel = path.relative(ROOT, file);
      if (rel.startsWith(WRITE_PATH)) continue;
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(WRITE)) {
        const line = text.slice(0, m.index).split('\n').length;
        offenders.push(`${rel}:${line}: ${m[0]}`);
      }
    }
    // The event bus deletes the outbox rows it has dispatched (it never writes events).
    const allowed = [/^src\/server\/lib\/events\.ts:\d+: delete from event_outbox$/];
    expect(offenders.filter((o) => !allowed.some((a) => a.test(o.replaceAll(path.sep, '/'))))).toEqual([]);
  });

  it('catches a write written in any case or spacing', () => {
    const samples = [
      'UPDATE contacts SET x = 1',
      'insert  into contact_events (a)',
      'delete\nfrom contacts',
      'db.update(contacts).set({})',
      'tx.insert( contactEvents )',
    ];
    for (const s of samples) expect(s.match(WRITE)).not.toBeNull();
    expect('update contacts_backup set x = 1'.match(WRITE)).toBeNull();
  });
});
