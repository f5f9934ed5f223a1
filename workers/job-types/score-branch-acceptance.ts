import { z } from 'zod';
import { MonthSchema } from '../../contracts/acceptance.ts';
import { defineJob } from '../job-definition.ts';

/** Each branch's monthly acceptance score (first-time passes, rectifications on time). */
export const scoreBranchAcceptance = defineJob({
  type: 'score-branch-acceptance',
  description: "Computes and stores each branch's monthly acceptance score",
  input: z.object({ month: MonthSchema }),
  output: z.object({
    scores: z.array(
      z.object({ branch: z.string(), lines: z.number(), passedFirstTime: z.number(), rectifiedOnTime: z.number(), score: z.number() }),
    ),
  }),
  async handler({ variables, deps }) {
    return { scores: await deps.acceptance.scoreMonth(variables.month) };
  },
});
