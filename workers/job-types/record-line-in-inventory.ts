import { z } from 'zod';
import { LineCommissionSchema } from '../../contracts/enterprise-line.ts';
import { defineJob } from '../job-definition.ts';

/** The line enters the resource inventory (入库): next month's acceptance batch lists it. */
export const recordLineInInventory = defineJob({
  type: 'record-line-in-inventory',
  description: 'Records the line in the inventory of enterprise lines and completes its order',
  input: LineCommissionSchema.pick({ customer: true, service: true, aEnd: true, zEnd: true }).extend({ lineOrderId: z.string() }),
  output: z.object({ inInventoryAt: z.string() }),
  async handler({ variables, deps }) {
    const at = deps.now();
    await deps.lineOrders.recordInInventory({
      lineId: variables.lineOrderId,
      customer: variables.customer.name,
      branch: variables.aEnd.branch,
      service: variables.service,
      aEnd: variables.aEnd.address,
      zEnd: variables.zEnd.address,
      at,
    });
    await deps.lineOrders.setState(variables.lineOrderId, 'completed', at);
    return { inInventoryAt: at.toISOString() };
  },
});
