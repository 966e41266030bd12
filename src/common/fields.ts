/**
 * Custom-field rules shared by the server and the web UI, so a key shown in the browser is the
 * key the server will create.
 */

/**
 * The key a field gets from its label when none is given: accents dropped, lower case, runs of
 * anything else turned into `_`, cut at 40 characters, and `f_` in front when it would not
 * start with a letter ("Lead score" → "lead_score", "1st order" → "f_1st_order").
 */
export function fieldKeyOf(label: string): string {
  const s = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  return /^[a-z]/.test(s) ? s : `f_${s || 'field'}`;
}
