import { z } from 'zod';
import { INSUFFICIENT_RESOURCES, OrderVariablesSchema } from '../../contracts/home-broadband.ts';
import { BusinessError, defineJob } from '../job-definition.ts';

/** Resource check (资源核查): reserves an access port in the customer's grid. */
export const checkResources = defineJob({
  type: 'check-resources',
  description: "Reserves a free access port in the customer's grid, or raises INSUFFICIENT_RESOURCES",
  input: OrderVariablesSchema.pick({ orderId: true, grid: true }),
  output: z.object({
    port: z.object({ olt: z.string(), ponPort: z.string(), splitterPort: z.number(), label: z.string() }),
  }),
  async handler({ variables, job, deps, log }) {
    const port = await deps.inventory.reservePort({
      grid: variables.grid,
      orderId: variables.orderId,
      reservationKey: job.idempotencyKey,
    });
    if (!port) {
      throw new BusinessError(INSUFFICIENT_RESOURCES, `no free access port in grid ${variables.grid}`, {
        insufficientResources: { grid: variables.grid },
      });
    }
    log.info({ port: port.label }, 'port reserved');
    return { port };
  },
});
