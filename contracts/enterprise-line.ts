import { z } from 'zod';
import { CustomerLevelSchema, GridSchema } from './home-broadband.ts';

/** The string contracts between processes/enterprise-line-new-install.bpmn and the code. */
export const LINE_PROCESS_ID = 'enterprise-line-new-install';
/** An end of the line names a grid the resource inventory does not know. */
export const LINE_ORDER_DATA_INCONSISTENT = 'LINE_ORDER_DATA_INCONSISTENT';
/** Messages the process waits for, correlated by lineOrderId. */
export const LINE_MESSAGES = { lineOrderCancelled: 'line-order-cancelled' } as const;

export const LineEndSchema = z.object({
  address: z.string().min(4),
  /** The branch (分公司) that builds and maintains this end, e.g. urumqi, xian. */
  branch: z.string().regex(/^[a-z][a-z-]*$/, 'a branch code such as urumqi'),
  grid: GridSchema,
  contact: z.string().min(1),
});

/** The design commission (设计委托). */
export const LineCommissionSchema = z.object({
  customer: z.object({ name: z.string().min(1), level: CustomerLevelSchema }),
  service: z.enum(['internet-line', 'transport-line', 'voice-line']),
  aEnd: LineEndSchema,
  zEnd: LineEndSchema,
  protectionLevel: z.enum(['standard', 'enhanced', 'dual-route']).describe('保障等级'),
  circuits: z.number().int().min(1).max(64),
  monthlyFeeCents: z.number().int().nonnegative(),
});
export type LineCommission = z.infer<typeof LineCommissionSchema>;

export const WorkPackageSchema = z.object({ branch: z.string(), grid: GridSchema, ends: z.enum(['A', 'Z', 'A+Z']) });
