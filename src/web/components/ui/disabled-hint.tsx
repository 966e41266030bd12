import * as React from 'react';
import { cn } from '@/lib/utils';

/**
 * Explains why a control is disabled: a tooltip on hover and keyboard focus, also read by screen
 * readers (`aria-describedby`). With no `reason` the control is rendered as it is.
 * Disabled buttons ignore the pointer, so the hover lands on this wrapper.
 */
export function DisabledHint({
  reason,
  children,
  className,
  align = 'center',
}: {
  reason: string | undefined | false;
  children: React.ReactNode;
  className?: string;
  align?: 'start' | 'center' | 'end';
}) {
  const id = React.useId();
  if (!reason) return <>{children}</>;
  return (
    <span
      className={cn(
        'group/hint relative inline-flex rounded-md outline-none focus-visible:ring-2 focus-visible:ring-ring',
        className,
      )}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a disabled control cannot take focus, so its explanation does
      tabIndex={0}
      aria-describedby={id}
      data-testid="disabled-hint"
    >
      {children}
      <span
        role="tooltip"
        id={id}
        className={cn(
          'pointer-events-none invisible absolute top-full z-50 mt-1.5 w-max max-w-64 rounded-md bg-zinc-900 px-2.5 py-1.5 text-left text-xs leading-snug font-normal whitespace-normal text-white opacity-0 shadow-md transition-opacity',
          'group-hover/hint:visible group-hover/hint:opacity-100 group-focus-visible/hint:visible group-focus-visible/hint:opacity-100',
          align === 'start' && 'left-0',
          align === 'center' && 'left-1/2 -translate-x-1/2',
          align === 'end' && 'right-0',
        )}
      >
        {reason}
      </span>
    </span>
  );
}
