import type { FieldEntity } from '@common/contacts';
import { ArrowDown, ArrowUp, ListPlus, Pencil, Plus, Trash2 } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import type { FieldDefinition } from '@/components/fields/types';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { DisabledHint } from '@/components/ui/disabled-hint';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { Tabs } from '@/components/ui/tabs';
import { errorMessage, isApiError } from '@/lib/api';
import { useCan, useDisabledReason, useMe } from '@/lib/session';
import { plural } from '@/lib/utils';
import { useDeleteField } from '../api/delete-field';
import { useFields } from '../api/list-fields';
import { useUpdateField } from '../api/update-field';
import { FieldDialog } from './field-dialog';
import { FIELD_TYPE_LABELS } from './field-types';

/** Settings → Custom fields, with a tab per entity. */
export function CustomFieldsSettings({
  entity,
  onEntityChange,
}: {
  entity: FieldEntity;
  onEntityChange: (entity: FieldEntity) => void;
}) {
  const me = useMe();
  const orgId = me.activeOrganization!.id;
  const canWrite = useCan('settings:write');
  const cannot = useDisabledReason('settings:write', 'add, change or delete custom fields');
  const fields = useFields(orgId, entity);
  const update = useUpdateField(orgId);
  const remove = useDeleteField(orgId);
  const [dialog, setDialog] = React.useState<{ field?: FieldDefinition } | null>(null);
  const [confirming, setConfirming] = React.useState<{ field: FieldDefinition; valuesCount: number } | null>(
    null,
  );

  const onDelete = (field: FieldDefinition, confirm: boolean) => {
    remove.mutate(
      { id: field.id, confirm },
      {
        onSuccess: () => {
          toast.success(`Field “${field.label}” deleted`);
          setConfirming(null);
        },
        onError: (error) => {
          if (!confirm && isApiError(error, 'CONFIRMATION_REQUIRED')) {
            const details = error.details as { valuesCount?: unknown } | undefined;
            const valuesCount = typeof details?.valuesCount === 'number' ? details.valuesCount : 0;
            setConfirming({ field, valuesCount });
            return;
          }
          toast.error('Could not delete the field', { description: errorMessage(error) });
          setConfirming(null);
        },
      },
    );
  };

  const move = (index: number, delta: -1 | 1) => {
    const list = fields.data;
    if (!list) return;
    const a = list[index];
    const b = list[index + delta];
    if (!a || !b) return;
    // Swap the two positions (distinct even when equal positions were stored).
    const pa = a.position === b.position ? index : a.position;
    const pb = a.position === b.position ? index + delta : b.position;
    const onError = (error: unknown) =>
      toast.error('Could not reorder', { description: errorMessage(error) });
    update.mutate({ id: a.id, position: pb }, { onError });
    update.mutate({ id: b.id, position: pa }, { onError });
  };

  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <Tabs
          aria-label="Record type"
          value={entity}
          onValueChange={onEntityChange}
          items={[
            { value: 'contact', label: 'Contact fields' },
            { value: 'company', label: 'Company fields' },
          ]}
        />
        <DisabledHint reason={cannot} align="end">
          <Button onClick={() => setDialog({})} disabled={!canWrite}>
            <Plus aria-hidden="true" />
            Add field
          </Button>
        </DisabledHint>
      </div>
      {cannot ? <Alert variant="info">{cannot}</Alert> : null}
      <Card>
        <CardHeader>
          <CardTitle>{entity === 'contact' ? 'Contact' : 'Company'} fields</CardTitle>
          <CardDescription>
            Extra information you keep about each {entity}, in the order it appears on {entity} pages.
          </CardDescription>
        </CardHeader>
        {fields.isPending ? (
          <div className="grid gap-3 p-6" role="status" aria-label="Loading fields">
            {[0, 1, 2].map((i) => (
              <Skeleton key={i} className="h-6 w-full" />
            ))}
          </div>
        ) : fields.isError ? (
          <ErrorState
            className="m-6"
            title="Could not load fields"
            error={fields.error}
            onRetry={() => void fields.refetch()}
          />
        ) : fields.data.length === 0 ? (
          <EmptyState
            className="m-6"
            icon={ListPlus}
            title={`No ${entity} fields yet`}
            description="Add fields such as “Lead score” or “Contract renewal” to record what matters to your team."
          />
        ) : (
          <Table aria-label={`${entity === 'contact' ? 'Contact' : 'Company'} fields`}>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead className="pl-6">Label</TableHead>
                <TableHead>Key</TableHead>
                <TableHead>Type</TableHead>
                <TableHead className="hidden md:table-cell">Options</TableHead>
                <TableHead className="w-44 pr-6">
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {fields.data.map((field, index) => (
                <TableRow key={field.id}>
                  <TableCell className="pl-6 font-medium">
                    <span className="flex items-center gap-2">
                      {field.label}
                      {field.required ? <Badge variant="outline">Required</Badge> : null}
                    </span>
                  </TableCell>
                  <TableCell className="font-mono text-[0.8125rem] text-muted-foreground">
                    {field.key}
                  </TableCell>
                  <TableCell>{FIELD_TYPE_LABELS[field.type] ?? field.type}</TableCell>
                  <TableCell className="hidden max-w-56 truncate text-muted-foreground md:table-cell">
                    {field.options.length > 0 ? field.options.join(', ') : '—'}
                  </TableCell>
                  <TableCell className="pr-6">
                    <div className="flex justify-end gap-1">
                      <Button
                        variant="ghost"
                        size="icon"
                        aria-label={`Move ${field.label} up`}
                        disabled={!canWrite || index === 0 || update.isPending}
                        onClick={() => move(index, -1)}
                      >
                        <ArrowUp aria-hidden="true" />
                      </Button>
                      <Button
                        variant="ghost"
                        size="icon"
                        aria-label={`Move ${field.label} down`}
                        disabled={!canWrite || index === fields.data.length - 1 || update.isPending}
                        onClick={() => move(index, 1)}
                      >
                        <ArrowDown aria-hidden="true" />
                      </Button>
                      <Button
                        variant="ghost"
                        size="icon"
                        aria-label={`Edit ${field.label}`}
                        disabled={!canWrite}
                        onClick={() => setDialog({ field })}
                      >
                        <Pencil aria-hidden="true" />
                      </Button>
                      <Button
                        variant="destructive-ghost"
                        size="icon"
                        aria-label={`Delete ${field.label}`}
                        disabled={!canWrite || (remove.isPending && remove.variables?.id === field.id)}
                        onClick={() => onDelete(field, false)}
                      >
                        <Trash2 aria-hidden="true" />
                      </Button>
                    </div>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Card>
      {dialog ? (
        <FieldDialog orgId={orgId} entity={entity} field={dialog.field} onClose={() => setDialog(null)} />
      ) : null}
      <ConfirmDialog
        open={confirming !== null}
        onOpenChange={(open) => (open ? undefined : setConfirming(null))}
        title={`Delete “${confirming?.field.label ?? ''}”?`}
        description={
          confirming && confirming.valuesCount > 0
            ? `${plural(confirming.valuesCount, 'value')} stored in this field will be removed from your ${entity === 'contact' ? 'contacts' : 'companies'}. This cannot be undone.`
            : 'The field will be removed. This cannot be undone.'
        }
        confirmLabel="Delete field and values"
        onConfirm={() => (confirming ? onDelete(confirming.field, true) : undefined)}
        pending={remove.isPending}
      />
    </div>
  );
}
