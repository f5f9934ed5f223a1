import { z } from 'zod';
import { MonthSchema } from '../../../contracts/acceptance.ts';

export const StartBatchBodySchema = z
  .object({ month: MonthSchema.describe('The month whose acceptance runs: lines put into inventory the month before') })
  .strict()
  .meta({ id: 'StartAcceptanceBatch', example: { month: '2026-12' } });

export const MonthParamsSchema = z.object({ month: MonthSchema });

export const AcceptanceBatchSchema = z
  .object({
    month: z.string(),
    processInstanceKey: z.string(),
    state: z.enum(['active', 'completed', 'terminated']),
    startedAt: z.string().datetime(),
    endedAt: z.string().datetime().nullable(),
    lines: z
      .array(
        z.object({
          lineId: z.string(),
          branch: z.string(),
          rectifications: z.number().int(),
          rectifiedOnTime: z.boolean().nullable(),
        }),
      )
      .describe('Lines whose acceptance is recorded so far'),
    scores: z
      .array(
        z.object({
          branch: z.string(),
          lines: z.number().int(),
          passedFirstTime: z.number().int(),
          rectifiedOnTime: z.number().int(),
          score: z.number(),
        }),
      )
      .describe("Each branch's monthly score (when the batch has finished)"),
  })
  .meta({ id: 'AcceptanceBatch' });
