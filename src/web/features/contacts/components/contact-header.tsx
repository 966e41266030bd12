import { Link } from '@tanstack/react-router';
import {
  Building2,
  ChevronLeft,
  FileJson,
  GitMerge,
  Mail,
  MoreHorizontal,
  ShieldAlert,
  Trash2,
} from 'lucide-react';
import { Avatar } from '@/components/ui/avatar';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { contactExportUrl } from '../api/export-contact';
import { type Contact, contactName } from '../api/types';
import { describeConsent } from './consent-inputs';
import { STATUS_LABELS, STATUS_VARIANTS } from './contact-detail-shared';
import { TagsEditor } from './contact-tags-editor';

export function ContactHeader({
  orgId,
  contact,
  canWrite,
  onMerge,
  onDelete,
}: {
  orgId: string;
  contact: Contact;
  canWrite: boolean;
  onMerge: () => void;
  onDelete: () => void;
}) {
  const name = contactName(contact);
  return (
    <div className="grid gap-4">
      <Link
        to="/contacts"
        className="inline-flex w-fit items-center gap-1 text-[0.8125rem] text-muted-foreground hover:text-foreground"
      >
        <ChevronLeft aria-hidden="true" className="size-4" />
        All contacts
      </Link>
      <div className="flex flex-wrap items-start gap-4">
        <Avatar name={name} className="size-12 text-base" />
        <div className="grid min-w-0 flex-1 gap-1.5">
          <div className="flex flex-wrap items-center gap-2">
            <h1 className="truncate text-xl font-semibold tracking-tight" data-testid="contact-heading">
              {name}
            </h1>
            <Badge
              variant={STATUS_VARIANTS[contact.subscriptionStatus] ?? 'neutral'}
              title={contact.consent ? `Consent: ${describeConsent(contact.consent)}` : 'No consent recorded'}
            >
              {STATUS_LABELS[contact.subscriptionStatus] ?? contact.subscriptionStatus}
            </Badge>
            {contact.subscriptionStatus === 'subscribed' && contact.consent ? (
              <span className="text-xs text-muted-foreground" data-testid="header-consent">
                {describeConsent(contact.consent)}
              </span>
            ) : null}
            {contact.restricted ? (
              <Badge
                variant="warning"
                data-testid="restricted-badge"
                title="Processing restricted at the person’s request"
              >
                <ShieldAlert aria-hidden="true" className="size-3" />
                Restricted processing
              </Badge>
            ) : null}
          </div>
          <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm text-muted-foreground">
            {contact.email ? (
              <span className="inline-flex min-w-0 items-center gap-1.5">
                <Mail aria-hidden="true" className="size-3.5" />
                <span className="truncate">{contact.email}</span>
              </span>
            ) : null}
            {contact.company ? (
              <Link
                to="/companies/$id"
                params={{ id: contact.company.id }}
                className="inline-flex min-w-0 items-center gap-1.5 hover:text-foreground hover:underline"
              >
                <Building2 aria-hidden="true" className="size-3.5" />
                <span className="truncate">{contact.company.name}</span>
              </Link>
            ) : null}
            {contact.jobTitle ? <span className="truncate">{contact.jobTitle}</span> : null}
          </div>
          <TagsEditor orgId={orgId} contact={contact} canWrite={canWrite} />
        </div>
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button variant="secondary" size="sm" aria-label="Contact actions">
              <MoreHorizontal aria-hidden="true" />
              Actions
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="end" className="min-w-48">
            <DropdownMenuItem onSelect={onMerge} disabled={!canWrite}>
              <GitMerge aria-hidden="true" />
              Merge with another contact…
            </DropdownMenuItem>
            <DropdownMenuItem asChild>
              <a href={contactExportUrl(contact.id)} download data-testid="contact-export-json">
                <FileJson aria-hidden="true" />
                Export data (JSON)
              </a>
            </DropdownMenuItem>
            <DropdownMenuSeparator />
            <DropdownMenuItem destructive onSelect={onDelete} disabled={!canWrite}>
              <Trash2 aria-hidden="true" />
              Delete contact
            </DropdownMenuItem>
          </DropdownMenuContent>
        </DropdownMenu>
      </div>
    </div>
  );
}
