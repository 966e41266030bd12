import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.js';
import {
  contactMergeVars,
  type MergeVars,
  prepareTemplate,
  renderPrepared,
  sampleMergeVars,
  type TemplateSource,
} from './render.js';

const org = { name: 'Acme', postalAddress: '1 Main St' };

function varsFor(
  contact: Partial<Parameters<typeof contactMergeVars>[0]> = {},
  extra: Partial<MergeVars> = {},
): MergeVars {
  return {
    contact: contactMergeVars({
      id: '0190c3a4-0000-7000-8000-000000000001',
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'ada@example.com',
      phones: ['+44 20 0000'],
      job_title: 'Analyst',
      company_name: 'Engines Ltd',
      custom: {},
      ...contact,
    }),
    company: null,
    organization: org,
    unsubscribe_url: 'https://crm.test/e/u/tok',
    ...extra,
  };
}

const html = (body: string, subject = 'Hello', text: string | null = null): TemplateSource => ({
  subject,
  format: 'html',
  body,
  text,
});

async function render(src: TemplateSource, vars: MergeVars, customFieldKeys: string[] = []) {
  return renderPrepared(await prepareTemplate(src, { customFieldKeys }), vars);
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected the template to be refused').toBeInstanceOf(AppError);
  return err as AppError;
}

