import { TAG_COLORS } from '@common/contacts';
import { Check } from 'lucide-react';
import * as React from 'react';

const NAMES: Record<string, string> = {
  '#6366f1': 'Indigo',
  '#0ea5e9': 'Sky',
  '#10b981': 'Emerald',
  '#f59e0b': 'Amber',
  '#ef4444': 'Red',
  '#ec4899': 'Pink',
  '#8b5cf6': 'Violet',
  '#64748b': 'Slate',
};

export function colorName(color: string): string {
  return NAMES[color.toLowerCase()] ?? color;
}

/** The tag palette as radio buttons drawn as swatches. */
export function ColorPicker({
  value,
  onChange,
  disabled,
  label = 'Colour',
}: {
  value: string;
  onChange: (color: string) => void;
  disabled?: boolean;
  label?: string;
}) {
  const name = React.useId();
  return (
    <fieldset className="flex flex-wrap items-center gap-1.5" disabled={disabled}>
      <legend className="sr-only">{label}</legend>
      {TAG_COLORS.map((color) => {
        const selected = value.toLowerCase() === color;
        return (
          <label key={color} className="relative flex size-6 cursor-pointer items-center justify-center">
            <input
              type="radio"
              name={name}
              value={color}
              checked={selected}
              onChange={() => onChange(color)}
              aria-label={colorName(color)}
              className="peer absolute inset-0 cursor-pointer opacity-0"
            />
            <span
              aria-hidden="true"
              className="flex size-6 items-center justify-center rounded-full ring-offset-2 transition-shadow peer-checked:ring-2 peer-checked:ring-zinc-400 peer-focus-visible:ring-2 peer-focus-visible:ring-ring peer-disabled:opacity-50"
              style={{ backgroundColor: color }}
            >
              {selected ? <Check className="size-3.5 text-white" strokeWidth={3} /> : null}
            </span>
          </label>
        );
      })}
    </fieldset>
  );
}
