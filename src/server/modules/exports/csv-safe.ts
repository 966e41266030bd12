/**
 * One CSV cell, quoted when needed, and neutralised against spreadsheet formula injection as
 * OWASP recommends: a cell starting with = + - @ tab or carriage return gets a leading quote
 * so Excel, Sheets and Numbers show it as text instead of running it.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'string' ? value : Array.isArray(value) ? value.join('; ') : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  if (/[",\r\n]/.test(s) || s !== s.trim()) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}
