/**
 * GET /api/v1/contacts/{id}/export: everything held about one contact as one JSON file (for a person's
 * access request). A download link, not a query: the browser saves the answer (content-disposition).
 */
export const contactExportUrl = (id: string) => `/api/v1/contacts/${encodeURIComponent(id)}/export`;
