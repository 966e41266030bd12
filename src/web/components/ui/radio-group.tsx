import * as React from 'react';
import { cn } from '@/lib/utils';

export interface RadioCardOption<T extends string> {
  value: T;
  label: React.ReactNode;
  description?: React.ReactNode;
}

export interface RadioCardsProps<T extends string> {
  /** The group's name (legend), read out with each option. */
  legend: React.ReactNode;
  /** Help under the legend. */
  hint?: React.ReactNode;
  name: string;
  value: T;
  onValueChange: (value: T) => void;
  options: ReadonlyArray<RadioCardOption<T>>;
  disabled?: boolean;
  className?: string;
}

/**
 * A choice of one among a few options, each a bordered card with a description. Native radio inputs
 * in a fieldset: arrow keys move between options, the legend names the group.
 */
export function RadioCards<T extends string>({
  legend,
  hint,
  name,
  value,
  onValueChange,
  options,
  disabled,
  className,
}: RadioCardsProps<T>) {
  const id = React.useId();
  return (
    <fieldset className={cn('grid gap-3', className)} disabled={disabled}>
      <legend className="mb-1 text-sm font-medium">{legend}</legend>
      {hint ? <p className="-mt-2 text-[0.8125rem] text-muted-foreground">{hint}</p> : null}
      <div className="grid gap-2 sm:grid-cols-3">
        {options.map((option) => {
          const optionId = `${id}-${option.value}`;
          const checked = option.value === value;
          return (
            <label
              key={option.value}
              htmlFor={optionId}
              className={cn(
                'relative flex cursor-pointer gap-3 rounded-md border border-border bg-background p-3 transition-colors',
                'has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring has-[:focus-visible]:ring-offset-2',
                'hover:bg-subtle has-[:disabled]:cursor-not-allowed has-[:disabled]:opacity-60',
                checked && 'border-accent bg-accent-subtle/60 hover:bg-accent-subtle/60',
              )}
            >
              <input
                id={optionId}
                type="radio"
                name={name}
                value={option.value}
                checked={checked}
                onChange={() => onValueChange(option.value)}
                aria-describedby={option.description ? `${optionId}-description` : undefined}
                className="mt-0.5 size-4 shrink-0 accent-(--color-accent) outline-none"
              />
              <span className="grid gap-1">
                <span className="text-sm leading-5 font-medium">{option.label}</span>
                {option.description ? (
                  <span id={`${optionId}-description`} className="text-[0.8125rem] text-muted-foreground">
                    {option.description}
                  </span>
                ) : null}
              </span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}
