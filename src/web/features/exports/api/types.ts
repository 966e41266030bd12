import type { FilterNode } from '@common/filters';
import type { Body, Res } from '@/lib/api';

/**
 * An export as the API returns it (POST /api/v1/exports, GET /api/v1/exports/{id}). `downloadUrl` is
 * set once it is done and until it expires; downloads stop 24 hours after it finished (410 GONE).
 */
export type Export = Res<'/api/v1/exports/{id}', 'get'>;
export type ExportKind = Export['kind'];
export type ExportStatus = Export['status'];

export type ExportInput = Body<'/api/v1/exports', 'post'>;

/**
 * Which contacts a CSV export holds: the current view (filter, search, segment) or picked ids. The
 * contacts screen's own criteria, so it is not read off the request body (a union flattened there).
 */
export type ContactsExportScope =
  | { ids: string[] }
  | { filter?: FilterNode; search?: string; segmentId?: string };

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
export { DEFAULT_EXPORT_COLUMNS } from '@common/exports';
