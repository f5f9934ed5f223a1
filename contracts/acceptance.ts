import { z } from 'zod';

/** The string contracts between processes/acceptance-handover.bpmn and the code. */
export const ACCEPTANCE_PROCESS_ID = 'acceptance-handover';
/** A line to accept whose inventory record lacks what the on-site acceptance needs (customer, A-end, Z-end, a line service). */
export const LINE_INVENTORY_DATA_MISSING = 'LINE_INVENTORY_DATA_MISSING';

export const MonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM');

/** The engine's FEEL date-times come as "2026-11-22T20:00:00.123Z[Etc/UTC]": drop the zone id. */
export const EngineInstantSchema = z
  .string()
  .transform((s) => new Date(s.replace(/\[[^\]]+\]$/, '')))
  .refine((d) => !Number.isNaN(d.getTime()), 'an ISO date-time');

export const LineSchema = z.object({ lineId: z.string(), customer: z.string(), branch: z.string(), service: z.string() });
