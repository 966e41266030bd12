import { ArrowLeft, FlaskConical, Play, TriangleAlert } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import type { FieldDefinition } from '@/components/fields/types';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { RadioCards } from '@/components/ui/radio-group';
import {
  Select,
  SelectContent,
  SelectGroup,
  SelectItem,
  SelectLabel,
  SelectSeparator,
  SelectTrigger,
  SelectValue,
} from '@/components/ui/select';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { ApiError, errorMessage } from '@/lib/api';
import { cn, formatBytes, formatNumber, plural } from '@/lib/utils';
import { useOverrideFormat } from '../api/override-format';
import { useStartImport } from '../api/start-import';
import {
  DELIMITERS,
  type Delimiter,
  type DuplicatePolicy,
  ENCODINGS,
  type Encoding,
  type Import,
  NEW_FIELD_TYPES,
  type NewFieldType,
  STANDARD_FIELDS,
  type StandardField,
  type Target,
} from '../api/types';
import {
  checkMapping,
  DELIMITER_LABELS,
  ENCODING_LABELS,
  NEW_FIELD_TYPE_LABELS,
  STANDARD_GROUPS,
  STANDARD_HINTS,
  STANDARD_LABELS,
  targetLabel,
  targetValue,
} from '../lib/targets';
import { TagsInput } from './tags-input';

const IGNORE: Target = { type: 'ignore' };
const LINE_ENDINGS: Record<string, string> = { crlf: 'Windows (CRLF)', lf: 'Unix (LF)', cr: 'old Mac (CR)' };

const POLICY_OPTIONS: ReadonlyArray<{ value: DuplicatePolicy; label: string; description: string }> = [
  {
    value: 'create_update',
    label: 'Create and update',
    description:
      'New email addresses become contacts; contacts that already exist get the values from the file.',
  },
  {
    value: 'create_only',
    label: 'Create only',
    description: 'Only new contacts are added. Rows whose email already exists are skipped.',
  },
  {
    value: 'update_only',
    label: 'Update only',
    description: 'Only existing contacts are updated. Rows with an unknown email are skipped.',
  },
];

function parseTarget(value: string, header: string, previous: Target): Target {
  if (value === 'ignore') return IGNORE;
  if (value === 'new') {
    return previous.type === 'new_field'
      ? previous
      : { type: 'new_field', label: header.slice(0, 80), fieldType: 'text' };
  }
  if (value.startsWith('standard:')) {
    const field = value.slice('standard:'.length) as StandardField;
    return STANDARD_FIELDS.includes(field) ? { type: 'standard', field } : IGNORE;
  }
  if (value.startsWith('custom:')) return { type: 'custom', key: value.slice('custom:'.length) };
  return IGNORE;
}

/** Up to three non-empty values of a column from the preview, on one line each. */
function samples(preview: string[][], column: number): string[] {
  const out: string[] = [];
  for (const row of preview) {
    const v = row[column]?.trim();
    if (v && !out.includes(v)) out.push(v);
    if (out.length === 3) break;
  }
  return out;
}

/** The issue index of a server error aimed at one column (`details.issues[].path = ['mapping', i]`). */
function serverColumnErrors(error: unknown): Record<number, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<number, string> = {};
  for (const issue of error.issues) {
    if (issue.path[0] === 'mapping' && issue.path.length > 1) {
      const i = Number(issue.path[1]);
      if (Number.isInteger(i) && !(i in out)) out[i] = issue.message;
    }
  }
  return out;
}

