import * as React from 'react';
import { Combobox } from '@/components/ui/combobox';
import { TagChip } from '@/components/ui/tag-chip';
import { tagColor, useContactsEnv } from './contacts-env';

/** Suggestions from the organisation's tags for `text`, leaving out `exclude`. */
export function useTagSuggestions(text: string, exclude: string[]) {
  const env = useContactsEnv();
  const lower = text.trim().toLowerCase();
  const taken = new Set(exclude.map((t) => t.toLowerCase()));
  return env.tags
    .filter((t) => !taken.has(t.name.toLowerCase()) && (!lower || t.name.toLowerCase().includes(lower)))
    .slice(0, 20)
    .map((t) => ({ value: t.id, label: t.name }));
}

/** A combobox that picks one tag name (existing, or a new one when `allowCreate`). */
export function TagPicker({
  onPick,
  exclude = [],
  allowCreate = true,
  placeholder = 'Add a tag…',
  id,
  autoFocus,
  onBlur,
  className,
  'aria-label': ariaLabel,
}: {
  onPick: (name: string) => void;
  exclude?: string[];
  allowCreate?: boolean;
  placeholder?: string;
  id?: string;
  autoFocus?: boolean;
  onBlur?: () => void;
  className?: string;
  'aria-label'?: string;
}) {
  const [text, setText] = React.useState('');
  const options = useTagSuggestions(text, exclude);
  const pick = (name: string) => {
    const v = name.trim();
    if (!v) return;
    onPick(v);
    setText('');
  };
  return (
    <Combobox
      id={id}
      aria-label={ariaLabel ?? 'Tag'}
      inputValue={text}
      onInputChange={setText}
      options={options}
      onSelect={(o) => pick(o.label)}
      createLabel={allowCreate ? (t) => `Create tag “${t}”` : undefined}
      onCreate={allowCreate ? pick : undefined}
      emptyText={allowCreate ? 'Type a name to create a tag' : 'No matching tags'}
      placeholder={placeholder}
      autoFocus={autoFocus}
      onBlur={onBlur}
      className={className ?? 'h-8'}
      maxLength={60}
    />
  );
}

/** A list of tag names as chips with a picker to add more (used by the new-contact form). */
export function TagListInput({
  value,
  onChange,
  id,
}: {
  value: string[];
  onChange: (tags: string[]) => void;
  id?: string;
}) {
  const env = useContactsEnv();
  return (
    <div className="grid gap-2">
      {value.length > 0 ? (
        <div className="flex flex-wrap gap-1.5">
          {value.map((name) => (
            <TagChip
              key={name}
              name={name}
              color={tagColor(env, name)}
              onRemove={() => onChange(value.filter((t) => t !== name))}
            />
          ))}
        </div>
      ) : null}
      <TagPicker
        id={id}
        exclude={value}
        onPick={(name) => {
          if (!value.some((t) => t.toLowerCase() === name.toLowerCase())) onChange([...value, name]);
        }}
        className="h-9"
      />
    </div>
  );
}
