import * as React from 'react';
import { Input } from '@/components/ui/input';
import { TagChip } from '@/components/ui/tag-chip';

const MAX_TAGS = 20;
const MAX_LENGTH = 60;

/** Free-text tags: Enter, comma or semicolon adds the typed tag; Backspace in an empty box removes the last. */
export function TagsInput({
  id,
  value,
  onChange,
  disabled,
  'aria-describedby': describedBy,
}: {
  id?: string;
  value: string[];
  onChange: (tags: string[]) => void;
  disabled?: boolean;
  'aria-describedby'?: string;
}) {
  const [text, setText] = React.useState('');
  const [error, setError] = React.useState<string>();

  const add = (raw: string) => {
    const names = raw
      .split(/[,;]/)
      .map((t) => t.trim())
      .filter(Boolean);
    if (names.length === 0) return;
    let next = [...value];
    for (const name of names) {
      if (name.length > MAX_LENGTH) {
        setError(`Tags are at most ${MAX_LENGTH} characters`);
        return;
      }
      if (!next.some((t) => t.toLowerCase() === name.toLowerCase())) next = [...next, name];
    }
    if (next.length > MAX_TAGS) {
      setError(`At most ${MAX_TAGS} tags`);
      return;
    }
    setError(undefined);
    onChange(next);
    setText('');
  };

  return (
    <div className="grid gap-2">
      {value.length > 0 ? (
        <ul className="flex flex-wrap gap-1.5" aria-label="Tags added to every contact">
          {value.map((t) => (
            <li key={t}>
              <TagChip
                name={t}
                onRemove={disabled ? undefined : () => onChange(value.filter((x) => x !== t))}
              />
            </li>
          ))}
        </ul>
      ) : null}
      <Input
        id={id}
        value={text}
        disabled={disabled || value.length >= MAX_TAGS}
        placeholder={value.length ? 'Add another tag…' : 'e.g. Trade fair 2025'}
        aria-describedby={describedBy}
        aria-invalid={error ? true : undefined}
        maxLength={MAX_LENGTH * 4}
        onChange={(e) => {
          const v = e.target.value;
          if (/[,;]/.test(v)) add(v);
          else {
            setText(v);
            setError(undefined);
          }
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            add(text);
          } else if (e.key === 'Backspace' && text === '' && value.length > 0) {
            onChange(value.slice(0, -1));
          }
        }}
        onBlur={() => add(text)}
      />
      {error ? <p className="text-[0.8125rem] text-destructive">{error}</p> : null}
    </div>
  );
}
