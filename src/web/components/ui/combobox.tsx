import * as React from 'react';
import { cn } from '@/lib/utils';
import { Input } from './input';
import { Spinner } from './spinner';

export interface ComboboxOption {
  value: string;
  label: string;
  description?: string;
}

export interface ComboboxProps
  extends Omit<React.ComponentProps<'input'>, 'value' | 'onChange' | 'onSelect'> {
  /** The text typed in the box. */
  inputValue: string;
  onInputChange: (value: string) => void;
  /** Suggestions for the current text (filtering is up to the caller). */
  options: ComboboxOption[];
  onSelect: (option: ComboboxOption) => void;
  /** Shown as the last option when the text matches no option exactly: "Create “…”". */
  createLabel?: (text: string) => string;
  onCreate?: (text: string) => void;
  loading?: boolean;
  emptyText?: string;
  /** Class of the wrapper (the input takes `className`). */
  wrapperClassName?: string;
}

/**
 * A text box with a list of suggestions (ARIA combobox + listbox): arrows move, Enter picks,
 * Escape closes. Options are text only.
 */
export function Combobox({
  inputValue,
  onInputChange,
  options,
  onSelect,
  createLabel,
  onCreate,
  loading = false,
  emptyText = 'No matches',
  wrapperClassName,
  className,
  onKeyDown,
  onFocus,
  onBlur,
  ...props
}: ComboboxProps) {
  const listId = React.useId();
  const [open, setOpen] = React.useState(false);
  const [active, setActive] = React.useState(0);
  const text = inputValue.trim();
  const canCreate =
    Boolean(onCreate && createLabel && text) &&
    !options.some((o) => o.label.toLowerCase() === text.toLowerCase());
  const total = options.length + (canCreate ? 1 : 0);

  React.useEffect(() => {
    setActive(0);
  }, [inputValue, options.length]);

  const pick = (index: number) => {
    if (index < options.length) {
      const option = options[index];
      if (option) onSelect(option);
    } else if (canCreate && onCreate) {
      onCreate(text);
    }
    setOpen(false);
  };

  const handleKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    onKeyDown?.(event);
    if (event.defaultPrevented) return;
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
      setActive((i) => (total ? (i + 1) % total : 0));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((i) => (total ? (i - 1 + total) % total : 0));
    } else if (event.key === 'Enter') {
      if (open && total > 0) {
        event.preventDefault();
        pick(active);
      }
    } else if (event.key === 'Escape') {
      if (open) {
        event.preventDefault();
        event.stopPropagation();
        setOpen(false);
      }
    }
  };

  const showList = open && (total > 0 || loading || text.length > 0);
  const optionId = (i: number) => `${listId}-opt-${i}`;

  return (
    <div className={cn('relative', wrapperClassName)}>
      <Input
        role="combobox"
        aria-expanded={showList}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showList && total > 0 ? optionId(active) : undefined}
        autoComplete="off"
        value={inputValue}
        onChange={(e) => {
          onInputChange(e.target.value);
          setOpen(true);
        }}
        onFocus={(e) => {
          setOpen(true);
          onFocus?.(e);
        }}
        onBlur={(e) => {
          setOpen(false);
          onBlur?.(e);
        }}
        onKeyDown={handleKeyDown}
        className={className}
        {...props}
      />
      {showList ? (
        <div
          id={listId}
          role="listbox"
          className="absolute top-full left-0 z-50 mt-1 max-h-64 w-full min-w-48 overflow-y-auto rounded-md border border-border bg-background p-1 shadow-lg"
        >
          {options.map((option, i) => (
            <div
              key={option.value}
              id={optionId(i)}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              onMouseDown={(e) => e.preventDefault()}
              onMouseEnter={() => setActive(i)}
              onClick={() => pick(i)}
              onKeyDown={() => undefined}
              className={cn(
                'grid cursor-default rounded-sm px-2 py-1.5 text-sm select-none',
                i === active && 'bg-muted',
              )}
            >
              <span className="truncate">{option.label}</span>
              {option.description ? (
                <span className="truncate text-xs text-muted-foreground">{option.description}</span>
              ) : null}
            </div>
          ))}
          {canCreate && createLabel ? (
            <div
              id={optionId(options.length)}
              role="option"
              tabIndex={-1}
              aria-selected={active === options.length}
              onMouseDown={(e) => e.preventDefault()}
              onMouseEnter={() => setActive(options.length)}
              onClick={() => pick(options.length)}
              onKeyDown={() => undefined}
              className={cn(
                'cursor-default truncate rounded-sm px-2 py-1.5 text-sm text-accent select-none',
                active === options.length && 'bg-muted',
              )}
            >
              {createLabel(text)}
            </div>
          ) : null}
          {total === 0 ? (
            <div className="flex items-center gap-2 px-2 py-1.5 text-sm text-muted-foreground">
              {loading ? <Spinner /> : null}
              {loading ? 'Searching…' : emptyText}
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
