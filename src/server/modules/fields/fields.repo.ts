import { and, asc, eq, sql } from 'drizzle-orm';
import type { CustomFieldType, FieldEntity } from '../../../common/contacts.js';
import { fieldDefinitions } from '../../../db/schema/index.js';
import type { Db } from '../../lib/db.js';

export interface FieldDef {
  id: string;
  entity: FieldEntity;
  key: string;
  label: string;
  type: CustomFieldType;
  required: boolean;
  options: string[];
  position: number;
}

const columns = {
  id: fieldDefinitions.id,
  entity: fieldDefinitions.entity,
  key: fieldDefinitions.key,
  label: fieldDefinitions.label,
  type: fieldDefinitions.type,
  required: fieldDefinitions.required,
  options: fieldDefinitions.options,
  position: fieldDefinitions.position,
};

export async function listFields(db: Db, orgId: string, entity?: FieldEntity): Promise<FieldDef[]> {
  const rows = await db
    .select(columns)
    .from(fieldDefinitions)
    .where(
      entity
        ? and(eq(fieldDefinitions.orgId, orgId), eq(fieldDefinitions.entity, entity))
        : eq(fieldDefinitions.orgId, orgId),
    )
    .orderBy(asc(fieldDefinitions.position), asc(fieldDefinitions.createdAt));
  return rows as FieldDef[];
}

export async function findField(db: Db, orgId: string, id: string): Promise<FieldDef | undefined> {
  const [row] = await db
    .select(columns)
    .from(fieldDefinitions)
    .where(and(eq(fieldDefinitions.orgId, orgId), eq(fieldDefinitions.id, id)));
  return row as FieldDef | undefined;
}

export async function insertField(db: Db, orgId: string, v: Omit<FieldDef, 'id'>): Promise<FieldDef> {
  const [row] = await db
    .insert(fieldDefinitions)
    .values({ orgId, ...v })
    .returning(columns);
  return row as FieldDef;
}

export async function updateField(
  db: Db,
  orgId: string,
  id: string,
  v: Partial<Pick<FieldDef, 'label' | 'required' | 'options' | 'position'>>,
) {
  const [row] = await db
    .update(fieldDefinitions)
    .set({ ...v, updatedAt: new Date() })
    .where(and(eq(fieldDefinitions.orgId, orgId), eq(fieldDefinitions.id, id)))
    .returning(columns);
  return row as FieldDef | undefined;
}

export async function deleteField(db: Db, orgId: string, id: string) {
  await db
    .delete(fieldDefinitions)
    .where(and(eq(fieldDefinitions.orgId, orgId), eq(fieldDefinitions.id, id)));
}

export async function maxPosition(db: Db, orgId: string, entity: FieldEntity) {
  const [row] = await db
    .select({ n: sql<number>`coalesce(max(${fieldDefinitions.position}), -1)::int` })
    .from(fieldDefinitions)
    .where(and(eq(fieldDefinitions.orgId, orgId), eq(fieldDefinitions.entity, entity)));
  return row?.n ?? -1;
}

/** Keys of the organisation's contact custom fields (the `contact.custom.<key>` merge fields). */
export async function contactFieldKeys(db: Db, orgId: string): Promise<string[]> {
  return (await listFields(db, orgId, 'contact')).map((f) => f.key);
}
