import type { LucideIcon } from 'lucide-react';
import type * as React from 'react';
import { cn } from '@/lib/utils';

export interface EmptyStateProps {
  icon: LucideIcon;
  title: string;
  description: React.ReactNode;
  /** Buttons or links offering a next step. */
  actions?: React.ReactNode;
  className?: string;
}

export function EmptyState({ icon: Icon, title, description, actions, className }: EmptyStateProps) {
  return (
    <div
      className={cn(
        'flex flex-col items-center justify-center rounded-lg border border-dashed border-border bg-subtle px-6 py-16 text-center',
        className,
      )}
    >
      <div className="mb-4 flex size-12 items-center justify-center rounded-full border border-border bg-background shadow-xs">
        <Icon aria-hidden="true" className="size-5 text-muted-foreground" />
      </div>
      <h2 className="text-base font-semibold tracking-tight">{title}</h2>
      <div className="mt-1.5 max-w-sm text-sm text-muted-foreground">{description}</div>
      {actions ? (
        <div className="mt-6 flex flex-wrap items-center justify-center gap-3">{actions}</div>
      ) : null}
    </div>
  );
}
