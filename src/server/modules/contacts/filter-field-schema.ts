import { z } from 'zod';
import { FIELD_TYPES, OPERATORS } from '../../../common/filters.js';

export const FIELD_TYPES_FOR_FILTER = z.object({
  field: z.string(),
  label: z.string(),
  type: z.enum(FIELD_TYPES),
  operators: z.array(z.enum(OPERATORS)),
  options: z.array(z.string()).optional(),
});
