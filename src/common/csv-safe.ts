/**
 * The spreadsheet formula guard, shared by the CSV exporter and the importer so that
 * export → import gives back exactly what was exported.
 *
 * A spreadsheet may run a cell as a formula when it starts with = + - @ (also the full-width
 * ＝ ＋ － ＠ that some locales type), possibly after leading whitespace (space, tab, line feed,
 * carriage return, no-break or ideographic space), or when it starts with a tab, CR or LF.
 * The exporter puts an apostrophe in front of such a cell, as OWASP recommends, so it is shown
 * as text. A cell that starts with apostrophes followed by such a start gets one more, so the
 * importer can always remove exactly one: the guard is reversible.
 */
const FORMULA_START = /^'*(?:[\t\r\n]|\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/u;

/** True when the exporter must prefix `value` with an apostrophe. */
export function needsFormulaGuard(value: string): boolean {
  return FORMULA_START.test(value);
}

/** The cell as the exporter writes it (before CSV quoting). */
export function guardFormula(value: string): string {
  return needsFormulaGuard(value) ? `'${value}` : value;
}

/** The value the exporter started from: removes the guard's apostrophe, and only the guard's. */
export function unguardFormula(cell: string): string {
  return cell.startsWith("'") && needsFormulaGuard(cell.slice(1)) ? cell.slice(1) : cell;
}
