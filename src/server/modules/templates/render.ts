import { convert, type HtmlToTextOptions } from 'html-to-text';
import { type FS, Liquid, type Template } from 'liquidjs';
import mjml2html from 'mjml';
import { AppError } from '../../lib/errors.js';

/**
 * Email templates: Liquid merge fields in a subject, an HTML or MJML body and an optional plain
 * text part. A template is prepared once per campaign (parsed, validated, MJML compiled, text
 * derived) and rendered once per contact. Liquid runs sandboxed: no file system, no prototype
 * access, limits on parse size, render time and allocations, and unknown filters refused.
 */

export interface TemplateSource {
  subject: string;
  format: 'html' | 'mjml';
  body: string;
  text: string | null;
}

export interface MergeVars {
  contact: Record<string, unknown>;
  company: Record<string, unknown> | null;
  organization: { name: string; postalAddress: string };
  unsubscribe_url?: string;
  preferences_url?: string;
  /** Transactional merge data: any keys, used as `data.<key>`. */
  data?: Record<string, unknown>;
}

export interface PreparedTemplate {
  readonly subject: Template[];
  readonly html: Template[];
  readonly text: Template[];
  /** The compiled HTML with its Liquid tags (what `html` was parsed from). */
  readonly htmlSource: string;
  /** The plain-text template (given, or derived from the HTML), with its Liquid tags. */
  readonly textSource: string;
}

/** The merge fields a template may use, as the editor lists them. */
export const CONTACT_FIELDS = [
  'id',
  'firstName',
  'lastName',
  'fullName',
  'email',
  'phone',
  'jobTitle',
  'companyName',
] as const;
export const COMPANY_FIELDS = ['name', 'domain', 'website', 'industry'] as const;
export const ORGANIZATION_FIELDS = ['name', 'postalAddress'] as const;
/** What a preview or a test send puts where the real unsubscribe and preferences links go. */
export const PREVIEW_LINK = '#unsubscribe-preview';

/** Limits so that a hostile template cannot hang or exhaust a worker. */
const LIMITS = {
  /** Characters parsed in one parse() call. */
  parseLimit: 1_000_000,
  /** Milliseconds per render() call. */
  renderLimit: 500,
  /** Allocation units (string/array growth) per render() call. */
  memoryLimit: 20_000_000,
} as const;
/** Tag, output and HTML renders per render() call. */
const TEMPLATE_LIMIT = 200_000;

const refuse = (file: string): never => {
  throw new Error(`Templates cannot read files ("${file}")`);
};
/** A file system that has no files: include, render and layout find nothing. */
const NO_FS: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file) => refuse(file),
  readFileSync: (file) => refuse(file),
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
};

/** Tags that load other templates: refused when a template is parsed (and there are no files anyway). */
const FILE_TAGS = ['include', 'render', 'layout'] as const;

function engine(escapeOutput: boolean): Liquid {
  const liquid = new Liquid({
    fs: NO_FS,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: false,
    cache: false,
    timezoneOffset: 0,
    ...(escapeOutput ? { outputEscape: 'escape' as const } : {}),
    ...LIMITS,
  });
  for (const tag of FILE_TAGS) delete liquid.tags[tag];
  return liquid;
}
/** The HTML body: every output is HTML-escaped unless the template says `| raw`. */
const htmlEngine = engine(true);
/** Subject and plain text: nothing to escape. */
const plainEngine = engine(false);

/**
 * The responsive layout an HTML fragment (a body without `<html>`) is put in: one 600px column on
 * desktop, full width on phones. Compiled once; the fragment replaces the marker.
 */
