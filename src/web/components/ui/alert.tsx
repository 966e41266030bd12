import { cva, type VariantProps } from 'class-variance-authority';
import { CircleAlert, CircleCheck, Info, TriangleAlert } from 'lucide-react';
import type * as React from 'react';
import { cn } from '@/lib/utils';

const alertVariants = cva('flex gap-3 rounded-md border px-3.5 py-3 text-sm', {
  variants: {
    variant: {
      info: 'border-indigo-200 bg-accent-subtle text-indigo-900',
      success: 'border-emerald-200 bg-success-subtle text-emerald-900',
      warning: 'border-amber-200 bg-warning-subtle text-amber-900',
      error: 'border-red-200 bg-destructive-subtle text-red-900',
    },
  },
  defaultVariants: { variant: 'info' },
});

const ICONS = { info: Info, success: CircleCheck, warning: TriangleAlert, error: CircleAlert } as const;

export interface AlertProps
  extends Omit<React.ComponentProps<'div'>, 'title'>,
    VariantProps<typeof alertVariants> {
  title?: React.ReactNode;
}

/** An inline message. Errors are announced immediately (role="alert"), others politely. */
export function Alert({ className, variant, title, children, ...props }: AlertProps) {
  const Icon = ICONS[variant ?? 'info'];
  return (
    <div
      role={variant === 'error' ? 'alert' : 'status'}
      className={cn(alertVariants({ variant }), className)}
      {...props}
    >
      <Icon aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
      <div className="grid gap-1">
        {title ? <p className="font-medium">{title}</p> : null}
        {children ? <div className="leading-5 [&_a]:font-medium [&_a]:underline">{children}</div> : null}
      </div>
    </div>
  );
}
