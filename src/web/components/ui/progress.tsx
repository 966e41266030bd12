import type * as React from 'react';
import { cn } from '@/lib/utils';

export interface ProgressProps extends Omit<React.ComponentProps<'div'>, 'children'> {
  /** 0–100; `null` for work whose size is unknown (an indeterminate bar). */
  value: number | null;
  /** The accessible name ("Import progress"). */
  label: string;
  /** Read out instead of the percentage ("120 of 202 rows"). */
  valueText?: string;
  size?: 'sm' | 'md';
  tone?: 'accent' | 'success' | 'warning' | 'destructive';
}

const TONES = {
  accent: 'bg-accent',
  success: 'bg-success',
  warning: 'bg-warning',
  destructive: 'bg-destructive',
} as const;

/** A progress bar (role="progressbar" with aria-valuenow), or an indeterminate one when the total is unknown. */
export function Progress({
  value,
  label,
  valueText,
  size = 'md',
  tone = 'accent',
  className,
  ...props
}: ProgressProps) {
  const pct = value === null ? null : Math.max(0, Math.min(100, value));
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct === null ? undefined : Math.round(pct)}
      aria-valuetext={valueText}
      className={cn(
        'relative w-full overflow-hidden rounded-full bg-muted',
        size === 'sm' ? 'h-1.5' : 'h-2.5',
        className,
      )}
      {...props}
    >
      {pct === null ? (
        <div className={cn('absolute inset-y-0 w-1/3 rounded-full animate-indeterminate', TONES[tone])} />
      ) : (
        <div
          className={cn('h-full rounded-full transition-[width] duration-300 ease-out', TONES[tone])}
          style={{ width: `${pct}%` }}
        />
      )}
    </div>
  );
}
