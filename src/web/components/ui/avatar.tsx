import * as AvatarPrimitive from '@radix-ui/react-avatar';
import type * as React from 'react';
import { cn, initials } from '@/lib/utils';

const TINTS = [
  'bg-indigo-100 text-indigo-700',
  'bg-sky-100 text-sky-700',
  'bg-emerald-100 text-emerald-700',
  'bg-amber-100 text-amber-800',
  'bg-rose-100 text-rose-700',
  'bg-violet-100 text-violet-700',
];

function tintFor(seed: string): string {
  let hash = 0;
  for (const ch of seed) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
  return TINTS[Math.abs(hash) % TINTS.length] ?? TINTS[0]!;
}

export interface AvatarProps extends React.ComponentProps<typeof AvatarPrimitive.Root> {
  /** The name (or email) the initials and colour come from. */
  name: string;
  src?: string;
  size?: 'sm' | 'md';
  square?: boolean;
}

/** Initials on a colour derived from the name; an image when one is given. */
export function Avatar({ name, src, size = 'md', square = false, className, ...props }: AvatarProps) {
  return (
    <AvatarPrimitive.Root
      className={cn(
        'relative flex shrink-0 overflow-hidden',
        square ? 'rounded-md' : 'rounded-full',
        size === 'sm' ? 'size-6 text-[0.625rem]' : 'size-8 text-xs',
        className,
      )}
      {...props}
    >
      {src ? <AvatarPrimitive.Image src={src} alt="" className="aspect-square size-full" /> : null}
      <AvatarPrimitive.Fallback
        delayMs={src ? 400 : 0}
        className={cn('flex size-full items-center justify-center font-semibold', tintFor(name))}
      >
        <span aria-hidden="true">{initials(name)}</span>
      </AvatarPrimitive.Fallback>
    </AvatarPrimitive.Root>
  );
}
