import { z } from 'zod';
import { OrderVariablesSchema } from '../../contracts/home-broadband.ts';
import { defineJob } from '../job-definition.ts';

/** Compensation of the resource check: releases the ports a cancelled order holds. */
export const releaseResources = defineJob({
  type: 'release-resources',
  description: 'Releases the access port(s) reserved for an order (compensation on cancellation)',
  input: OrderVariablesSchema.pick({ orderId: true }),
  output: z.object({ releasedPorts: z.number().int() }),
  async handler({ variables, deps, log }) {
    const releasedPorts = await deps.inventory.releaseOrder(variables.orderId);
    log.info({ releasedPorts }, 'reserved resources released');
    return { releasedPorts };
  },
});
