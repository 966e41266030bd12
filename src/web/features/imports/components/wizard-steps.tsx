import { Check } from 'lucide-react';
import { cn } from '@/lib/utils';

const STEPS = ['Upload a file', 'Map columns', 'Import'] as const;

/** The wizard's three steps; the current one is marked aria-current="step". */
export function WizardSteps({ current }: { current: 0 | 1 | 2 }) {
  return (
    <nav aria-label="Import steps">
      <ol className="flex flex-wrap items-center gap-x-2 gap-y-2 text-sm">
        {STEPS.map((label, i) => {
          const done = i < current;
          const active = i === current;
          return (
            <li key={label} className="flex items-center gap-2">
              {i > 0 ? <span aria-hidden="true" className="h-px w-6 bg-border sm:w-10" /> : null}
              <span
                aria-current={active ? 'step' : undefined}
                className={cn(
                  'inline-flex items-center gap-2 font-medium',
                  active ? 'text-foreground' : done ? 'text-foreground/80' : 'text-muted-foreground',
                )}
              >
                <span
                  aria-hidden="true"
                  className={cn(
                    'flex size-6 items-center justify-center rounded-full border text-xs tabular-nums',
                    active && 'border-accent bg-accent text-accent-foreground',
                    done && 'border-accent bg-accent-subtle text-accent',
                    !active && !done && 'border-input bg-background',
                  )}
                >
                  {done ? <Check className="size-3.5" strokeWidth={3} /> : i + 1}
                </span>
                <span>
                  <span className="sr-only">{`Step ${i + 1}: `}</span>
                  {label}
                  {done ? <span className="sr-only"> (done)</span> : null}
                </span>
              </span>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
