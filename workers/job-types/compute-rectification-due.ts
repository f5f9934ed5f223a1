import { z } from 'zod';
import { EngineInstantSchema } from '../../contracts/acceptance.ts';
import { defineJob } from '../job-definition.ts';

/** A working-day limit: the business calendar (Chinese holidays, make-up workdays, overrides) gives the due moment. */
export const computeRectificationDue = defineJob({
  type: 'compute-rectification-due',
  description: 'Adds working days (Chinese holidays and make-up workdays counted) to the engine time to give a due date',
  input: z.object({ rectificationFrom: EngineInstantSchema, workingDays: z.number().int().min(0).max(60) }),
  output: z.object({ rectificationDueAt: z.string() }),
  async handler({ variables, deps }) {
    const calendar = await deps.calendar();
    return { rectificationDueAt: calendar.addWorkingDays(variables.rectificationFrom, variables.workingDays).toISOString() };
  },
});
