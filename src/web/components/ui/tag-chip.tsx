import { X } from 'lucide-react';
import type * as React from 'react';
import { cn } from '@/lib/utils';

const DEFAULT_COLOR = '#64748b';

/** Accepts only #rrggbb colours: anything else (untrusted data) falls back to slate. */
function safeColor(color: string | undefined): string {
  return color && /^#[0-9a-f]{6}$/i.test(color) ? color : DEFAULT_COLOR;
}

export interface TagChipProps extends React.ComponentProps<'span'> {
  name: string;
  color?: string;
  /** Shows a small remove button with this handler. */
  onRemove?: () => void;
  removeDisabled?: boolean;
}

/** A tag: its name (as text) on a tint of its colour. */
export function TagChip({ name, color, onRemove, removeDisabled, className, ...props }: TagChipProps) {
  const c = safeColor(color);
  return (
    <span
      className={cn(
        'inline-flex max-w-full items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-medium whitespace-nowrap',
        className,
      )}
      style={{ backgroundColor: `${c}14`, borderColor: `${c}40`, color: c }}
      {...props}
    >
      <span aria-hidden="true" className="size-1.5 shrink-0 rounded-full" style={{ backgroundColor: c }} />
      <span className="truncate text-zinc-800">{name}</span>
      {onRemove ? (
        <button
          type="button"
          onClick={onRemove}
          disabled={removeDisabled}
          className="-mr-1 rounded-full p-0.5 text-zinc-500 outline-none hover:bg-black/5 hover:text-zinc-900 focus-visible:ring-2 focus-visible:ring-ring disabled:opacity-50"
          aria-label={`Remove tag ${name}`}
        >
          <X aria-hidden="true" className="size-3" />
        </button>
      ) : null}
    </span>
  );
}
