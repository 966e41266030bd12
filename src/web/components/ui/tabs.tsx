import type * as React from 'react';
import { cn } from '@/lib/utils';

export interface TabsProps<T extends string> {
  value: T;
  onValueChange: (value: T) => void;
  items: ReadonlyArray<{ value: T; label: React.ReactNode }>;
  'aria-label': string;
  className?: string;
}

/** A row of segmented buttons (role="tablist") switching the content below. */
export function Tabs<T extends string>({ value, onValueChange, items, className, ...props }: TabsProps<T>) {
  return (
    <div
      role="tablist"
      aria-label={props['aria-label']}
      className={cn('inline-flex items-center gap-1 rounded-md bg-muted p-1', className)}
    >
      {items.map((item) => (
        <button
          key={item.value}
          type="button"
          role="tab"
          aria-selected={item.value === value}
          onClick={() => onValueChange(item.value)}
          className={cn(
            'rounded-sm px-3 py-1 text-sm font-medium text-muted-foreground transition-colors outline-none',
            'hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring',
            'aria-selected:bg-background aria-selected:text-foreground aria-selected:shadow-xs',
          )}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}
