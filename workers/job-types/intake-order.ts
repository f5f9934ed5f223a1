import { z } from 'zod';
import { OrderVariablesSchema } from '../../contracts/home-broadband.ts';
import { defineJob } from '../job-definition.ts';

/** Order intake (受理): the order is known to the order center and now in progress. */
export const intakeOrder = defineJob({
  type: 'intake-order',
  description: 'Registers the order as in progress in the order center',
  input: OrderVariablesSchema.pick({ orderId: true }),
  output: z.object({ intakeAt: z.string() }),
  async handler({ variables, deps }) {
    if (!(await deps.orders.exists(variables.orderId))) {
      // Transient: retried with back-off; after the last retry an incident shows the order is missing.
      throw new Error(`order ${variables.orderId} is not in the order table (yet)`);
    }
    const at = deps.now();
    await deps.orders.setState(variables.orderId, 'inProgress', null, at);
    return { intakeAt: at.toISOString() };
  },
});
