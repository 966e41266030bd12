import { Plus, X } from 'lucide-react';
import * as React from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';

/** Edits the choices of a select field: one row per option, add with Enter. */
export function OptionsEditor({
  value,
  onChange,
  error,
}: {
  value: string[];
  onChange: (options: string[]) => void;
  error?: string | undefined;
}) {
  const [draft, setDraft] = React.useState('');
  const add = () => {
    const v = draft.trim();
    if (!v) return;
    if (!value.some((o) => o.toLowerCase() === v.toLowerCase())) onChange([...value, v]);
    setDraft('');
  };
  return (
    <fieldset className="grid gap-2">
      <legend className="mb-2 text-sm leading-none font-medium">Options</legend>
      {value.length > 0 ? (
        <ul className="grid gap-1.5" aria-label="Options">
          {value.map((option, i) => (
            <li key={`${option}-${i}`} className="flex items-center gap-2">
              <Input
                aria-label={`Option ${i + 1}`}
                value={option}
                onChange={(e) => onChange(value.map((o, j) => (j === i ? e.target.value : o)))}
                className="h-8"
              />
              <Button
                variant="ghost"
                size="icon"
                aria-label={`Remove option ${option}`}
                onClick={() => onChange(value.filter((_, j) => j !== i))}
              >
                <X aria-hidden="true" />
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="flex items-center gap-2">
        <Input
          aria-label="New option"
          placeholder="Add an option"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
          className="h-8"
          aria-invalid={error ? true : undefined}
        />
        <Button variant="secondary" size="sm" onClick={add} disabled={!draft.trim()}>
          <Plus aria-hidden="true" />
          Add
        </Button>
      </div>
      {error ? <p className="text-[0.8125rem] text-destructive">{error}</p> : null}
    </fieldset>
  );
}
