import { Alert } from '@/components/ui/alert';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Label } from '@/components/ui/label';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { errorMessage } from '@/lib/api';
import { formatBytes, plural } from '@/lib/utils';
import { DELIMITERS, type Delimiter, ENCODINGS, type Encoding, type Import } from '../api/types';
import { DELIMITER_LABELS, ENCODING_LABELS } from '../lib/targets';
import { LINE_ENDINGS } from './mapping-helpers';

export function FormatCard({
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
