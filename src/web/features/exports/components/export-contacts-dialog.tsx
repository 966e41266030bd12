import { Download, FileDown } from 'lucide-react';
import * as React from 'react';
import type { FieldDefinition } from '@/components/fields/types';
import { Alert } from '@/components/ui/alert';
import { Button, type ButtonProps } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from '@/components/ui/dialog';
import { Label } from '@/components/ui/label';
import { errorMessage } from '@/lib/api';
import { useLocalStorage } from '@/lib/use-local-storage';
import { plural } from '@/lib/utils';
import { useCreateExport } from '../api/create-export';
import { type ContactsExportScope, DEFAULT_EXPORT_COLUMNS, STANDARD_EXPORT_COLUMNS } from '../api/types';
import { ExportStatus } from './export-status';

interface Preferences {
  columns: string[];
  bom: boolean;
}
const DEFAULT_PREFERENCES: Preferences = { columns: DEFAULT_EXPORT_COLUMNS, bom: false };

function ColumnCheckbox({
  id,
  label,
  checked,
  onChange,
  hint,
}: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (on: boolean) => void;
  hint?: string;
}) {
  const controlId = `export-col-${id}`;
  return (
    <div className="flex min-w-0 items-center gap-2.5 py-1">
      <Checkbox id={controlId} checked={checked} onCheckedChange={(v) => onChange(v === true)} />
      <Label htmlFor={controlId} className="min-w-0 truncate font-normal">
        {label}
        {hint ? <span className="ml-1.5 text-xs text-muted-foreground">{hint}</span> : null}
      </Label>
    </div>
  );
}

/**
 * "Export" on the contacts screen: pick columns (standard and custom), optionally a BOM for Excel,
 * then follow the export until its Download link appears. Exports the current view or the selection.
 */
