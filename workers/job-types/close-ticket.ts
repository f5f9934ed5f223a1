import { z } from 'zod';
import { FaultVariablesSchema } from '../../contracts/fault.ts';
import { withNote } from '../closing-reason.ts';
import { defineJob } from '../job-definition.ts';

/** Closes a trouble ticket; flags a repeated fault (same account within 30 days). An error ticket the response center cancels is closed as cancelled. */
export const closeTicket = defineJob({
  type: 'close-ticket',
  description: 'Closes the ticket with its resolution path and flags repeated faults, or cancels an error ticket',
  input: FaultVariablesSchema.pick({ ticketId: true }).extend({
    ticketOutcome: z.enum(['closed', 'cancelled']).default('closed'),
    resolvedOnline: z.boolean().optional(),
    diagnosis: z.object({ recommendedAction: z.enum(['online', 'field']) }).optional(),
    crewGroup: z.string().optional(),
    errorNote: z.string().nullish(),
  }),
  output: z.object({ closedAt: z.string(), repeatedFault: z.boolean() }),
  async handler({ variables, deps }) {
    const at = deps.now();
    if (variables.ticketOutcome === 'cancelled') {
      await deps.tickets.cancel(variables.ticketId, at, withNote('Cancelled as an error ticket', variables.errorNote));
      return { closedAt: at.toISOString(), repeatedFault: false };
    }
    // Field when a crew was dispatched, online when it was resolved remotely.
    const path = variables.crewGroup ? 'field' : variables.resolvedOnline ? 'online' : (variables.diagnosis?.recommendedAction ?? null);
    const { repeated } = await deps.tickets.close(variables.ticketId, path, at);
    return { closedAt: at.toISOString(), repeatedFault: repeated };
  },
});
