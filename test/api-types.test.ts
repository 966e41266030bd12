import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, buildOpenApiDocument, generateApiTypes } from '../scripts/gen-api-types.js';

/** Every `$ref` string in a JSON value. */
function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

// The document is built on a database object that never connects: no PostgreSQL needed.
describe('web API types generated from the OpenAPI document', () => {
  it('src/web/lib/api-types.gen.ts matches the routes (run `npm run api:types` after changing a route)', async () => {
    const doc = await buildOpenApiDocument();

    const schemas = (doc.components?.schemas ?? {}) as Record<string, unknown>;
    const dangling = refsIn(doc).filter(
      (ref) => !ref.startsWith('#/components/schemas/') || !(ref.slice(21) in schemas),
    );
    expect(dangling, 'every $ref in the document points at a component schema').toEqual([]);

    const generated = await generateApiTypes(doc);
    const committed = fs.existsSync(API_TYPES_FILE) ? fs.readFileSync(API_TYPES_FILE, 'utf8') : '';
    if (generated !== committed) {
      const a = committed.split('\n');
      const b = generated.split('\n');
      let line = 0;
      while (line < a.length && line < b.length && a[line] === b[line]) line++;
      expect.fail(
        `${path.basename(API_TYPES_FILE)} is out of date with the routes: run \`npm run api:types\` and commit ` +
          `the result. First difference at line ${line + 1}:\n  committed: ${a[line] ?? '(end of file)'}\n` +
          `  generated: ${b[line] ?? '(end of file)'}`,
      );
    }
  }, 180_000);
});
