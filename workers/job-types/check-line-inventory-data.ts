import { z } from 'zod';
import { LINE_INVENTORY_DATA_MISSING, LineSchema } from '../../contracts/acceptance.ts';
import { LineCommissionSchema } from '../../contracts/enterprise-line.ts';
import type { InventoryRecord } from '../adapters/acceptance-register.ts';
import { BusinessError, defineJob } from '../job-definition.ts';

const LINE_SERVICES: readonly string[] = LineCommissionSchema.shape.service.options;

/** What the on-site acceptance needs from the line's inventory record and the record lacks (empty when complete). */
export function missingInventoryData(record: InventoryRecord | undefined): string[] {
  if (!record) return ['the whole record (the line is no longer in inventory)'];
  const missing: string[] = [];
  if (!record.customer.trim()) missing.push('customer');
  if (!record.branch.trim()) missing.push('branch');
  if (!record.aEnd.trim()) missing.push('A-end address');
  if (!record.zEnd.trim()) missing.push('Z-end address');
  if (!LINE_SERVICES.includes(record.service)) missing.push(`a line service (the record says "${record.service}")`);
  return missing;
}

/**
 * Before the branch goes on site: the line's record in the resource inventory must say whose line
 * it is, where both ends are and what service it carries. A record lacking any of it goes to the
 * response center as an abnormal line; once the record is completed the check runs again.
 */
export const checkLineInventoryData = defineJob({
  type: 'check-line-inventory-data',
  errorOrder: LINE_INVENTORY_DATA_MISSING,
  description: "Checks a line's inventory record is complete for on-site acceptance; raises LINE_INVENTORY_DATA_MISSING",
  input: z.object({ line: LineSchema }),
  output: z.object({ line: LineSchema.extend({ aEnd: z.string(), zEnd: z.string() }) }),
  async handler({ variables, deps }) {
    const record = await deps.acceptance.inventoryRecord(variables.line.lineId);
    const missing = missingInventoryData(record);
    if (!record || missing.length > 0) {
      const reason = `专线 ${variables.line.lineId} 的资源记录缺少 ${missing.join('、')}：请在资源系统中补全，或将该专线移出本月验收 / The inventory record of line ${variables.line.lineId} lacks ${missing.join(', ')}: complete it in the resource system, or withdraw the line from this month's acceptance.`;
      throw new BusinessError(LINE_INVENTORY_DATA_MISSING, reason, { errorOrder: { reason, lineId: variables.line.lineId, missing } });
    }
    // The inventory is the authority: the acceptance works from the record as it stands now.
    return { line: record };
  },
});