function ColumnTarget({
  index,
  header,
  target,
  fields,
  error,
  disabled,
  onChange,
}: {
  index: number;
  header: string;
  target: Target;
  fields: FieldDefinition[];
  error?: string;
  disabled?: boolean;
  onChange: (t: Target) => void;
}) {
  const errorId = `column-${index}-error`;
  const value = targetValue(target);
  // A custom field that no longer exists still shows what the mapping says.
  const unknownCustom =
    target.type === 'custom' && !fields.some((f) => f.key === target.key) ? target.key : undefined;
  return (
    <div className="grid gap-2">
      <Select
        value={value}
        onValueChange={(v) => onChange(parseTarget(v, header, target))}
        disabled={disabled}
      >
        <SelectTrigger
          aria-label={`Import column “${header}” as`}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          className={cn(target.type === 'ignore' && 'text-muted-foreground')}
          data-testid={`target-${index}`}
        >
          <SelectValue />
        </SelectTrigger>
        <SelectContent className="max-h-96">
          <SelectItem value="ignore">Don’t import</SelectItem>
          <SelectSeparator />
          {STANDARD_GROUPS.map((group) => (
            <SelectGroup key={group.label}>
              <SelectLabel>{group.label}</SelectLabel>
              {group.fields.map((f) => (
                <SelectItem key={f} value={`standard:${f}`} description={STANDARD_HINTS[f]}>
                  {STANDARD_LABELS[f]}
                </SelectItem>
              ))}
            </SelectGroup>
          ))}
          <SelectSeparator />
          <SelectGroup>
            <SelectLabel>Custom fields</SelectLabel>
            {fields.map((f) => (
              <SelectItem key={f.key} value={`custom:${f.key}`}>
                {f.label}
              </SelectItem>
            ))}
            {unknownCustom ? (
              <SelectItem value={`custom:${unknownCustom}`}>{unknownCustom}</SelectItem>
            ) : null}
            <SelectItem value="new" description="Creates a contact field named after the column">
              New field…
            </SelectItem>
          </SelectGroup>
        </SelectContent>
      </Select>
      {target.type === 'new_field' ? (
        <div className="grid gap-2 sm:grid-cols-[minmax(0,1fr)_8.5rem]">
          <Input
            aria-label={`Name of the new field for “${header}”`}
            value={target.label}
            maxLength={80}
            disabled={disabled}
            className="h-8"
            placeholder="Field name"
            onChange={(e) => onChange({ ...target, label: e.target.value })}
          />
          <Select
            value={target.fieldType}
            onValueChange={(v) => onChange({ ...target, fieldType: v as NewFieldType })}
            disabled={disabled}
          >
            <SelectTrigger size="sm" aria-label={`Type of the new field for “${header}”`}>
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {NEW_FIELD_TYPES.map((t) => (
                <SelectItem key={t} value={t}>
                  {NEW_FIELD_TYPE_LABELS[t]}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </div>
      ) : null}
      {error ? (
        <p id={errorId} className="flex items-start gap-1.5 text-[0.8125rem] text-destructive">
          <TriangleAlert aria-hidden="true" className="mt-0.5 size-3.5 shrink-0" />
          <span>{error}</span>
        </p>
      ) : null}
    </div>
  );
}

function FormatCard({
  imp,
  pending,
  error,
  onChange,
}: {
  imp: Import;
  pending: boolean;
  error: unknown;
  onChange: (change: { encoding?: Encoding; delimiter?: Delimiter }) => void;
}) {
  const columns = imp.headers.length;
  return (
    <Card>
      <CardHeader className="pb-4">
        <CardTitle className="truncate" data-testid="import-file-name">
          {imp.fileName}
        </CardTitle>
        <CardDescription data-testid="import-file-summary">
          {formatBytes(imp.fileSize)} · {plural(imp.totalRows, 'row')} · {plural(columns, 'column')}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-[15rem_13rem_minmax(0,1fr)] lg:items-end">
          <div className="grid gap-2">
            <Label htmlFor="import-encoding">Encoding</Label>
            <Select
              value={imp.format.encoding}
              onValueChange={(v) => onChange({ encoding: v as Encoding })}
              disabled={pending}
            >
              <SelectTrigger id="import-encoding" data-testid="import-encoding">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {ENCODINGS.map((e) => (
                  <SelectItem key={e} value={e}>
                    {ENCODING_LABELS[e]}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </div>
          <div className="grid gap-2">
            <Label htmlFor="import-delimiter">Separator</Label>
            <Select
              value={imp.format.delimiter}
              onValueChange={(v) => onChange({ delimiter: v as Delimiter })}
              disabled={pending}
            >
              <SelectTrigger id="import-delimiter" data-testid="import-delimiter">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {DELIMITERS.map((d) => (
                  <SelectItem key={d} value={d}>
                    {DELIMITER_LABELS[d]}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </div>
          <p
            className="text-[0.8125rem] text-muted-foreground sm:col-span-2 lg:col-span-1"
            aria-live="polite"
          >
            {pending ? (
              'Reading the file again…'
            ) : (
              <>
                <span data-testid="import-detected">
                  Detected {ENCODING_LABELS[imp.format.encoding].replace(/ \(.*\)$/, '')}
                  {imp.format.bom ? ' with a byte-order mark' : ''},{' '}
                  {LINE_ENDINGS[imp.format.lineEnding] ?? ''} line endings.
                </span>{' '}
                If names show odd characters (Ã©, �) or every value sits in one column, change these.
              </>
            )}
          </p>
        </div>
        {error ? (
          <Alert variant="error" title="The file cannot be read this way">
            {errorMessage(error)}
          </Alert>
        ) : null}
      </CardContent>
    </Card>
  );
}

function PreviewTable({
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

function raggedSummary(rows: number[]): string {
  const shown = rows.slice(0, 8).map(formatNumber);
  const last = shown.length > 1 && rows.length <= 8 ? shown.pop() : undefined;
  const list = last ? `${shown.join(', ')} and ${last}` : shown.join(', ');
  return rows.length > 8 ? `Rows ${list} and more.` : rows.length === 1 ? `Row ${list}.` : `Rows ${list}.`;
}

/**
 * Step 2: the detected format (with overrides), a target per column (pre-filled from the server's
 * suggestions), a preview, the duplicate policy and extra tags; then a dry run or the import.
 */
export function MappingStep({
  orgId,
  imp,
  fields,
  onStarted,
  onStartOver,
}: {
  orgId: string;
  imp: Import;
  fields: FieldDefinition[];
  onStarted: (imp: Import) => void;
  onStartOver: () => void;
}) {
  const format = useOverrideFormat(orgId);
  const start = useStartImport(orgId);
  const [mapping, setMapping] = React.useState<Target[] | null>(() => {
    if (imp.mapping && imp.mapping.length === imp.headers.length) return imp.mapping;
    if (imp.suggestedMapping && imp.suggestedMapping.length === imp.headers.length)
      return imp.suggestedMapping;
    return null;
  });
  const [policy, setPolicy] = React.useState<DuplicatePolicy>(imp.duplicatePolicy ?? 'create_update');
  const [extraTags, setExtraTags] = React.useState<string[]>(imp.extraTags);
  const [submitted, setSubmitted] = React.useState(false);
  const [formatError, setFormatError] = React.useState<unknown>();
  const [pendingRun, setPendingRun] = React.useState<'dry' | 'real' | null>(null);

  // Opened again later (a reload): the suggestions are not stored, so read the file once more for them.
  const asked = React.useRef(false);
  React.useEffect(() => {
    if (mapping !== null || asked.current) return;
    asked.current = true;
    format.mutate(
      { id: imp.id },
      {
        onSuccess: (next) => setMapping(next.suggestedMapping ?? next.headers.map(() => IGNORE)),
        onError: () => setMapping(imp.headers.map(() => IGNORE)),
      },
    );
  }, [mapping, format, imp.id, imp.headers]);

  const changeFormat = (change: { encoding?: Encoding; delimiter?: Delimiter }) => {
    setFormatError(undefined);
    const before = imp.headers;
    const previous = mapping;
    format.mutate(
      { id: imp.id, ...change },
      {
        onSuccess: (next) => {
          const suggested = next.suggestedMapping ?? next.headers.map(() => IGNORE);
          // Keep what the user chose for columns that read the same as before.
          setMapping(
            next.headers.map((h, i) =>
              previous && before[i] === h && previous[i] ? previous[i] : (suggested[i] ?? IGNORE),
            ),
          );
          start.reset();
        },
        onError: (e) => setFormatError(e),
      },
    );
  };

  if (mapping === null) {
    return (
      <div className="grid gap-4" role="status" aria-label="Loading the column mapping">
        <Skeleton className="h-40" />
        <Skeleton className="h-72" />
      </div>
    );
  }

  const problems = checkMapping(mapping, imp.headers, fields, policy);
  const serverColumns = serverColumnErrors(start.error);
  const columnErrors = { ...(submitted ? problems.columns : {}), ...serverColumns };
  const mappedCount = mapping.filter((t) => t.type !== 'ignore').length;
  const busy = start.isPending || format.isPending;

  const setTarget = (i: number, t: Target) => {
    setMapping((prev) => (prev ? prev.map((x, j) => (j === i ? t : x)) : prev));
    if (start.isError) start.reset();
  };

  const run = (dryRun: boolean) => {
    setSubmitted(true);
    if (Object.keys(problems.columns).length > 0 || problems.general.length > 0) {
      // Bring the first problem into view.
      requestAnimationFrame(() => {
        const first = document.querySelector<HTMLElement>('[aria-invalid="true"], [data-mapping-problems]');
        first?.scrollIntoView({ block: 'center', behavior: 'smooth' });
        if (first?.getAttribute('role') === 'combobox') first.focus({ preventScroll: true });
      });
      return;
    }
    setPendingRun(dryRun ? 'dry' : 'real');
    start.mutate(
      { id: imp.id, mapping, duplicatePolicy: policy, dryRun, extraTags },
      {
        onSuccess: onStarted,
        onError: (e) => {
          if (!(e instanceof ApiError && e.status === 400)) {
            toast.error('Could not start the import', { description: errorMessage(e) });
          }
        },
        onSettled: () => setPendingRun(null),
      },
    );
  };

  const ragged = imp.raggedRows;
  const generalProblems = submitted ? problems.general : [];

  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
      <div className="grid gap-4">
        <FormatCard imp={imp} pending={format.isPending} error={formatError} onChange={changeFormat} />
        {ragged.length > 0 ? (
          <Alert
            variant="warning"
            data-testid="ragged-warning"
            title={`${ragged.length >= 1000 ? 'More than 1,000' : formatNumber(ragged.length)} ${
              ragged.length === 1 ? 'row has' : 'rows have'
            } the wrong number of fields and will be rejected`}
          >
            {raggedSummary(ragged)} They will be listed in the error report. A missing or extra separator, or
            an unclosed quote, usually causes this.
          </Alert>
        ) : null}
      </div>
      <Card className="min-w-0">
        <CardHeader className="pb-4">
          <CardTitle>Columns</CardTitle>
          <CardDescription>
            Choose what each column of the file becomes. {mappedCount} of {imp.headers.length} columns will be
            imported.
          </CardDescription>
        </CardHeader>
        <Table aria-label="Column mapping" data-testid="column-mapping">
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <TableHead className="pl-6">Column in the file</TableHead>
              <TableHead className="hidden md:table-cell">Sample values</TableHead>
              <TableHead className="w-[19rem] pr-6">Import as</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {imp.headers.map((h, i) => {
              const values = samples(imp.preview, i);
              return (
                <TableRow key={h} className="hover:bg-transparent" data-testid={`column-row-${i}`}>
                  <TableCell className="pl-6 align-top">
                    <div className="max-w-56 truncate font-medium" title={h}>
                      {h}
                    </div>
                    <div className="text-xs text-muted-foreground">Column {i + 1}</div>
                  </TableCell>
                  <TableCell className="hidden align-top md:table-cell">
                    {values.length ? (
                      <ul className="grid max-w-72 gap-0.5 text-[0.8125rem] text-muted-foreground">
                        {values.map((v) => (
                          <li key={v} className="truncate" title={v}>
                            {v.replace(/\s*\n\s*/g, ' ↵ ')}
                          </li>
                        ))}
                      </ul>
                    ) : (
                      <span className="text-[0.8125rem] text-muted-foreground italic">
                        Empty in the preview
                      </span>
                    )}
                  </TableCell>
                  <TableCell className="pr-6 align-top">
                    <ColumnTarget
                      index={i}
                      header={h}
                      target={mapping[i] ?? IGNORE}
                      fields={fields}
                      error={columnErrors[i]}
                      disabled={busy}
                      onChange={(t) => setTarget(i, t)}
                    />
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </Card>

      <Card>
        <CardHeader className="pb-4">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <CardTitle>Preview</CardTitle>
            <Badge variant="outline" className="font-normal">
              First {plural(imp.preview.length, 'row')} of {formatNumber(imp.totalRows)}
            </Badge>
          </div>
          <CardDescription>How the file reads with the encoding and separator above.</CardDescription>
        </CardHeader>
        <PreviewTable imp={imp} mapping={mapping} fields={fields} />
      </Card>

      <Card>
        <CardHeader className="pb-4">
          <CardTitle>Options</CardTitle>
          <CardDescription>
            Contacts are matched by email address, ignoring upper and lower case. When the file holds the same
            email more than once, those rows are merged and the later row wins.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-6">
          <RadioCards
            legend="Existing contacts"
            name="duplicate-policy"
            value={policy}
            onValueChange={(p) => {
              setPolicy(p);
              if (start.isError) start.reset();
            }}
            options={POLICY_OPTIONS}
            disabled={busy}
          />
          <div className="grid max-w-xl gap-2">
            <Label htmlFor="import-extra-tags">Tag every imported contact</Label>
            <TagsInput
              id="import-extra-tags"
              value={extraTags}
              onChange={setExtraTags}
              disabled={busy}
              aria-describedby="import-extra-tags-hint"
            />
            <p id="import-extra-tags-hint" className="text-[0.8125rem] text-muted-foreground">
              Optional. Press Enter after each tag. Handy to find this import again later.
            </p>
          </div>
        </CardContent>
      </Card>

      <div className="sticky bottom-0 z-20 -mx-1 grid gap-3 border-t border-border bg-background/95 px-1 pt-4 pb-4 backdrop-blur">
        {generalProblems.length > 0 ? (
          <Alert variant="error" title="Check the mapping" data-mapping-problems="">
            <ul className="grid gap-1">
              {generalProblems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </Alert>
        ) : null}
        {start.isError && start.error instanceof ApiError && start.error.status === 400 ? (
          <Alert variant="error" title="The import cannot start" data-testid="start-error">
            {errorMessage(start.error)}
          </Alert>
        ) : null}
        {submitted && Object.keys(problems.columns).length > 0 ? (
          <p className="text-[0.8125rem] text-destructive" role="alert">
            {Object.keys(problems.columns).length === 1
              ? '1 column needs a different choice (marked above).'
              : `${Object.keys(problems.columns).length} columns need a different choice (marked above).`}
          </p>
        ) : null}
        <div className="flex flex-wrap items-center gap-3">
          <Button variant="ghost" onClick={onStartOver} disabled={start.isPending}>
            <ArrowLeft aria-hidden="true" />
            Choose another file
          </Button>
          <div className="ml-auto flex flex-wrap items-center gap-3">
            <span className="hidden text-[0.8125rem] text-muted-foreground lg:inline">
              A dry run checks every row and saves nothing.
            </span>
            <Button
              variant="secondary"
              onClick={() => run(true)}
              loading={pendingRun === 'dry'}
              disabled={busy}
            >
              <FlaskConical aria-hidden="true" />
              Dry run
            </Button>
            <Button onClick={() => run(false)} loading={pendingRun === 'real'} disabled={busy}>
              <Play aria-hidden="true" />
              Import {plural(imp.totalRows, 'row')}
            </Button>
          </div>
        </div>
      </div>
    </div>
  );
}
