import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { simpleParser } from 'mailparser';
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { escapeHtml } from '../../lib/html.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const FileParams = z.object({
  file: z.string().regex(/^[A-Za-z0-9._-]+\.eml$/, 'must be an .eml file name'),
});

/** Only this machine may read the outbox: the socket's own address, never a forwarded header. */
function assertLoopback(request: FastifyRequest) {
  const address = request.raw.socket.remoteAddress ?? '';
  if (!LOOPBACK.has(address)) throw new AppError('NOT_FOUND', 'Not found');
}

async function listMessages(dir: string) {
  let names: string[] = [];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.endsWith('.eml'));
  } catch {
    return [];
  }
  names.sort().reverse();
  return Promise.all(
    names.slice(0, 200).map(async (file) => {
      const parsed = await simpleParser(await fs.readFile(path.join(dir, file)));
      return {
        file,
        to: parsed.to
          ? Array.isArray(parsed.to)
            ? parsed.to.map((a) => a.text).join(', ')
            : parsed.to.text
          : '',
        subject: parsed.subject ?? '',
        date: (parsed.date ?? new Date(0)).toISOString(),
      };
    }),
  );
}

function page(title: string, body: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#111827}
main{max-width:900px;margin:0 auto;padding:32px 16px}h1{font-size:20px}table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #e5e7eb;border-radius:8px}
td,th{padding:10px 12px;border-bottom:1px solid #e5e7eb;text-align:left;font-size:14px}a{color:#4f46e5}
pre{white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:16px;font-size:14px;line-height:1.5}
.note{color:#6b7280;font-size:13px}dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;font-size:14px}dt{color:#6b7280}</style>
</head><body><main>${body}</main></body></html>`;
}

/** Escapes text and turns http(s) URLs into links. */
function linkify(text: string) {
  const parts = text.split(/(https?:\/\/[^\s<>"]+)/g);
  return parts
    .map((part, i) =>
      i % 2 === 1 ? `<a href="${escapeHtml(part)}">${escapeHtml(part)}</a>` : escapeHtml(part),
    )
    .join('');
}

/** The local outbox viewer (only when no SMTP_URL is set, only from loopback). */
export async function outboxRoutes(app: FastifyInstance, opts: { dir: string }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const TAG = ['Development'];

  r.get(
    '/_dev/outbox.json',
    {
      schema: {
        tags: TAG,
        summary: 'Messages in the local outbox, newest first (loopback only)',
        response: {
          200: z.object({
            items: z.array(
              z.object({ file: z.string(), to: z.string(), subject: z.string(), date: z.string() }),
            ),
          }),
        },
      },
    },
    async (request) => {
      assertLoopback(request);
      return { items: await listMessages(opts.dir) };
    },
  );

  r.get(
    '/_dev/outbox',
    { schema: { tags: TAG, summary: 'Outbox viewer (loopback only)' } },
    async (request, reply) => {
      assertLoopback(request);
      const items = await listMessages(opts.dir);
      const rows = items
        .map(
          (m) =>
            `<tr><td><a href="/_dev/outbox/${encodeURIComponent(m.file)}">${escapeHtml(m.subject || '(no subject)')}</a></td><td>${escapeHtml(m.to)}</td><td>${escapeHtml(m.date)}</td></tr>`,
        )
        .join('');
      const body = `<h1>Outbox</h1><p class="note">Mail written by the local transport to ${escapeHtml(opts.dir)}. Set SMTP_URL to deliver real mail.</p>
${items.length ? `<table><thead><tr><th>Subject</th><th>To</th><th>Date</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>No messages yet.</p>'}`;
      return reply.type('text/html; charset=utf-8').send(page('Outbox', body));
    },
  );

  r.get(
    '/_dev/outbox/:file',
    { schema: { tags: TAG, summary: 'One outbox message (loopback only)', params: FileParams } },
    async (request, reply) => {
      assertLoopback(request);
      const raw = await readMessage(opts.dir, request.params.file);
      const m = await simpleParser(raw);
      const to = m.to ? (Array.isArray(m.to) ? m.to.map((a) => a.text).join(', ') : m.to.text) : '';
      const body = `<p><a href="/_dev/outbox">← Outbox</a></p><h1>${escapeHtml(m.subject ?? '(no subject)')}</h1>
<dl><dt>From</dt><dd>${escapeHtml(m.from?.text ?? '')}</dd><dt>To</dt><dd>${escapeHtml(to)}</dd><dt>Date</dt><dd>${escapeHtml((m.date ?? new Date(0)).toISOString())}</dd></dl>
<pre data-testid="message-text">${linkify(m.text ?? '')}</pre>
<p class="note"><a href="/_dev/outbox/${encodeURIComponent(request.params.file)}/raw">Raw .eml</a>${m.html ? ` · <a href="/_dev/outbox/${encodeURIComponent(request.params.file)}/html">HTML version</a>` : ''}</p>`;
      return reply.type('text/html; charset=utf-8').send(page(m.subject ?? 'Message', body));
    },
  );

  r.get(
    '/_dev/outbox/:file/raw',
    { schema: { tags: TAG, summary: 'One outbox message as .eml (loopback only)', params: FileParams } },
    async (request, reply) => {
      assertLoopback(request);
      return reply.type('message/rfc822').send(await readMessage(opts.dir, request.params.file));
    },
  );

  r.get(
    '/_dev/outbox/:file/html',
    {
      schema: {
        tags: TAG,
        summary: 'HTML part of an outbox message, sandboxed (loopback only)',
        params: FileParams,
      },
    },
    async (request, reply) => {
      assertLoopback(request);
      const m = await simpleParser(await readMessage(opts.dir, request.params.file));
      return reply
        .header(
          'content-security-policy',
          "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
        )
        .type('text/html; charset=utf-8')
        .send(typeof m.html === 'string' ? m.html : '');
    },
  );
}

async function readMessage(dir: string, file: string) {
  try {
    return await fs.readFile(path.join(dir, path.basename(file)));
  } catch {
    throw new AppError('NOT_FOUND', 'Message not found');
  }
}