export function ExportContactsDialog({
  orgId,
  scope,
  scopeText,
  sort,
  count,
  fields,
  triggerLabel = 'Export',
  triggerVariant = 'secondary',
  triggerSize = 'sm',
}: {
  orgId: string;
  scope: ContactsExportScope;
  /** Who is exported, for the dialog's text: "all 31 contacts", "3 selected contacts". */
  scopeText: string;
  /** The table's sort, so the file lists contacts in the order the user sees them. */
  sort?: string;
  /** How many contacts, when known (shown while preparing). */
  count?: number;
  /** Custom contact fields, offered as columns. */
  fields: FieldDefinition[];
  triggerLabel?: string;
  triggerVariant?: ButtonProps['variant'];
  triggerSize?: ButtonProps['size'];
}) {
  const create = useCreateExport(orgId);
  const [open, setOpen] = React.useState(false);
  const [exportId, setExportId] = React.useState<string>();
  const [prefs, setPrefs] = useLocalStorage<Preferences>(
    `moxora:exports:contacts:${orgId}`,
    DEFAULT_PREFERENCES,
  );

  const options = React.useMemo(
    () => [
      ...STANDARD_EXPORT_COLUMNS.map((c) => ({ id: c.id, label: c.label, custom: false })),
      ...fields.map((f) => ({ id: `custom.${f.key}`, label: f.label, custom: true })),
    ],
    [fields],
  );
  const known = new Set(options.map((o) => o.id));
  const chosen = new Set(prefs.columns.filter((c) => known.has(c)));
  // The file's columns follow the order of the list.
  const columns = options.filter((o) => chosen.has(o.id)).map((o) => o.id);

  const setChosen = (next: Set<string>) => setPrefs((p) => ({ ...p, columns: [...next] }));
  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setChosen(next);
  };

  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (!next) {
      // Closing forgets a finished export; a new open starts from the choices again.
      setExportId(undefined);
      create.reset();
    }
  };

  const run = () =>
    create.mutate(
      { kind: 'contacts_csv', ...scope, ...(sort ? { sort } : {}), columns, bom: prefs.bom },
      { onSuccess: (exp) => setExportId(exp.id) },
    );

  const standard = options.filter((o) => !o.custom);
  const custom = options.filter((o) => o.custom);

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button variant={triggerVariant} size={triggerSize}>
          <FileDown aria-hidden="true" />
          {triggerLabel}
        </Button>
      </DialogTrigger>
      <DialogContent className="max-w-xl">
        <DialogHeader>
          <DialogTitle>Export contacts to CSV</DialogTitle>
          <DialogDescription>
            Exports {scopeText}. Cells that a spreadsheet would run as a formula are written as text.
          </DialogDescription>
        </DialogHeader>
        {exportId ? (
          <ExportStatus
            orgId={orgId}
            exportId={exportId}
            preparingText={
              count !== undefined ? `Preparing ${plural(count, 'contact')}…` : 'Preparing the file…'
            }
            onRetry={() => {
              setExportId(undefined);
              create.reset();
            }}
          />
        ) : (
          <div className="grid gap-5">
            {create.isError ? (
              <Alert variant="error" title="Could not start the export">
                {errorMessage(create.error)}
              </Alert>
            ) : null}
            <fieldset className="grid gap-2" aria-labelledby="export-columns-label">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <p id="export-columns-label" className="text-sm font-medium">
                  Columns <span className="font-normal text-muted-foreground">({columns.length} chosen)</span>
                </p>
                <div className="flex items-center gap-1">
                  <Button
                    variant="ghost"
                    size="sm"
                    onClick={() => setChosen(new Set(options.map((o) => o.id)))}
                  >
                    All
                  </Button>
                  <Button variant="ghost" size="sm" onClick={() => setChosen(new Set())}>
                    None
                  </Button>
                  <Button
                    variant="ghost"
                    size="sm"
                    onClick={() => setChosen(new Set(DEFAULT_EXPORT_COLUMNS))}
                  >
                    Defaults
                  </Button>
                </div>
              </div>
              <div className="max-h-72 overflow-y-auto rounded-md border border-border px-3 py-2">
                <div className="grid gap-x-4 sm:grid-cols-2" data-testid="export-columns">
                  {standard.map((o) => (
                    <ColumnCheckbox
                      key={o.id}
                      id={o.id}
                      label={o.label}
                      checked={chosen.has(o.id)}
                      onChange={(on) => toggle(o.id, on)}
                    />
                  ))}
                </div>
                {custom.length > 0 ? (
                  <>
                    <p className="mt-3 mb-1 border-t border-border pt-3 text-xs font-medium text-muted-foreground">
                      Custom fields
                    </p>
                    <div className="grid gap-x-4 sm:grid-cols-2">
                      {custom.map((o) => (
                        <ColumnCheckbox
                          key={o.id}
                          id={o.id}
                          label={o.label}
                          checked={chosen.has(o.id)}
                          onChange={(on) => toggle(o.id, on)}
                        />
                      ))}
                    </div>
                  </>
                ) : null}
              </div>
              {columns.length === 0 ? (
                <p className="text-[0.8125rem] text-destructive">Choose at least one column.</p>
              ) : null}
            </fieldset>
            <div className="flex items-start gap-2.5">
              <Checkbox
                id="export-bom"
                checked={prefs.bom}
                onCheckedChange={(v) => setPrefs((p) => ({ ...p, bom: v === true }))}
                aria-describedby="export-bom-hint"
                className="mt-0.5"
              />
              <div className="grid gap-1">
                <Label htmlFor="export-bom">Add BOM for Excel</Label>
                <p id="export-bom-hint" className="text-[0.8125rem] text-muted-foreground">
                  Excel on Windows needs it to show accents and non-Latin names correctly. Other programs do
                  not.
                </p>
              </div>
            </div>
          </div>
        )}
        <DialogFooter>
          {exportId ? (
            <Button variant="secondary" onClick={() => onOpenChange(false)}>
              Close
            </Button>
          ) : (
            <>
              <Button variant="secondary" onClick={() => onOpenChange(false)} disabled={create.isPending}>
                Cancel
              </Button>
              <Button onClick={run} loading={create.isPending} disabled={columns.length === 0}>
                <Download aria-hidden="true" />
                Export {count !== undefined ? plural(count, 'contact') : 'contacts'}
              </Button>
            </>
          )}
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
