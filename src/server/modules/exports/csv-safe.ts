import { guardFormula } from '../../../common/csv-safe.js';

/**
 * One CSV cell, quoted when needed, and neutralised against spreadsheet formula injection
 * (see src/common/csv-safe.ts: a cell that a spreadsheet could run gets a leading apostrophe,
 * which the importer removes again).
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'string' ? value : Array.isArray(value) ? value.join('; ') : String(value);
  s = guardFormula(s);
  if (/[",\r\n]/.test(s) || s !== s.trim()) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}
