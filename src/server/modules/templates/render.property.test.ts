import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.js';
import {
  COMPANY_FIELDS,
  CONTACT_FIELDS,
  contactMergeVars,
  type MergeVars,
  ORGANIZATION_FIELDS,
  prepareTemplate,
  renderPrepared,
  type TemplateSource,
} from './render.js';

/**
 * Property tests (fast-check) of the template renderer (Liquid + MJML, render.ts): generated
 * templates and contact data either render or give a template error (AppError VALIDATION_FAILED),
 * never anything else; nothing reaches files, the environment, `process`, constructors,
 * prototypes or globals; loops and growth stay bounded in time; user data is HTML-escaped in
 * the HTML. Runs: FC_RUNS (default 200 per property); replay a failure with FC_SEED=<seed>.
 */
const RUNS = Number(process.env.FC_RUNS ?? 200);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

/** Secrets a sandbox escape would print: an environment variable and a file's contents. */
const ENV_CANARY = 'env-canary-5d1e07';
const FILE_CANARY = 'file-canary-9b44c2';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-tpl-prop-'));
const secretFile = path.join(dir, 'secret.liquid');
const CUSTOM_KEYS = ['plan', 'notes', 'constructor', '__proto__'];

beforeAll(() => {
  process.env.MOXORA_TEMPLATE_CANARY = ENV_CANARY;
  fs.writeFileSync(secretFile, FILE_CANARY);
  fs.writeFileSync(path.join(dir, 'secret'), FILE_CANARY);
});
afterAll(() => {
  delete process.env.MOXORA_TEMPLATE_CANARY;
  fs.rmSync(dir, { recursive: true, force: true });
});

const rel = path.relative(process.cwd(), secretFile);
/** Attempts to leave the sandbox, each alone or spliced into generated templates. */
const ESCAPES = [
  "{{ constructor.constructor('return process')() }}",
  "{{ contact.constructor.constructor('return process')() }}",
  '{{ contact.constructor }}',
  '{{ contact.constructor.name }}',
  '{{ contact.__proto__ }}',
  '{{ contact["__proto__"]["constructor"] }}',
  '{{ contact.custom.constructor }}',
  '{{ contact.custom.__proto__ }}',
  '{{ data.constructor.constructor }}',
  '{{ data.__proto__.toString }}',
  '{{ data.toString }}',
  '{{ data.hasOwnProperty }}',
  '{{ contact.firstName.constructor }}',
  '{{ contact.firstName.length }}',
  '{{ process.env.MOXORA_TEMPLATE_CANARY }}',
  '{{ process }}',
  '{{ global.process }}',
  '{{ globalThis }}',
  '{{ this }}',
  '{{ require }}',
  '{{ import }}',
  '{{ env }}',
  '{{ data.x | append: process }}',
  "{{ 'x' | prepend: constructor }}",
  "{{ '' | default: process.env }}",
  '{{ contact | json }}',
  '{{ data | inspect }}',
  `{% include '${secretFile}' %}`,
  `{% include '${rel}' %}`,
  "{% include 'secret' %}",
  `{% render '${secretFile}' %}`,
  `{% layout '${secretFile}' %}{% block x %}{% endblock %}`,
  "{% layout 'secret' %}",
  `{% include data.path %}`,
  `<mj-include path="${secretFile}" />`,
  '{% assign c = contact.constructor %}{{ c }}',
  '{% for k in contact %}{{ k }}{% endfor %}',
  '{% for k in data.__proto__ %}{{ k }}{% endfor %}',
  '{% capture x %}{{ contact.constructor }}{% endcapture %}{{ x }}',
  '{% liquid echo process %}',
  '{% echo contact.__proto__ %}',
  '{% tablerow k in contact %}{{ k }}{% endtablerow %}',
  '{% cycle process, env %}',
  '{% increment process %}{{ process }}',
];

