import { CircleAlert, Monitor, Smartphone } from 'lucide-react';
import * as React from 'react';
import { Skeleton } from '@/components/ui/skeleton';
import { Spinner } from '@/components/ui/spinner';
import { Tabs } from '@/components/ui/tabs';
import { cn } from '@/lib/utils';
import type { Rendered } from '../api/preview-template';

type View = 'html' | 'text';
type Width = 'desktop' | 'mobile';

/**
 * The rendered email: HTML in a sandboxed frame (no scripts, no same-origin access) at desktop or
 * phone width, or the plain-text part.
 */
export function TemplatePreview({
  rendered,
  loading,
  error,
  picker,
}: {
  rendered: Rendered | undefined;
  loading: boolean;
  /** Why the content cannot be rendered (shown over the last good render). */
  error: string | undefined;
  picker: React.ReactNode;
}) {
  const [view, setView] = React.useState<View>('html');
  const [width, setWidth] = React.useState<Width>('desktop');
  return (
    <section aria-label="Preview" className="grid gap-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex items-center gap-2">
          <h2 className="text-sm font-semibold">Preview</h2>
          {loading ? <Spinner label="Updating preview" /> : null}
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <Tabs
            aria-label="Preview part"
            value={view}
            onValueChange={setView}
            items={[
              { value: 'html', label: 'HTML' },
              { value: 'text', label: 'Text' },
            ]}
          />
          <Tabs
            aria-label="Preview width"
            value={width}
            onValueChange={setWidth}
            items={[
              {
                value: 'desktop',
                label: (
                  <span className="inline-flex items-center gap-1">
                    <Monitor aria-hidden="true" className="size-3.5" />
                    Desktop
                  </span>
                ),
              },
              {
                value: 'mobile',
                label: (
                  <span className="inline-flex items-center gap-1">
                    <Smartphone aria-hidden="true" className="size-3.5" />
                    Mobile
                  </span>
                ),
              },
            ]}
          />
        </div>
      </div>
      {picker}
      {error ? (
        <p
          role="alert"
          className="flex items-start gap-1.5 rounded-md border border-destructive/30 bg-destructive-subtle px-3 py-2 text-[0.8125rem] text-destructive"
        >
          <CircleAlert aria-hidden="true" className="mt-0.5 size-3.5 shrink-0" />
          <span>{error}</span>
        </p>
      ) : null}
      <div className="overflow-hidden rounded-lg border border-border bg-muted/40">
        {rendered ? (
          <>
            <div className="border-b border-border bg-background px-4 py-2 text-sm">
              <span className="text-muted-foreground">Subject: </span>
              <span className="font-medium" data-testid="preview-subject">
                {rendered.subject}
              </span>
            </div>
            {view === 'html' ? (
              <div className="flex justify-center p-3">
                <iframe
                  title="Email preview"
                  sandbox=""
                  srcDoc={rendered.html}
                  className={cn(
                    'h-[36rem] rounded-md border border-border bg-white transition-[width]',
                    width === 'desktop' ? 'w-full' : 'w-[375px] max-w-full',
                  )}
                />
              </div>
            ) : (
              <pre
                data-testid="preview-text"
                className="max-h-[36rem] overflow-auto bg-background p-4 font-mono text-[0.8125rem] whitespace-pre-wrap"
              >
                {rendered.text}
              </pre>
            )}
          </>
        ) : (
          <div className="grid gap-3 p-4" role="status" aria-label="Loading preview">
            {error ? (
              <p className="text-sm text-muted-foreground">Fix the problem above to see the preview.</p>
            ) : (
              <>
                <Skeleton className="h-5 w-2/3" />
                <Skeleton className="h-64 w-full" />
              </>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
