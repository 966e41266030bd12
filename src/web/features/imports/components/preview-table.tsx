import { TriangleAlert } from 'lucide-react';
import type { FieldDefinition } from '@/components/fields/types';
import { cn } from '@/lib/utils';
import type { Import, Target } from '../api/types';
import { targetLabel } from '../lib/targets';
import { IGNORE } from './mapping-helpers';

export function PreviewTable({
  imp,
  mapping,
  fields,
}: {
  imp: Import;
  mapping: Target[];
  fields: FieldDefinition[];
}) {
  const ragged = new Set(imp.raggedRows);
  return (
    <section
      className="max-h-[26rem] overflow-auto rounded-b-lg border-t border-border"
      // Scrollable region: reachable and scrollable with the keyboard.
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be focusable
      tabIndex={0}
      aria-label="Preview of the first rows"
    >
      <table className="w-full border-separate border-spacing-0 text-sm" data-testid="import-preview">
        <thead className="sticky top-0 z-20 bg-subtle">
          <tr>
            <th
              scope="col"
              className="sticky left-0 z-30 w-14 border-b border-border bg-subtle px-3 py-2 text-left text-xs font-medium text-muted-foreground"
            >
              Row
            </th>
            {imp.headers.map((h, i) => {
              const t = mapping[i] ?? IGNORE;
              return (
                <th
                  key={h}
                  scope="col"
                  className="min-w-40 border-b border-border px-3 py-2 text-left align-bottom font-normal"
                >
                  <span className="block max-w-60 truncate text-[0.8125rem] font-medium text-foreground">
                    {h}
                  </span>
                  <span
                    className={cn(
                      'mt-0.5 block max-w-60 truncate text-xs',
                      t.type === 'ignore' ? 'text-muted-foreground' : 'font-medium text-accent',
                    )}
                  >
                    {t.type === 'ignore' ? 'Not imported' : `→ ${targetLabel(t, fields)}`}
                  </span>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {imp.preview.map((row, r) => {
            // The header is row 1; every record (ragged or not) is in the preview, in order.
            const rowNumber = r + 2;
            const isRagged = ragged.has(rowNumber) || row.length !== imp.headers.length;
            return (
              <tr key={rowNumber} className={cn(isRagged && 'bg-warning-subtle')}>
                <td
                  className={cn(
                    'sticky left-0 z-10 border-b border-border px-3 py-2 align-top text-xs tabular-nums text-muted-foreground',
                    isRagged ? 'bg-warning-subtle' : 'bg-background',
                  )}
                >
                  <span className="inline-flex items-center gap-1">
                    {rowNumber}
                    {isRagged ? (
                      <TriangleAlert
                        className="size-3.5 text-warning"
                        aria-label={`Row ${rowNumber} has ${row.length} fields; the header has ${imp.headers.length}`}
                      />
                    ) : null}
                  </span>
                </td>
                {imp.headers.map((h, c) => (
                  <td
                    key={h}
                    className={cn(
                      'border-b border-border px-3 py-2 align-top',
                      (mapping[c] ?? IGNORE).type === 'ignore' && 'text-muted-foreground',
                    )}
                  >
                    {(row[c] ?? '').includes('\n') ? (
                      <span className="line-clamp-2 max-w-72 whitespace-pre-line">{row[c]}</span>
                    ) : (
                      <span className="block max-w-72 truncate" title={row[c]}>
                        {row[c] ?? ''}
                      </span>
                    )}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
