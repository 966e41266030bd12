import type * as React from 'react';
import { Card } from '@/components/ui/card';

export interface AuthCardProps {
  title: string;
  description?: React.ReactNode;
  children?: React.ReactNode;
  /** Shown under the card (e.g. "Already have an account? Sign in"). */
  footer?: React.ReactNode;
  icon?: React.ReactNode;
}

/** The card used by every public screen: a title, a short line of context, then the form. */
export function AuthCard({ title, description, children, footer, icon }: AuthCardProps) {
  return (
    <>
      <Card className="p-6 shadow-sm sm:p-8">
        {icon ? <div className="mb-4">{icon}</div> : null}
        <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
        {description ? <div className="mt-1.5 text-sm text-muted-foreground">{description}</div> : null}
        {children ? <div className="mt-6">{children}</div> : null}
      </Card>
      {footer ? <div className="mt-6 text-center text-sm text-muted-foreground">{footer}</div> : null}
    </>
  );
}
