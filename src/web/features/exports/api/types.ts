import type { FilterNode } from '@common/filters';

export type ExportKind = 'contacts_csv' | 'organization_zip';
export type ExportStatus = 'queued' | 'running' | 'done' | 'failed' | 'expired';

/** An export as the API returns it (POST /api/v1/exports, GET /api/v1/exports/{id}). */
export interface Export {
  id: string;
  kind: ExportKind;
  status: ExportStatus;
  rows: number;
  fileSize: number | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  /** Downloads stop working 24 hours after the export finished (410 GONE). */
  expiresAt: string | null;
  /** Set once the export is done and until it expires. */
  downloadUrl: string | null;
}

/** Which contacts a CSV export holds: the current view (filter, search, segment) or picked ids. */
export type ContactsExportScope =
  | { ids: string[] }
  | { filter?: FilterNode; search?: string; segmentId?: string };

export type ExportInput =
  | ({ kind: 'contacts_csv'; columns?: string[]; bom?: boolean; sort?: string } & ContactsExportScope)
  | { kind: 'organization_zip' };

export const exportsKey = (orgId: string) => ['orgs', orgId, 'exports'] as const;
export const exportKey = (orgId: string, id: string) => [...exportsKey(orgId), 'detail', id] as const;

export const isExportActive = (status: ExportStatus) => status === 'queued' || status === 'running';

/** The columns a contacts CSV can hold (besides `custom.<key>`), in the order the dialog lists them. */
export const STANDARD_EXPORT_COLUMNS: ReadonlyArray<{ id: string; label: string }> = [
  { id: 'firstName', label: 'First name' },
  { id: 'lastName', label: 'Last name' },
  { id: 'email', label: 'Email' },
  { id: 'emails', label: 'Other emails' },
  { id: 'phones', label: 'Phones' },
  { id: 'company', label: 'Company' },
  { id: 'jobTitle', label: 'Job title' },
  { id: 'tags', label: 'Tags' },
  { id: 'owner', label: 'Owner' },
  { id: 'source', label: 'Source' },
  { id: 'subscriptionStatus', label: 'Subscription status' },
  { id: 'restricted', label: 'Processing restricted' },
  { id: 'street', label: 'Street' },
  { id: 'city', label: 'City' },
  { id: 'region', label: 'Region' },
  { id: 'postalCode', label: 'Postal code' },
  { id: 'country', label: 'Country' },
  { id: 'createdAt', label: 'Created' },
  { id: 'updatedAt', label: 'Updated' },
  { id: 'id', label: 'Moxora ID' },
];

/** What the server exports when no columns are given. */
export const DEFAULT_EXPORT_COLUMNS = [
  'firstName',
  'lastName',
  'email',
  'phones',
  'company',
  'jobTitle',
  'tags',
  'createdAt',
];