describe('template rendering', () => {
  it('escapes merge values in the HTML, not in the subject or the text', async () => {
    const out = await render(
      html('<p>Hi {{ contact.firstName }}</p>', 'For {{ contact.firstName }}', 'Hi {{ contact.firstName }}'),
      varsFor({ first_name: '<script>alert(1)</script>' }),
    );
    expect(out.html).toContain('Hi &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out.html).not.toContain('<script>alert(1)');
    expect(out.subject).toBe('For <script>alert(1)</script>');
    expect(out.text).toBe('Hi <script>alert(1)</script>');
  });

  it('applies the default filter to an empty value, and upcase and date keep working', async () => {
    const src = html(
      '<p>Hi {{ contact.firstName | default: "there" }} {{ contact.lastName | upcase }} {{ "2024-03-05T10:00:00Z" | date: "%Y-%m-%d" }}</p>',
    );
    expect((await render(src, varsFor({ first_name: '' }))).html).toContain('Hi there LOVELACE 2024-03-05');
    expect((await render(src, varsFor())).html).toContain('Hi Ada LOVELACE');
  });

  it('reads custom fields, the company, the organisation and transactional data', async () => {
    const out = await render(
      html(
        '<p>{{ contact.custom.plan }}|{{ company.name }}|{{ company.domain }}|{{ organization.postalAddress }}|{{ data.order.number }}|{{ contact.fullName }}|{{ contact.phone }}</p>',
      ),
      varsFor(
        { custom: { plan: 'Gold' } },
        {
          company: { name: 'Engines Ltd', domain: 'engines.test', website: '', industry: '' },
          data: { order: { number: 42 } },
        },
      ),
      ['plan'],
    );
    expect(out.html).toContain('Gold|Engines Ltd|engines.test|1 Main St|42|Ada Lovelace|+44 20 0000');
    // Without a company the company fields are empty, not an error.
    const none = await render(html('<p>[{{ company.name }}]</p>'), varsFor());
    expect(none.html).toContain('[]');
  });

  it('refuses an unknown merge field, naming it', async () => {
    const err = await failure(
      prepareTemplate(html('<p>{{ contact.favouriteColour }}</p>'), { customFieldKeys: [] }),
    );
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.message).toBe('Unknown merge field "contact.favouriteColour"');
    expect(err.details).toEqual({
      issues: [{ path: ['body'], message: 'Unknown merge field "contact.favouriteColour" (line 1)' }],
    });
    // A custom field the organisation does not have, an unknown root, in the subject and the text.
    expect(
      (await failure(prepareTemplate(html('{{ contact.custom.plan }}'), { customFieldKeys: ['tier'] })))
        .message,
    ).toBe('Unknown merge field "contact.custom.plan"');
    expect(
      (await failure(prepareTemplate(html('x', '{{ user.name }}'), { customFieldKeys: [] }))).message,
    ).toBe('Unknown merge field "user.name"');
    expect(
      (await failure(prepareTemplate(html('x', 'Hi', '{{ company.revenue }}'), { customFieldKeys: [] })))
        .details,
    ).toEqual({ issues: [{ path: ['text'], message: 'Unknown merge field "company.revenue" (line 1)' }] });
    // Variables the template assigns itself, and loop variables, are not merge fields.
    await expect(
      prepareTemplate(
        html(
          '{% assign n = contact.firstName %}{{ n }}{% for i in (1..2) %}{{ forloop.index }}{{ i }}{% endfor %}',
        ),
        { customFieldKeys: [] },
      ),
    ).resolves.toBeDefined();
  });

  it('reports Liquid syntax errors and unknown filters as validation errors', async () => {
    const syntax = await failure(
      prepareTemplate(html('<p>{{ contact.firstName </p>'), { customFieldKeys: [] }),
    );
    expect(syntax.code).toBe('VALIDATION_FAILED');
    expect(syntax.message).toMatch(/syntax error in the body: .*not closed/);
    const filter = await failure(
      prepareTemplate(html('{{ contact.firstName | shout }}'), { customFieldKeys: [] }),
    );
    expect(filter.message).toMatch(/undefined filter: shout/);
  });

  it('cannot read files: include, render and layout are refused, and MJML includes are ignored', async () => {
    for (const [tag, name] of [
      ['{% include "/etc/passwd" %}', 'include'],
      ['{% render "secrets" %}', 'render'],
      ['{% layout "base" %}x', 'layout'],
    ] as const) {
      const err = await failure(prepareTemplate(html(`<p>${tag}</p>`), { customFieldKeys: [] }));
      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.message).toContain(`tag "${name}" not found`);
    }
    const mjml = await render(
      {
        subject: 'x',
        format: 'mjml',
        body: '<mjml><mj-body><mj-include path="/etc/passwd" /><mj-section><mj-column><mj-text>ok</mj-text></mj-column></mj-section></mj-body></mjml>',
        text: null,
      },
      varsFor(),
    );
    expect(mjml.html).toContain('ok');
    expect(mjml.html).not.toContain('root:');
  });

  it('gives no access to prototypes', async () => {
    // Through merge fields it is not even a known field …
    expect(
      (await failure(prepareTemplate(html('{{ contact.constructor }}'), { customFieldKeys: [] }))).message,
    ).toBe('Unknown merge field "contact.constructor"');
    // … and through a local alias or transactional data the sandbox yields nothing.
    const out = await render(
      html(
        '{% assign c = contact %}[{{ c.constructor }}][{{ c.constructor.name }}][{{ c.__proto__ }}][{{ c.toString }}][{{ data.constructor.name }}][{{ data.x.__proto__.polluted }}]',
      ),
      varsFor({}, { data: { x: {} } }),
    );
    expect(out.html).toContain('[][][][][][]');
  });

  it('stops a template that would run for ever, with a clean error', async () => {
    const p = await prepareTemplate(
      html('{% for i in (1..100000) %}{% for j in (1..100000) %}{{ i }}{% endfor %}{% endfor %}'),
      { customFieldKeys: [] },
    );
    const started = Date.now();
    const err = await failure(renderPrepared(p, varsFor()));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.message).toMatch(/could not be rendered: .*limit exceeded/);
    expect(Date.now() - started).toBeLessThan(5_000);
    // A huge range fails on the memory limit instead of allocating it.
    const big = await prepareTemplate(html('{% for i in (1..100000000) %}{{ i }}{% endfor %}'), {
      customFieldKeys: [],
    });
    expect((await failure(renderPrepared(big, varsFor()))).message).toMatch(/limit exceeded/);
  });

  it('compiles MJML once into responsive HTML with a media query', async () => {
    const src: TemplateSource = {
      subject: 'News',
      format: 'mjml',
      body: `<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ contact.firstName | default: "there" }}</mj-text>
        <mj-button href="{{ unsubscribe_url }}">Unsubscribe</mj-button></mj-column><mj-column><mj-text>Two</mj-text></mj-column></mj-section></mj-body></mjml>`,
      text: null,
    };
    const out = await render(src, varsFor());
    expect(out.html).toMatch(/@media only screen and \(min-width:480px\)/);
    expect(out.html).toContain('Hi Ada');
    expect(out.html).toContain('href="https://crm.test/e/u/tok"');
    expect(out.text).toContain('Hi Ada');
    // MJML errors name the problem.
    const err = await failure(
      prepareTemplate(
        { ...src, body: '<mjml><mj-body><mj-sectoin></mj-sectoin></mj-body></mjml>' },
        { customFieldKeys: [] },
      ),
    );
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.message).toMatch(/MJML error: .*mj-sectoin/);
  });

  it('puts an HTML fragment in the responsive layout, and uses a full document as it is', async () => {
    const fragment = await render(html('<p>Hi {{ contact.firstName }}</p>'), varsFor());
    expect(fragment.html).toMatch(/^<!doctype html>/i);
    expect(fragment.html).toContain('@media');
    expect(fragment.html).toContain('<p>Hi Ada</p>');
    const doc = '<!doctype html><html><body><p>Hi {{ contact.firstName }}</p></body></html>';
    expect((await render(html(doc), varsFor())).html).toBe(
      '<!doctype html><html><body><p>Hi Ada</p></body></html>',
    );
  });

  it('generates the plain text once from the HTML and renders it per contact', async () => {
    const p = await prepareTemplate(
      html(
        '<h1>Welcome {{ contact.firstName | default: "there" }}</h1><p>From {{ organization.name }}.</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
      ),
      { customFieldKeys: [] },
    );
    // The text template keeps its Liquid tags (headings are not upper-cased).
    expect(p.textSource).toContain('Welcome {{ contact.firstName | default: "there" }}');
    const ada = await renderPrepared(p, varsFor());
    const grace = await renderPrepared(p, varsFor({ first_name: 'Grace & co' }));
    expect(ada.text).toBe('Welcome Ada\n\nFrom Acme.\n\nUnsubscribe [https://crm.test/e/u/tok]');
    expect(grace.text).toContain('Welcome Grace & co');
    expect(grace.html).toContain('Welcome Grace &amp; co');
    // A given plain text is used instead.
    const given = await render(html('<p>x</p>', 'Hi', 'Plain {{ contact.lastName }}'), varsFor());
    expect(given.text).toBe('Plain Lovelace');
  });

  it('strips CR and LF from the subject (no header injection)', async () => {
    const out = await render(
      html('<p>x</p>', 'Hello {{ contact.firstName }}\r\nBcc: victim@example.com'),
      varsFor({ first_name: 'Eve\r\nBcc: other@example.com' }),
    );
    expect(out.subject).not.toMatch(/[\r\n]/);
    expect(out.subject).toBe('Hello Eve Bcc: other@example.com Bcc: victim@example.com');
  });

  it('renders sample data for previews', async () => {
    const out = await render(
      html('<p>{{ contact.firstName }} {{ contact.custom.plan }} <a href="{{ unsubscribe_url }}">u</a></p>'),
      sampleMergeVars({ customFieldKeys: ['plan'] }),
      ['plan'],
    );
    expect(out.html).toContain('Alex [plan]');
    expect(out.html).toContain('href="#unsubscribe-preview"');
  });

  it('renders fast enough for campaigns (measured, not asserted)', async () => {
    const p = await prepareTemplate(
      {
        subject: 'News for {{ contact.firstName | default: "you" }}',
        format: 'html',
        body: `<h1>Hello {{ contact.firstName | default: "there" }}</h1>
          <p>Here is what is new at {{ organization.name }} this month, {{ contact.fullName }}.</p>
          {% if company %}<p>Everyone at {{ company.name }} gets 10% off.</p>{% endif %}
          <p><a href="https://example.com/offer?c={{ contact.id }}">See the offer</a></p>
          <p style="font-size:12px;color:#777">{{ organization.name }}, {{ organization.postalAddress }}.
          <a href="{{ unsubscribe_url }}">Unsubscribe</a> · <a href="{{ preferences_url }}">Preferences</a></p>`,
        text: null,
      },
      { customFieldKeys: [] },
    );
    const contacts = Array.from({ length: 100 }, (_, i) =>
      varsFor(
        { first_name: i % 7 === 0 ? '' : `Person${i}` },
        { company: i % 2 ? { name: `Co ${i}`, domain: '', website: '', industry: '' } : null },
      ),
    );
    for (const v of contacts) await renderPrepared(p, v); // warm-up
    const n = 5_000;
    const started = performance.now();
    for (let i = 0; i < n; i++) await renderPrepared(p, contacts[i % contacts.length]!);
    const perSecond = Math.round(n / ((performance.now() - started) / 1000));
    console.info(`templates: ${perSecond} renders/s (subject + HTML + text, layout-wrapped fragment)`);
    expect(perSecond).toBeGreaterThan(0);
  });
});