/** Loops and growth that must end with an error in bounded time. */
const HOGS = [
  '{% for i in (1..100000000) %}x{% endfor %}',
  '{% for i in (1..100000) %}{% for j in (1..100000) %}x{% endfor %}{% endfor %}',
  "{% assign s = 'xxxxxxxxxxxxxxxx' %}{% for i in (1..64) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}",
  '{% for i in (1..3000) %}{% capture c %}{{ c }}{{ c }}x{% endcapture %}{% endfor %}{{ c | size }}',
  "{{ 'x' | split: '' | join: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }}",
  `{% for i in (1..200) %}{% for j in (1..200) %}{% for k in (1..200) %}{{ contact.firstName }}{% endfor %}{% endfor %}{% endfor %}`,
  `${'{% if true %}'.repeat(2000)}x${'{% endif %}'.repeat(2000)}`,
];

const KNOWN_VARS = [
  ...CONTACT_FIELDS.map((f) => `contact.${f}`),
  ...COMPANY_FIELDS.map((f) => `company.${f}`),
  ...ORGANIZATION_FIELDS.map((f) => `organization.${f}`),
  ...CUSTOM_KEYS.map((k) => `contact.custom.${k}`),
  'contact.custom["plan"]',
  'data.order',
  'data.items',
  'data.items.first',
  'data.items.size',
  'unsubscribe_url',
  'preferences_url',
];
const KNOWN_FILTERS = [
  'upcase',
  'downcase',
  'escape',
  'raw',
  "default: 'friend'",
  'size',
  "append: '!'",
  "prepend: '¡'",
  "date: '%Y'",
  'strip_html',
  "split: ','",
  'truncate: 3',
  'url_encode',
];

/** Text full of what HTML, Liquid and MJML treat specially. */
const hostileText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc
    .array(
      fc.constantFrom(
        '<',
        '>',
        '&',
        '"',
        "'",
        '<script>alert(1)</script>',
        '<img src=x onerror=alert(1)>',
        '{{',
        '}}',
        '{%',
        '%}',
        '{{ contact.constructor }}',
        '&amp;',
        '&#x3c;',
        '\u0000',
        '\r\n',
        '\u2028',
        '𝒳',
        'Zoë',
        ' ',
      ),
      { maxLength: 6 },
    )
    .map((a) => a.join('')),
);

