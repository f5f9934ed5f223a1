/**
 * Names people read for the codes the chase-up and complaint statistics group by, Chinese first,
 * English through the language switch: branches from the organisation's names (contracts/names.ts),
 * complaint categories from the complaint-handling guide. A code without a name reads as itself.
 */
import { branchName as organisationBranchName, type Name } from '../../../contracts/names.ts';

export type { Name };

/** Subjects whose order, line or account names no branch are counted under this code. */
export const UNKNOWN_BRANCH = 'unknown';

export function branchName(code: string | null | undefined): Name {
  return organisationBranchName(code === UNKNOWN_BRANCH ? null : code);
}

/** The categories of the complaint-handling guide (contracts/complaint.ts, processes/complaint-guide.dmn). */
export const COMPLAINT_CATEGORY_NAMES: Record<string, Name> = {
  'slow-speed': { zh: '网速慢', en: 'Slow speed' },
  'frequent-disconnection': { zh: '频繁掉线', en: 'Frequent disconnection' },
  'install-delay': { zh: '装机超时', en: 'Install delay' },
  'repair-delay': { zh: '维修超时', en: 'Repair delay' },
  'billing-dispute': { zh: '计费争议', en: 'Billing dispute' },
  'staff-attitude': { zh: '服务态度', en: 'Staff attitude' },
  other: { zh: '其他', en: 'Other' },
};

export function complaintCategoryName(code: string): Name {
  return COMPLAINT_CATEGORY_NAMES[code] ?? { zh: code, en: code };
}
