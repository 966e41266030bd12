-- Progress of an import per partition of its rows (one writer each): records committed so far.
-- NULL until the import is first claimed (see imports.run.ts).
ALTER TABLE "imports" ADD COLUMN "parts_done" integer[];
