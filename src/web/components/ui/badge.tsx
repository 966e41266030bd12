import { cva, type VariantProps } from 'class-variance-authority';
import type * as React from 'react';
import { cn } from '@/lib/utils';

const badgeVariants = cva(
  'inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-medium whitespace-nowrap',
  {
    variants: {
      variant: {
        neutral: 'border-border bg-muted text-zinc-700',
        accent: 'border-transparent bg-accent-subtle text-accent-subtle-foreground',
        success: 'border-transparent bg-success-subtle text-emerald-700',
        warning: 'border-transparent bg-warning-subtle text-amber-700',
        destructive: 'border-transparent bg-destructive-subtle text-red-700',
        outline: 'border-border bg-background text-foreground',
      },
    },
    defaultVariants: { variant: 'neutral' },
  },
);

export interface BadgeProps extends React.ComponentProps<'span'>, VariantProps<typeof badgeVariants> {}

export function Badge({ className, variant, ...props }: BadgeProps) {
  return <span className={cn(badgeVariants({ variant }), className)} {...props} />;
}
