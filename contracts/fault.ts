import { z } from 'zod';
import { CustomerLevelSchema } from './home-broadband.ts';

/** The string contracts between processes/fault-trouble-ticket.bpmn and the code. */
export const FAULT_PROCESS_ID = 'fault-trouble-ticket';
/** The ticket's account has no line in the resource inventory, or the line there carries another service. */
export const TICKET_DATA_INCONSISTENT = 'TICKET_DATA_INCONSISTENT';

export const FaultSourceSchema = z.enum(['hotline', 'customer-manager', 'monitoring-alarm']).describe('Who reported the fault');
export const ServiceSchema = z.enum(['broadband', 'dedicated-line', 'voice', '800-number']).describe('The faulty service');

/** Variables every fault instance starts with. */
export const FaultVariablesSchema = z.object({
  ticketId: z.string().min(1),
  account: z.string().min(1),
  customer: z.object({ name: z.string(), level: CustomerLevelSchema }),
  service: ServiceSchema,
  source: FaultSourceSchema,
  description: z.string(),
});
export type FaultVariables = z.infer<typeof FaultVariablesSchema>;

export const EscalationLevelSchema = z.enum(['county', 'branch', 'region']);
