import * as DialogPrimitive from '@radix-ui/react-dialog';
import { Link, useMatches, useRouterState } from '@tanstack/react-router';
import { Building2, FileText, Mail, Menu, Settings, Users, Workflow, X } from 'lucide-react';
import * as React from 'react';
import { LogoMark } from '@/components/ui/logo';
import { cn } from '@/lib/utils';

const NAV = [
  { to: '/contacts', label: 'Contacts', icon: Users },
  { to: '/companies', label: 'Companies', icon: Building2 },
  { to: '/campaigns', label: 'Campaigns', icon: Mail },
  { to: '/templates', label: 'Templates', icon: FileText },
  { to: '/automations', label: 'Automations', icon: Workflow },
  { to: '/settings', label: 'Settings', icon: Settings },
] as const;

export interface AppShellProps {
  /** Shown at the top of the sidebar (the organization switcher). */
  orgSwitcher: React.ReactNode;
  /** Shown at the bottom of the sidebar (the user menu). */
  userMenu: React.ReactNode;
  /** Shown beside the organization switcher (the notifications bell). */
  notifications?: React.ReactNode;
  /** Shown under the Contacts link (saved segments); gets a callback that closes the mobile drawer. */
  contactsNav?: (onNavigate?: () => void) => React.ReactNode;
  children: React.ReactNode;
}

function SidebarNav({
  onNavigate,
  contactsNav,
}: {
  onNavigate?: () => void;
  contactsNav?: AppShellProps['contactsNav'];
}) {
  return (
    <nav aria-label="Main" className="grid gap-0.5 px-3">
      {NAV.map(({ to, label, icon: Icon }) => (
        <React.Fragment key={to}>
          <Link
            to={to}
            onClick={onNavigate}
            className={cn(
              'group flex h-8 items-center gap-2.5 rounded-md px-2.5 text-sm font-medium text-zinc-600 transition-colors',
              'outline-none hover:bg-zinc-200/60 hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring',
            )}
            activeProps={{
              className: 'bg-background text-foreground shadow-xs ring-1 ring-border hover:bg-background',
              'aria-current': 'page',
            }}
          >
            <Icon
              aria-hidden="true"
              className="size-4 text-zinc-400 group-hover:text-zinc-600 group-aria-[current=page]:text-accent"
            />
            {label}
          </Link>
          {to === '/contacts' && contactsNav ? contactsNav(onNavigate) : null}
        </React.Fragment>
      ))}
    </nav>
  );
}

function SidebarContents({
  orgSwitcher,
  userMenu,
  notifications,
  contactsNav,
  onNavigate,
}: Omit<AppShellProps, 'children'> & { onNavigate?: () => void }) {
  return (
    <div className="flex h-full flex-col">
      <div className="flex items-center gap-1.5 p-3">
        <div className="min-w-0 flex-1">{orgSwitcher}</div>
        {notifications}
      </div>
      <div className="mt-2 flex-1 overflow-y-auto">
        <SidebarNav onNavigate={onNavigate} contactsNav={contactsNav} />
      </div>
      <div className="border-t border-border p-3">{userMenu}</div>
    </div>
  );
}

/** The signed-in layout: a sidebar (organization switcher, navigation, user menu) and the page. */
export function AppShell({ orgSwitcher, userMenu, notifications, contactsNav, children }: AppShellProps) {
  const [mobileOpen, setMobileOpen] = React.useState(false);
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  // Close the mobile drawer whenever the page changes.
  React.useEffect(() => setMobileOpen(false), [pathname]);
  // Data-heavy screens (tables, record pages) opt into the full width with `staticData: { wide: true }`.
  const wide = useMatches({ select: (matches) => matches.some((m) => m.staticData?.wide) });

  return (
    <div className="flex min-h-dvh bg-background">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-background px-3 py-2 focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:ring-2 focus:ring-ring"
      >
        Skip to content
      </a>
      <aside className="hidden w-64 shrink-0 border-r border-border bg-subtle lg:block">
        <div className="sticky top-0 h-dvh">
          <SidebarContents
            orgSwitcher={orgSwitcher}
            userMenu={userMenu}
            notifications={notifications}
            contactsNav={contactsNav}
          />
        </div>
      </aside>

      <div className="flex min-w-0 flex-1 flex-col">
        <header className="sticky top-0 z-30 flex h-14 items-center gap-3 border-b border-border bg-background/95 px-4 backdrop-blur lg:hidden">
          <DialogPrimitive.Root open={mobileOpen} onOpenChange={setMobileOpen}>
            <DialogPrimitive.Trigger className="-ml-1 rounded-md p-1.5 text-muted-foreground outline-none hover:bg-muted focus-visible:ring-2 focus-visible:ring-ring">
              <Menu aria-hidden="true" className="size-5" />
              <span className="sr-only">Open navigation</span>
            </DialogPrimitive.Trigger>
            <DialogPrimitive.Portal>
              <DialogPrimitive.Overlay className="fixed inset-0 z-40 bg-zinc-950/40 data-[state=open]:animate-fade-in" />
              <DialogPrimitive.Content className="fixed inset-y-0 left-0 z-50 w-72 border-r border-border bg-subtle shadow-xl outline-none">
                <DialogPrimitive.Title className="sr-only">Navigation</DialogPrimitive.Title>
                <DialogPrimitive.Description className="sr-only">
                  Switch organisation or go to another section.
                </DialogPrimitive.Description>
                <SidebarContents
                  orgSwitcher={orgSwitcher}
                  userMenu={userMenu}
                  notifications={notifications}
                  contactsNav={contactsNav}
                  onNavigate={() => setMobileOpen(false)}
                />
                <DialogPrimitive.Close className="absolute top-4 -right-10 rounded-md bg-background p-1.5 outline-none focus-visible:ring-2 focus-visible:ring-ring">
                  <X aria-hidden="true" className="size-4" />
                  <span className="sr-only">Close navigation</span>
                </DialogPrimitive.Close>
              </DialogPrimitive.Content>
            </DialogPrimitive.Portal>
          </DialogPrimitive.Root>
          <LogoMark className="size-6" />
          <span className="font-semibold tracking-tight">Moxora</span>
        </header>
        <main id="main" tabIndex={-1} className="flex-1 outline-none">
          <div
            className={cn('mx-auto w-full px-4 py-8 sm:px-8 lg:py-10', wide ? 'max-w-[100rem]' : 'max-w-5xl')}
          >
            {children}
          </div>
        </main>
      </div>
    </div>
  );
}

declare module '@tanstack/react-router' {
  interface StaticDataRouteOption {
    /** The page uses the full width of the main area instead of the reading width. */
    wide?: boolean;
  }
}
