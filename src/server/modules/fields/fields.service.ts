import { sql } from 'drizzle-orm';
import type { CustomFieldType, FieldEntity } from '../../../common/contacts.js';
import { assertCan, type Ctx } from '../../lib/context.js';
import { AppError, notFound } from '../../lib/errors.js';
import { pgCode, rows } from '../../lib/sql.js';
import { writeTx } from '../contacts/write/events.js';
import { removeCustomFieldEverywhere } from '../contacts/write/sets.js';
import { fieldKeyOf } from './field-values.js';
import * as repo from './fields.repo.js';

const SELECT_TYPES: CustomFieldType[] = ['single_select', 'multi_select'];

function checkOptions(type: CustomFieldType, options: string[] | undefined) {
  if (SELECT_TYPES.includes(type)) {
    const clean = [...new Set((options ?? []).map((o) => o.trim()).filter(Boolean))];
    if (clean.length === 0) {
      throw new AppError('VALIDATION_FAILED', 'options: a select field needs at least one option', {
        issues: [{ path: ['options'], message: 'Add at least one option' }],
      });
    }
    return clean;
  }
  return [];
}

export async function listFields(ctx: Ctx, entity?: FieldEntity) {
  assertCan(ctx, 'contacts:read');
  return repo.listFields(ctx.deps.database.db, ctx.orgId, entity);
}

export async function createField(
  ctx: Ctx,
  input: {
    entity: FieldEntity;
    label: string;
    key?: string;
    type: CustomFieldType;
    required?: boolean;
    options?: string[];
  },
) {
  assertCan(ctx, 'settings:write');
  const db = ctx.deps.database.db;
  const key = input.key ?? fieldKeyOf(input.label);
  try {
    return await repo.insertField(db, ctx.orgId, {
      entity: input.entity,
      key,
      label: input.label,
      type: input.type,
      required: input.required ?? false,
      options: checkOptions(input.type, input.options),
      position: (await repo.maxPosition(db, ctx.orgId, input.entity)) + 1,
    });
  } catch (err) {
    if (pgCode(err) === '23505') {
      throw new AppError('CONFLICT', `A ${input.entity} field with the key "${key}" already exists`, {
        issues: [{ path: ['key'], message: 'This key is taken' }],
      });
    }
    throw err;
  }
}

/** Renaming (label) keeps values: they are stored by key, and the key never changes. */
export async function updateField(
  ctx: Ctx,
  id: string,
  input: { label?: string; required?: boolean; options?: string[]; position?: number },
) {
  assertCan(ctx, 'settings:write');
  const db = ctx.deps.database.db;
  const cur = await repo.findField(db, ctx.orgId, id);
  if (!cur) throw notFound('Field');
  const patch = { ...input };
  if (input.options) patch.options = checkOptions(cur.type, input.options);
  const updated = await repo.updateField(db, ctx.orgId, id, patch);
  if (!updated) throw notFound('Field');
  return updated;
}

/** Deleting removes the field and every value stored under its key; it needs confirm=true. */
export async function deleteField(ctx: Ctx, id: string, confirm: boolean) {
  assertCan(ctx, 'settings:write');
  const db = ctx.deps.database.db;
  const cur = await repo.findField(db, ctx.orgId, id);
  if (!cur) throw notFound('Field');
  const table = sql.raw(cur.entity === 'contact' ? 'contacts' : 'companies');
  if (!confirm) {
    const [row] = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from ${table} where org_id = ${ctx.orgId} and custom ? ${cur.key}`,
    );
    throw new AppError(
      'CONFIRMATION_REQUIRED',
      `Deleting "${cur.label}" removes its value from ${row?.n ?? 0} ${cur.entity === 'contact' ? 'contacts' : 'companies'}. Repeat with confirm=true.`,
      { valuesCount: row?.n ?? 0 },
    );
  }
  await writeTx(ctx, async (tx) => {
    if (cur.entity === 'contact') await removeCustomFieldEverywhere(tx, ctx, cur);
    else
      await tx.execute(
        sql`update companies set custom = custom - ${cur.key}::text where org_id = ${ctx.orgId} and custom ? ${cur.key}`,
      );
    await repo.deleteField(tx, ctx.orgId, id);
  });
}
