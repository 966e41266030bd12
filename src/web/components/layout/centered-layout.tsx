import { Link } from '@tanstack/react-router';
import type * as React from 'react';
import { Logo } from '@/components/ui/logo';

/** The public layout: the wordmark above a centred column (sign-in, sign-up, invitations …). */
export function CenteredLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col bg-subtle">
      <div
        aria-hidden="true"
        className="pointer-events-none fixed inset-x-0 top-0 h-72 bg-gradient-to-b from-indigo-50/80 to-transparent"
      />
      <main className="relative flex flex-1 flex-col items-center px-4 pt-16 pb-10 sm:pt-24">
        <Link to="/" className="mb-8 rounded-md outline-none focus-visible:ring-2 focus-visible:ring-ring">
          <Logo />
          <span className="sr-only"> home</span>
        </Link>
        <div className="w-full max-w-[25rem]">{children}</div>
      </main>
      <footer className="relative pb-6 text-center text-xs text-muted-foreground">
        Moxora · the open-source CRM you host yourself
      </footer>
    </div>
  );
}
