import { z } from 'zod';
import { LineEndSchema, WorkPackageSchema } from '../../contracts/enterprise-line.ts';
import { defineJob } from '../job-definition.ts';

/** One work package per branch: a line across two branches (跨地州专线) is built by both, in parallel. */
export const planLineConstruction = defineJob({
  type: 'plan-line-construction',
  description: 'Splits the construction into one work package per branch (both ends, or one end per branch)',
  input: z.object({ lineOrderId: z.string(), aEnd: LineEndSchema, zEnd: LineEndSchema }),
  output: z.object({ workPackages: z.array(WorkPackageSchema).min(1), crossBranch: z.boolean() }),
  async handler({ variables, deps }) {
    const { aEnd, zEnd } = variables;
    const crossBranch = aEnd.branch !== zEnd.branch;
    await deps.lineOrders.setState(variables.lineOrderId, 'inProgress', deps.now());
    const workPackages = crossBranch
      ? [
          { branch: aEnd.branch, grid: aEnd.grid, ends: 'A' as const },
          { branch: zEnd.branch, grid: zEnd.grid, ends: 'Z' as const },
        ]
      : [{ branch: aEnd.branch, grid: aEnd.grid, ends: 'A+Z' as const }];
    return { workPackages, crossBranch };
  },
});
