import { type ErrorComponentProps, Link, useRouter } from '@tanstack/react-router';
import { Compass, RotateCw, TriangleAlert } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Logo } from '@/components/ui/logo';
import { Spinner } from '@/components/ui/spinner';
import { errorMessage } from '@/lib/api';

/** Shown while a route's data loads for longer than a moment. */
export function FullPageSpinner() {
  return (
    <div className="flex min-h-[50vh] items-center justify-center text-muted-foreground" role="status">
      <Spinner className="size-5" label="Loading" />
    </div>
  );
}

/** A route failed to load (loader or render error). */
export function FullPageError({ error, reset }: ErrorComponentProps) {
  const router = useRouter();
  return (
    <div className="flex min-h-[60vh] items-center justify-center px-4" role="alert">
      <div className="max-w-sm text-center">
        <div className="mx-auto mb-4 flex size-12 items-center justify-center rounded-full bg-destructive-subtle">
          <TriangleAlert aria-hidden="true" className="size-5 text-destructive" />
        </div>
        <h1 className="text-base font-semibold">Something went wrong</h1>
        <p className="mt-1.5 text-sm text-muted-foreground">{errorMessage(error)}</p>
        <div className="mt-6 flex justify-center gap-3">
          <Button
            variant="secondary"
            onClick={() => {
              reset();
              void router.invalidate();
            }}
          >
            <RotateCw aria-hidden="true" />
            Try again
          </Button>
          <Button asChild>
            <Link to="/">Go home</Link>
          </Button>
        </div>
      </div>
    </div>
  );
}

export function NotFound() {
  return (
    <div className="flex min-h-[60vh] flex-col items-center justify-center gap-10 px-4 py-16">
      <Link to="/" className="rounded-md outline-none focus-visible:ring-2 focus-visible:ring-ring">
        <Logo />
        <span className="sr-only"> home</span>
      </Link>
      <div className="max-w-sm text-center">
        <div className="mx-auto mb-4 flex size-12 items-center justify-center rounded-full bg-muted">
          <Compass aria-hidden="true" className="size-5 text-muted-foreground" />
        </div>
        <h1 className="text-base font-semibold">Page not found</h1>
        <p className="mt-1.5 text-sm text-muted-foreground">
          The page you are looking for does not exist or has moved.
        </p>
        <Button asChild className="mt-6">
          <Link to="/">Go home</Link>
        </Button>
      </div>
    </div>
  );
}
