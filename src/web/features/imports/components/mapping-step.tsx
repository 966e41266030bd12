import { ArrowLeft, FlaskConical, Play } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import type { FieldDefinition } from '@/components/fields/types';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Checkbox } from '@/components/ui/checkbox';
import { Label } from '@/components/ui/label';
import { RadioCards } from '@/components/ui/radio-group';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { ApiError, errorMessage } from '@/lib/api';
import { formatNumber, plural } from '@/lib/utils';
import { useOverrideFormat } from '../api/override-format';
import { useStartImport } from '../api/start-import';
import type { Delimiter, DuplicatePolicy, Encoding, Import, Target } from '../api/types';
import { describeMarketing } from '../lib/marketing';
import { checkMapping } from '../lib/targets';
import { ColumnTarget } from './column-target';
import { FormatCard } from './format-card';
import { IGNORE, POLICY_OPTIONS, raggedSummary, samples, serverColumnErrors } from './mapping-helpers';
import {
  MarketingCard,
  type MarketingDraft,
  marketingDraftOf,
  marketingDraftProblems,
  marketingOf,
} from './marketing-card';
import { PreviewTable } from './preview-table';
import { TagsInput } from './tags-input';

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
  const [triggerAutomations, setTriggerAutomations] = React.useState<boolean>(imp.triggerAutomations ?? true);
  const [marketing, setMarketing] = React.useState<MarketingDraft>(() => marketingDraftOf(imp.marketing));
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
  const hasStatusColumn = mapping.some((t) => t.type === 'standard' && t.field === 'subscriptionStatus');
  const marketingProblems =
    policy === 'update_only' ? {} : marketingDraftProblems(marketing, hasStatusColumn);
  const marketingErrors = submitted ? marketingProblems : {};
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
    if (
      Object.keys(problems.columns).length > 0 ||
      problems.general.length > 0 ||
      Object.keys(marketingProblems).length > 0
    ) {
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
      {
        id: imp.id,
        mapping,
        duplicatePolicy: policy,
        dryRun,
        extraTags,
        triggerAutomations,
        ...(policy === 'update_only' ? {} : { marketing: marketingOf(marketing) }),
      },
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
          <div className="flex max-w-xl items-start gap-2">
            <Checkbox
              id="import-trigger-automations"
              checked={triggerAutomations}
              disabled={busy}
              onCheckedChange={(v) => setTriggerAutomations(v === true)}
            />
            <div className="grid gap-1">
              <Label htmlFor="import-trigger-automations">Run automations for these contacts</Label>
              <p className="text-[0.8125rem] text-muted-foreground">
                Unticked, the contacts this import creates or changes enrol in no workflow (for example a
                migration of old contacts that should not get a welcome series).
              </p>
            </div>
          </div>
        </CardContent>
      </Card>

      <MarketingCard
        value={marketing}
        onChange={(m) => {
          setMarketing(m);
          if (start.isError) start.reset();
        }}
        disabled={busy}
        errors={marketingErrors}
        updateOnly={policy === 'update_only'}
      />

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
              {policy === 'update_only' ? '' : `New contacts: ${describeMarketing(marketingOf(marketing))}. `}
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