const FRAGMENT_MARKER = 'MOXORA_FRAGMENT_BODY_7F3A';
const FRAGMENT_LAYOUT_MJML = `<mjml>
  <mj-head>
    <mj-attributes>
      <mj-all font-family="-apple-system, BlinkMacSystemFont, 'Segoe UI', Helvetica, Arial, sans-serif" />
      <mj-text font-size="16px" line-height="1.5" color="#18181b" padding="0" />
    </mj-attributes>
    <mj-style>
      .moxora-content img { max-width: 100%; height: auto; }
      .moxora-content a { color: #4f46e5; }
      .moxora-content h1, .moxora-content h2, .moxora-content h3 { line-height: 1.25; margin: 0 0 12px; }
      .moxora-content p { margin: 0 0 16px; }
    </mj-style>
  </mj-head>
  <mj-body background-color="#f4f4f5" width="600px">
    <mj-section padding="24px 12px">
      <mj-column background-color="#ffffff" padding="32px 28px" border-radius="8px">
        <mj-text css-class="moxora-content">${FRAGMENT_MARKER}</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

const MJML_OPTIONS = {
  validationLevel: 'strict' as const,
  ignoreIncludes: true,
  keepComments: false,
  fonts: {},
  minify: false,
  beautify: false,
};

/** Compiled when this module loads (mjml 5 answers a promise). */
const fragmentLayout: Promise<{ before: string; after: string }> = (async () => {
  const { html } = await mjml2html(FRAGMENT_LAYOUT_MJML, MJML_OPTIONS);
  const at = html.indexOf(FRAGMENT_MARKER);
  if (at < 0) throw new Error('email layout lost its fragment marker');
  return { before: html.slice(0, at), after: html.slice(at + FRAGMENT_MARKER.length) };
})();
// Nobody may await it before the first template: do not let a failure go unhandled meanwhile.
fragmentLayout.catch(() => {});

const TEXT_OPTIONS: HtmlToTextOptions = {
  // Liquid tags must survive intact: no wrapping inside them, no upper-casing of headings.
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true, ignoreHref: false } },
    { selector: 'img', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'h5', options: { uppercase: false } },
    { selector: 'h6', options: { uppercase: false } },
    { selector: 'table', format: 'block' },
    { selector: 'tr', format: 'block' },
    { selector: 'td', format: 'block' },
    { selector: 'th', format: 'block' },
  ],
};

const invalid = (field: 'subject' | 'body' | 'text', message: string, detail = message) =>
  new AppError('VALIDATION_FAILED', message, { issues: [{ path: [field], message: detail }] });

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

function parse(liquid: Liquid, field: 'subject' | 'body' | 'text', source: string): Template[] {
  try {
    return liquid.parse(source);
  } catch (err) {
    throw invalid(field, `Template syntax error in the ${field}: ${errorMessage(err)}`);
  }
}

/** Why a variable path is not a known merge field, or null when it is one. */
function isKnown(segments: unknown[], customFieldKeys: ReadonlySet<string>): boolean {
  const [root, first, second, ...rest] = segments;
  // A property after a leaf value: only what Liquid itself defines on strings and lists.
  const leafTail = (tail: unknown[]) =>
    tail.length === 0 || (tail.length === 1 && ['size', 'first', 'last'].includes(tail[0] as string));
  const plain = (...s: unknown[]) => s.every((x) => typeof x === 'string' || typeof x === 'number');
  switch (root) {
    case 'unsubscribe_url':
    case 'preferences_url':
      return leafTail(segments.slice(1));
    case 'data':
      // Transactional data: any keys, but only literal ones.
      return plain(...segments);
    case 'contact':
      if (first === undefined) return true;
      if (first === 'custom') {
        if (second === undefined) return true;
        return typeof second === 'string' && customFieldKeys.has(second) && leafTail(rest);
      }
      return (CONTACT_FIELDS as readonly unknown[]).includes(first) && leafTail(segments.slice(2));
    case 'company':
      if (first === undefined) return true;
      return (COMPANY_FIELDS as readonly unknown[]).includes(first) && leafTail(segments.slice(2));
    case 'organization':
      if (first === undefined) return true;
      return (ORGANIZATION_FIELDS as readonly unknown[]).includes(first) && leafTail(segments.slice(2));
    default:
      return false;
  }
}

/** Every merge field the templates read must be one we provide (liquidjs static analysis). */
function validateVariables(
  field: 'subject' | 'body' | 'text',
  templates: Template[],
  customFieldKeys: ReadonlySet<string>,
) {
  let globals: ReturnType<Liquid['analyzeSync']>['globals'];
  try {
    globals = htmlEngine.analyzeSync(templates, { partials: false }).globals;
  } catch (err) {
    throw invalid(field, `Template error in the ${field}: ${errorMessage(err)}`);
  }
  for (const variables of Object.values(globals)) {
    for (const variable of variables) {
      if (isKnown(variable.toArray(), customFieldKeys)) continue;
      const name = variable.toString();
      const line = field === 'subject' ? '' : ` (line ${variable.location.row})`;
      throw invalid(field, `Unknown merge field "${name}"`, `Unknown merge field "${name}"${line}`);
    }
  }
}

const isFullDocument = (html: string) => /<html[\s>]/i.test(html);

async function compileMjml(body: string): Promise<string> {
  try {
    const result = await mjml2html(body, MJML_OPTIONS);
    return result.html;
  } catch (err) {
    const errors = (err as { errors?: Array<{ formattedMessage?: string; message?: string }> }).errors;
    const detail = errors?.length
      ? errors.map((e) => e.message ?? e.formattedMessage).join('; ')
      : errorMessage(err).replace(/^ValidationError:\s*/, '');
    throw invalid('body', `MJML error: ${detail}`);
  }
}

/**
 * Parses and validates a template once (per campaign, per preview): Liquid syntax, known merge
 * fields (`customFieldKeys`: the organisation's contact custom field keys), MJML compiled, and the
 * plain text derived from the HTML when none is given (with its Liquid tags, rendered per contact).
 */
export async function prepareTemplate(
  src: TemplateSource,
  opts: { customFieldKeys: string[] },
): Promise<PreparedTemplate> {
  const keys = new Set(opts.customFieldKeys);
  // Liquid first on the source as written, so errors point at the author's lines.
  const subject = parse(plainEngine, 'subject', src.subject);
  validateVariables('subject', subject, keys);
  validateVariables('body', parse(htmlEngine, 'body', src.body), keys);
  const givenText = src.text !== null && src.text.trim() !== '' ? src.text : null;
  if (givenText !== null) validateVariables('text', parse(plainEngine, 'text', givenText), keys);

  let htmlSource: string;
  if (src.format === 'mjml') {
    htmlSource = await compileMjml(src.body);
  } else if (isFullDocument(src.body)) {
    htmlSource = src.body;
  } else {
    const layout = await fragmentLayout;
    htmlSource = layout.before + src.body + layout.after;
  }
  const html = parse(htmlEngine, 'body', htmlSource);
  const textSource = givenText ?? convert(htmlSource, TEXT_OPTIONS);
  const text = parse(plainEngine, 'text', textSource);
  return { subject, html, text, htmlSource, textSource };
}

/** C0 controls (CR and LF above all: no header injection) and DEL become spaces. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters removed
const SUBJECT_CONTROLS = /[\u0000-\u001f\u007f]+/g;

/** Renders a prepared template for one recipient. */
export async function renderPrepared(
  p: PreparedTemplate,
  vars: MergeVars,
): Promise<{ subject: string; html: string; text: string }> {
  const scope = {
    contact: vars.contact,
    company: vars.company,
    organization: vars.organization,
    unsubscribe_url: vars.unsubscribe_url ?? '',
    preferences_url: vars.preferences_url ?? '',
    data: vars.data ?? {},
  };
  const options = { templateLimit: TEMPLATE_LIMIT };
  try {
    const subject = String(plainEngine.renderSync(p.subject, scope, options))
      .replace(SUBJECT_CONTROLS, ' ')
      .trim();
    const html = String(htmlEngine.renderSync(p.html, scope, options));
    const text = String(plainEngine.renderSync(p.text, scope, options))
      .replace(/[ \t]+$/gm, '')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
    return { subject, html, text };
  } catch (err) {
    throw new AppError('VALIDATION_FAILED', `The template could not be rendered: ${errorMessage(err)}`);
  }
}

/** A contacts row as SQL returns it (snake_case). */
export interface ContactRow {
  id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phones: string[] | null;
  job_title: string | null;
  company_name: string | null;
  custom: Record<string, unknown> | null;
}

/** The `contact` merge variable of a contacts row. */
export function contactMergeVars(row: ContactRow): Record<string, unknown> {
  const firstName = row.first_name ?? '';
  const lastName = row.last_name ?? '';
  return {
    id: row.id,
    firstName,
    lastName,
    fullName: [firstName, lastName].filter(Boolean).join(' '),
    email: row.email ?? '',
    phone: row.phones?.[0] ?? '',
    jobTitle: row.job_title ?? '',
    companyName: row.company_name ?? '',
    // A copy without a prototype chain to reach, whatever the jsonb held.
    custom: { ...(row.custom ?? {}) },
  };
}

/** The `company` merge variable of a companies row (null without a company). */
export function companyMergeVars(
  row: { name: string | null; domain: string | null; website: string | null; industry: string | null } | null,
): Record<string, unknown> | null {
  if (!row) return null;
  return {
    name: row.name ?? '',
    domain: row.domain ?? '',
    website: row.website ?? '',
    industry: row.industry ?? '',
  };
}

/** Merge variables for a preview without a contact: an example person at an example company. */
export function sampleMergeVars(
  opts: { organization?: { name: string; postalAddress: string }; customFieldKeys?: string[] } = {},
): MergeVars {
  return {
    contact: {
      id: '00000000-0000-4000-8000-000000000000',
      firstName: 'Alex',
      lastName: 'Example',
      fullName: 'Alex Example',
      email: 'alex@example.com',
      phone: '+1 555 0100',
      jobTitle: 'Head of Operations',
      companyName: 'Example Inc.',
      custom: Object.fromEntries((opts.customFieldKeys ?? []).map((k) => [k, `[${k}]`])),
    },
    company: {
      name: 'Example Inc.',
      domain: 'example.com',
      website: 'https://example.com',
      industry: 'Software',
    },
    organization: opts.organization ?? {
      name: 'Your organisation',
      postalAddress: '1 Example Street, Example City',
    },
    unsubscribe_url: PREVIEW_LINK,
    preferences_url: PREVIEW_LINK,
    data: {},
  };
}
