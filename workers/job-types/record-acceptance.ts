import { z } from 'zod';
import { EngineInstantSchema, LineSchema, MonthSchema } from '../../contracts/acceptance.ts';
import { defineJob } from '../job-definition.ts';

/** Records a line's accepted result: first time, or after rectification on time or late. */
export const recordAcceptance = defineJob({
  type: 'record-acceptance',
  description: "Records a line's acceptance: rectifications needed and whether they were on time",
  input: z.object({
    month: MonthSchema,
    line: LineSchema,
    compliant: z.literal(true),
    rectifications: z.number().int().min(0),
    rectificationDueAt: EngineInstantSchema.nullish(),
    rectifiedAt: EngineInstantSchema.nullish(),
    recordedAt: EngineInstantSchema,
  }),
  output: z.object({ rectifiedOnTime: z.boolean().nullable() }),
  async handler({ variables, deps }) {
    const rectifiedOnTime =
      variables.rectifications === 0
        ? null
        : Boolean(variables.rectifiedAt && variables.rectificationDueAt && variables.rectifiedAt <= variables.rectificationDueAt);
    await deps.acceptance.recordLine({
      month: variables.month,
      lineId: variables.line.lineId,
      branch: variables.line.branch,
      rectifications: variables.rectifications,
      rectifiedOnTime,
      recordedAt: variables.recordedAt,
    });
    return { rectifiedOnTime };
  },
});
