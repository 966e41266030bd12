import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { faker } from '@faker-js/faker';

/**
 * The benchmarks' contacts CSV (10 columns, quoted company names, tags, custom fields), cached:
 * an existing file of about the right size is reused. Variant 1: the same people with a new job
 * title and score, so a re-import really updates every row.
 */
export async function generateCsv(file: string, rows: number, variant = 0) {
  if (fs.existsSync(file) && fs.statSync(file).size > rows * 50) return;
  faker.seed(42);
  const tags = Array.from({ length: 30 }, (_, i) => `tag${i}`);
  const plans = ['free', 'starter', 'pro', 'enterprise'];
  async function* lines() {
    yield 'Email,First Name,Last Name,Phone,Company,Job Title,Tags,Score,Renewal,Plan\n';
    let chunk = '';
    for (let i = 0; i < rows; i++) {
      const first = faker.person.firstName().replace(/[",]/g, '');
      const last = faker.person.lastName().replace(/[",]/g, '');
      const n = i % 5;
      const t = Array.from({ length: n }, (_, k) => tags[(i * 7 + k * 11) % tags.length]).join(';');
      chunk += `${first.toLowerCase()}.${last.toLowerCase()}.${i}@example.com,${first},${last},+1 555 ${String(i % 10000).padStart(4, '0')},"${faker.company.name().replace(/"/g, '')}",${faker.person.jobTitle().replace(/[",]/g, '')}${variant ? ' II' : ''},${t},${(i + variant) % 1000},2026-${String((i % 12) + 1).padStart(2, '0')}-15,${plans[i % 4]}\n`;
      if (i % 5000 === 4999) {
        yield chunk;
        chunk = '';
      }
    }
    yield chunk;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await pipeline(lines, fs.createWriteStream(file));
}
