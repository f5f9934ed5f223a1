import { z } from 'zod';
import { defineJob } from '../job-definition.ts';

/** After a relocation: the port at the old address is freed, the new one kept. */
export const releasePreviousPorts = defineJob({
  type: 'release-previous-ports',
  description: "Frees the order's ports except the one reserved last (the new address's)",
  input: z.object({ orderId: z.string().min(1) }),
  output: z.object({ releasedPorts: z.number().int() }),
  async handler({ variables, deps }) {
    return { releasedPorts: await deps.inventory.releaseAllButNewest(variables.orderId) };
  },
});
