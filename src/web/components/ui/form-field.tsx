import { Slot } from '@radix-ui/react-slot';
import { CircleAlert } from 'lucide-react';
import * as React from 'react';
import { cn } from '@/lib/utils';
import { Label } from './label';

export interface FormFieldProps {
  label: React.ReactNode;
  /** The error shown under the control; also marks the control aria-invalid. */
  error?: string | undefined;
  /** Help text shown under the control when there is no error. */
  hint?: React.ReactNode;
  /** Extra content on the label's row (e.g. a "Forgot password?" link). */
  labelAside?: React.ReactNode;
  id?: string;
  className?: string;
  /** A single control (Input, SelectTrigger …): it receives id, aria-invalid and aria-describedby. */
  children: React.ReactElement;
}

/** A label bound to its control, with hint or error text announced by screen readers. */
export function FormField({ label, error, hint, labelAside, id, className, children }: FormFieldProps) {
  const autoId = React.useId();
  const controlId = id ?? `field-${autoId}`;
  const messageId = `${controlId}-message`;
  const hasMessage = Boolean(error || hint);
  return (
    <div className={cn('grid gap-2', className)}>
      <div className="flex items-center justify-between gap-2">
        <Label htmlFor={controlId}>{label}</Label>
        {labelAside}
      </div>
      <Slot
        id={controlId}
        aria-invalid={error ? true : undefined}
        aria-describedby={hasMessage ? messageId : undefined}
      >
        {children}
      </Slot>
      {error ? (
        <p id={messageId} className="flex items-start gap-1.5 text-[0.8125rem] text-destructive">
          <CircleAlert aria-hidden="true" className="mt-0.5 size-3.5 shrink-0" />
          <span>{error}</span>
        </p>
      ) : hint ? (
        <p id={messageId} className="text-[0.8125rem] text-muted-foreground">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
