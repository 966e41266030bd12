import { FileSpreadsheet, FileUp, ListChecks, Mail, Rows3 } from 'lucide-react';
import * as React from 'react';
import { Alert } from '@/components/ui/alert';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Spinner } from '@/components/ui/spinner';
import { errorMessage, isApiError } from '@/lib/api';
import { cn, formatBytes } from '@/lib/utils';
import { useImportMaxBytes } from '../api/list-imports';
import type { Import } from '../api/types';
import { useUploadImport } from '../api/upload-import';

/** The largest upload the server accepts by default (IMPORT_MAX_BYTES). */
export const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;

function uploadErrorTitle(error: unknown): string {
  if (isApiError(error, 'PAYLOAD_TOO_LARGE')) return 'This file is too large';
  if (isApiError(error, 'NETWORK_ERROR')) return 'The upload did not reach Moxora';
  if (isApiError(error) && error.status >= 500) return 'The upload failed';
  return 'This file cannot be imported';
}

/** Step 1: drop or pick a CSV file; the server checks it and answers with its format and a preview. */
export function UploadStep({ orgId, onUploaded }: { orgId: string; onUploaded: (imp: Import) => void }) {
  const upload = useUploadImport(orgId);
  const inputId = React.useId();
  const inputRef = React.useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = React.useState(false);
  const [file, setFile] = React.useState<File | null>(null);
  const dragDepth = React.useRef(0);
  const maxBytes = useImportMaxBytes(orgId) ?? DEFAULT_MAX_BYTES;
  const [tooLarge, setTooLarge] = React.useState(false);

  const send = (picked: File) => {
    setFile(picked);
    // Refused here, before minutes of uploading; the server refuses it too.
    setTooLarge(picked.size > maxBytes);
    if (picked.size > maxBytes) return upload.reset();
    upload.mutate(picked, { onSuccess: onUploaded });
  };

  const onDrop = (event: React.DragEvent) => {
    event.preventDefault();
    dragDepth.current = 0;
    setDragging(false);
    if (upload.isPending) return;
    const picked = event.dataTransfer.files[0];
    if (picked) send(picked);
  };

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_18rem]">
      <div className="grid content-start gap-4">
        {tooLarge && file ? (
          <Alert variant="error" title="This file is too large" data-testid="upload-error">
            <p>
              {file.name} is {formatBytes(file.size)}; this server accepts CSV files up to{' '}
              {formatBytes(maxBytes)}. Split it into smaller files, or ask the administrator to raise
              IMPORT_MAX_BYTES.
            </p>
          </Alert>
        ) : null}
        {upload.isError ? (
          <Alert variant="error" title={uploadErrorTitle(upload.error)} data-testid="upload-error">
            <p>{errorMessage(upload.error)}</p>
            {file ? (
              <p className="mt-1 text-red-800/80">
                {file.name} · {formatBytes(file.size)}
              </p>
            ) : null}
          </Alert>
        ) : null}
        <section
          aria-label="Upload a CSV file"
          onDragEnter={(e) => {
            e.preventDefault();
            dragDepth.current++;
            setDragging(true);
          }}
          onDragOver={(e) => e.preventDefault()}
          onDragLeave={() => {
            dragDepth.current = Math.max(0, dragDepth.current - 1);
            if (dragDepth.current === 0) setDragging(false);
          }}
          onDrop={onDrop}
          className={cn(
            'flex min-h-72 flex-col items-center justify-center rounded-lg border-2 border-dashed px-6 py-12 text-center transition-colors',
            dragging ? 'border-accent bg-accent-subtle' : 'border-input bg-subtle',
          )}
          data-testid="dropzone"
        >
          {upload.isPending ? (
            <div className="grid justify-items-center gap-3" role="status" aria-live="polite">
              <div className="flex size-12 items-center justify-center rounded-full border border-border bg-background shadow-xs">
                <Spinner className="size-5 text-accent" />
              </div>
              <p className="text-sm font-medium">Uploading and checking {file?.name ?? 'the file'}…</p>
              <p className="text-[0.8125rem] text-muted-foreground">
                {file ? `${formatBytes(file.size)} · ` : ''}Large files take a moment: every row is read once.
              </p>
            </div>
          ) : (
            <>
              <div className="mb-4 flex size-12 items-center justify-center rounded-full border border-border bg-background shadow-xs">
                <FileUp aria-hidden="true" className="size-5 text-accent" />
              </div>
              <p className="text-base font-semibold tracking-tight">
                {dragging ? 'Drop the file to upload it' : 'Drag and drop a CSV file here'}
              </p>
              <p className="mt-1 text-sm text-muted-foreground">or</p>
              <input
                ref={inputRef}
                id={inputId}
                type="file"
                accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values,text/plain"
                className="peer sr-only"
                aria-describedby={`${inputId}-hint`}
                onChange={(e) => {
                  const picked = e.target.files?.[0];
                  // Reset, so picking the same file again (after fixing it) uploads it again.
                  e.target.value = '';
                  if (picked) send(picked);
                }}
              />
              <label
                htmlFor={inputId}
                className={cn(
                  'mt-3 inline-flex h-9 cursor-pointer items-center gap-2 rounded-md bg-accent px-4 text-sm font-medium text-accent-foreground shadow-sm transition-colors hover:bg-accent-hover',
                  'peer-focus-visible:ring-2 peer-focus-visible:ring-ring peer-focus-visible:ring-offset-2',
                )}
              >
                <FileSpreadsheet aria-hidden="true" className="size-4" />
                Choose a CSV file
              </label>
              <p id={`${inputId}-hint`} className="mt-4 grid gap-0.5 text-[0.8125rem] text-muted-foreground">
                <span className="font-medium text-foreground/80">
                  CSV files up to {formatBytes(maxBytes)}
                </span>
                <span>UTF-8, UTF-16 or Windows-1252 · separated by commas, semicolons or tabs</span>
              </p>
            </>
          )}
        </section>
      </div>
      <Card className="h-fit">
        <CardHeader className="pb-3">
          <CardTitle className="text-sm">Before you upload</CardTitle>
          <CardDescription>
            Export the sheet as CSV from Excel, Google Sheets or your old CRM.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <ul className="grid gap-3 text-[0.8125rem] text-muted-foreground">
            <li className="flex gap-2.5">
              <Rows3 aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-zinc-400" />
              <span>The first row holds the column names; each further row is one contact.</span>
            </li>
            <li className="flex gap-2.5">
              <Mail aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-zinc-400" />
              <span>
                Existing contacts are matched by email address, so include an email column to update them.
              </span>
            </li>
            <li className="flex gap-2.5">
              <ListChecks aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-zinc-400" />
              <span>
                You choose where each column goes and can try a dry run first: nothing is saved until you
                import.
              </span>
            </li>
          </ul>
        </CardContent>
      </Card>
    </div>
  );
}
