import { z } from 'zod';
import { LINE_ORDER_DATA_INCONSISTENT, LineEndSchema, WorkPackageSchema } from '../../contracts/enterprise-line.ts';
import { GridSchema } from '../../contracts/home-broadband.ts';
import { BusinessError, defineJob } from '../job-definition.ts';

/**
 * One work package per branch: a line across two branches (跨地州专线) is built by both, in parallel.
 * Each end's grid must be one the resource inventory knows, or no branch can check resources for
 * it: such an order is an error order for the order center, whose corrected grids come back here.
 */
export const planLineConstruction = defineJob({
  type: 'plan-line-construction',
  errorOrder: LINE_ORDER_DATA_INCONSISTENT,
  description: 'Checks both ends against the resource inventory and splits the construction into one work package per branch',
  input: z.object({
    lineOrderId: z.string(),
    aEnd: LineEndSchema,
    zEnd: LineEndSchema,
    correctedAEndGrid: GridSchema.nullish(),
    correctedZEndGrid: GridSchema.nullish(),
  }),
  output: z.object({
    workPackages: z.array(WorkPackageSchema).min(1),
    crossBranch: z.boolean(),
    aEnd: LineEndSchema,
    zEnd: LineEndSchema,
    correctedAEndGrid: z.null(),
    correctedZEndGrid: z.null(),
  }),
  async handler({ variables, deps }) {
    const aEnd = { ...variables.aEnd, grid: variables.correctedAEndGrid ?? variables.aEnd.grid };
    const zEnd = { ...variables.zEnd, grid: variables.correctedZEndGrid ?? variables.zEnd.grid };
    if (aEnd.grid !== variables.aEnd.grid || zEnd.grid !== variables.zEnd.grid) {
      await deps.lineOrders.correctEnds(variables.lineOrderId, { aEnd, zEnd });
    }
    const unknown: { zh: string; en: string }[] = [];
    if (!(await deps.inventory.knowsGrid(aEnd.grid)))
      unknown.push({ zh: `A 端网格 ${aEnd.grid}（${aEnd.address}）`, en: `A-end grid ${aEnd.grid} (${aEnd.address})` });
    if (!(await deps.inventory.knowsGrid(zEnd.grid)))
      unknown.push({ zh: `Z 端网格 ${zEnd.grid}（${zEnd.address}）`, en: `Z-end grid ${zEnd.grid} (${zEnd.address})` });
    if (unknown.length > 0) {
      const reason = `资源系统中没有 ${unknown.map((u) => u.zh).join('，也没有 ')}：请更正网格或撤销订单 / The resource inventory has no ${unknown.map((u) => u.en).join(' and no ')}: correct the grid or cancel the order.`;
      throw new BusinessError(LINE_ORDER_DATA_INCONSISTENT, reason, {
        aEnd,
        zEnd,
        correctedAEndGrid: null,
        correctedZEndGrid: null,
        errorOrder: { reason, aEndGrid: aEnd.grid, zEndGrid: zEnd.grid },
      });
    }
    const crossBranch = aEnd.branch !== zEnd.branch;
    await deps.lineOrders.setState(variables.lineOrderId, 'inProgress', deps.now());
    const workPackages = crossBranch
      ? [
          { branch: aEnd.branch, grid: aEnd.grid, ends: 'A' as const },
          { branch: zEnd.branch, grid: zEnd.grid, ends: 'Z' as const },
        ]
      : [{ branch: aEnd.branch, grid: aEnd.grid, ends: 'A+Z' as const }];
    return { workPackages, crossBranch, aEnd, zEnd, correctedAEndGrid: null, correctedZEndGrid: null };
  },
});