/** A piece of a template: text, outputs of known and unknown variables with filters, tags, attacks. */
const piece: fc.Arbitrary<string> = fc.letrec<{ piece: string; block: string }>((tie) => ({
  piece: fc.oneof(
    { depthSize: 'small' },
    { weight: 4, arbitrary: hostileText },
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.constantFrom(...KNOWN_VARS), fc.array(fc.constantFrom(...KNOWN_FILTERS), { maxLength: 3 }))
        .map(([v, fs]) => `{{ ${[v, ...fs].join(' | ')} }}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('x', 'contact.nope', 'data["a b"]', "'lit'", '42', ...KNOWN_VARS),
          fc.array(fc.constantFrom(...KNOWN_FILTERS, 'nope_filter', 'json', 'inspect'), { maxLength: 3 }),
        )
        .map(([v, fs]) => `{{ ${[v, ...fs].join(' | ')} }}`),
    },
    { weight: 1, arbitrary: fc.constantFrom(...ESCAPES) },
    { weight: 2, arbitrary: tie('block') },
  ),
  block: fc.oneof(
    fc
      .tuple(fc.constantFrom(...KNOWN_VARS), fc.array(tie('piece'), { maxLength: 3 }))
      .map(([v, body]) => `{% if ${v} %}${body.join('')}{% else %}-{% endif %}`),
    fc
      .tuple(fc.integer({ min: 0, max: 50 }), fc.array(tie('piece'), { maxLength: 3 }))
      .map(([n, body]) => `{% for i in (1..${n}) %}${body.join('')}{% endfor %}`),
    fc
      .tuple(fc.constantFrom('data.items', 'contact.custom.plan'), fc.array(tie('piece'), { maxLength: 3 }))
      .map(([v, body]) => `{% for it in ${v} %}{{ it }}${body.join('')}{% endfor %}`),
    fc
      .array(tie('piece'), { maxLength: 3 })
      .map((body) => `{% capture c %}${body.join('')}{% endcapture %}{{ c }}`),
    fc.constantFrom(
      '{% raw %}{{ x }}{% endraw %}',
      '{% raw %}{{ x }}{% endraw %}',
      '{% comment %}{{ process }}{% endcomment %}',
      '{% if %}',
      '{% endfor %}',
      '{{',
      '{% for %}',
    ),
  ),
})).piece;

const template = fc.array(piece, { maxLength: 6 }).map((p) => p.join(''));

const mjmlBody = template.map(
  (t) =>
    `<mjml><mj-body><mj-section><mj-column><mj-text>${t}</mj-text></mj-column></mj-section></mj-body></mjml>`,
);

const source: fc.Arbitrary<TemplateSource> = fc
  .record({
    subject: template,
    format: fc.constantFrom('html' as const, 'mjml' as const),
    body: template,
    text: fc.option(template),
  })
  .chain((s) => (s.format === 'mjml' ? mjmlBody.map((body) => ({ ...s, body })) : fc.constant(s)));

/** Contact data and transactional data, hostile strings and prototype-ish keys included. */
const jsonish = fc.jsonValue({ maxDepth: 2 });
const ownObject = (entries: Array<[string, unknown]>) => {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true });
  return o;
};
const vars: fc.Arbitrary<MergeVars> = fc
  .record({
    first: fc.option(hostileText),
    last: fc.option(hostileText),
    custom: fc.array(fc.tuple(fc.constantFrom(...CUSTOM_KEYS), fc.oneof(hostileText, jsonish)), {
      maxLength: 4,
    }),
    data: fc.array(
      fc.tuple(
        fc.constantFrom('order', 'items', 'path', '__proto__', 'constructor', 'x'),
        fc.oneof(hostileText, jsonish, fc.array(hostileText)),
      ),
      { maxLength: 4 },
    ),
    org: hostileText,
  })
  .map((r) => ({
    contact: contactMergeVars({
      id: '0190c3a4-0000-7000-8000-000000000001',
      first_name: r.first,
      last_name: r.last,
      email: 'p@example.com',
      phones: null,
      job_title: null,
      company_name: null,
      custom: ownObject(r.custom),
    }),
    company: null,
    organization: { name: r.org, postalAddress: '1 Main St' },
    unsubscribe_url: 'https://example.com/u/1',
    preferences_url: 'https://example.com/p/1',
    data: ownObject(r.data),
  }));

/**
 * What an escape would print. ("[object Object]" is not here: iterating `contact` itself, which
 * a template may do, prints its custom fields object so; that is the contact's own data.)
 */
const LEAKS = [ENV_CANARY, FILE_CANARY, 'function ', '[native code]', 'return process', os.homedir()];

/** Prepare and render; returns the output or null on a template error; throws on anything else. */
async function run(src: TemplateSource, v: MergeVars) {
  const started = Date.now();
  try {
    const prepared = await prepareTemplate(src, { customFieldKeys: CUSTOM_KEYS });
    return await renderPrepared(prepared, v);
  } catch (err) {
    if (err instanceof AppError && err.code === 'VALIDATION_FAILED') {
      expect(err.message).toMatch(/\S/);
      return null;
    }
    throw err;
  } finally {
    // renderLimit is 500 ms per part (subject, HTML, text) plus parsing and MJML.
    expect(Date.now() - started, 'bounded time').toBeLessThan(5_000);
  }
}

function expectNoLeak(out: { subject: string; html: string; text: string } | null) {
  if (!out) return;
  for (const part of [out.subject, out.html, out.text]) {
    for (const leak of LEAKS) expect(part, `leaked ${leak}`).not.toContain(leak);
  }
}

describe('property: the template renderer', () => {
  it('generated templates and data: render or a template error, never another exception, never a leak', {
    timeout: 120_000,
  }, async () => {
    let rendered = 0;
    await fc.assert(
      fc.asyncProperty(source, vars, async (src, v) => {
        const out = await run(src, v);
        if (out) rendered++;
        expectNoLeak(out);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // Not a vacuous property: a good share of the generated templates get through to rendering.
    expect(rendered).toBeGreaterThan(RUNS / 10);
  });

  it('every sandbox escape attempt, in every part: a template error or harmless output', {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ESCAPES),
        fc.constantFrom('subject', 'body', 'text', 'mjml') as fc.Arbitrary<
          'subject' | 'body' | 'text' | 'mjml'
        >,
        vars,
        async (attack, where, v) => {
          const src: TemplateSource = {
            subject: where === 'subject' ? attack : 'Hi',
            format: where === 'mjml' ? 'mjml' : 'html',
            body:
              where === 'mjml'
                ? `<mjml><mj-body><mj-section><mj-column><mj-text>${attack}</mj-text></mj-column></mj-section></mj-body></mjml>`
                : where === 'body'
                  ? `<p>${attack}</p>`
                  : '<p>Hello</p>',
            text: where === 'text' ? attack : null,
          };
          expectNoLeak(await run(src, v));
        },
      ),
      { numRuns: Math.max(ESCAPES.length * 2, Math.round(RUNS / 2)), seed: SEED, endOnFailure: true },
    );
  });

  it('loops and growth stop in bounded time with a template error', { timeout: 120_000 }, async () => {
    for (const hog of HOGS) {
      for (const where of ['subject', 'body', 'text'] as const) {
        const src: TemplateSource = {
          subject: where === 'subject' ? hog : 'Hi',
          format: 'html',
          body: where === 'body' ? hog : '<p>Hello</p>',
          text: where === 'text' ? hog : null,
        };
        const out = await run(src, {
          contact: contactMergeVars({
            id: '0190c3a4-0000-7000-8000-000000000001',
            first_name: 'A',
            last_name: null,
            email: null,
            phones: null,
            job_title: null,
            company_name: null,
            custom: {},
          }),
          company: null,
          organization: { name: 'Acme', postalAddress: '1 Main St' },
        });
        // Either refused, or finished small (a loop the limits let through must still be bounded).
        if (out) expect(out.html.length + out.text.length + out.subject.length, hog).toBeLessThan(25_000_000);
      }
    }
  });

  it('user data is HTML-escaped in the HTML body (and left as typed in the subject and text)', {
    timeout: 120_000,
  }, async () => {
    const escapeHtml = (s: string) =>
      s
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&#34;')
        .replace(/'/g, '&#39;');
    const src: TemplateSource = {
      subject: '[[{{ contact.firstName }}]]',
      format: 'html',
      body: '<p>A[[{{ contact.firstName }}]]B[[{{ contact.custom.plan }}]]C[[{{ data.order }}]]D[[{{ organization.name }}]]</p>',
      text: '[[{{ contact.firstName }}]]',
    };
    const prepared = await prepareTemplate(src, { customFieldKeys: CUSTOM_KEYS });
    const cellText = hostileText.filter((s) => !/[[\]]/.test(s)); // the markers stay unambiguous
    await fc.assert(
      fc.asyncProperty(cellText, cellText, cellText, cellText, async (first, plan, order, org) => {
        const out = await renderPrepared(prepared, {
          contact: contactMergeVars({
            id: '0190c3a4-0000-7000-8000-000000000001',
            first_name: first,
            last_name: null,
            email: null,
            phones: null,
            job_title: null,
            company_name: null,
            custom: { plan },
          }),
          company: null,
          organization: { name: org, postalAddress: '1 Main St' },
          data: { order },
        });
        const between = (s: string) => [...s.matchAll(/\[\[([\s\S]*?)\]\]/g)].map((m) => m[1]);
        const cells = between(out.html);
        expect(cells).toEqual([first, plan, order, org].map(escapeHtml));
        for (const cell of cells) expect(cell).not.toMatch(/[<>"']/);
        // The subject is plain text with control characters made spaces; the text part is as typed.
        expect(out.subject).toBe(
          // biome-ignore lint/suspicious/noControlCharactersInRegex: as render.ts does
          `[[${first}]]`.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim(),
        );
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });
});
