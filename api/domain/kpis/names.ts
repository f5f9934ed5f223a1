/**
 * Names people read for the codes the KPIs group by: branches (分公司) and complaint categories,
 * Chinese first, English through the language switch. A code without a name reads as itself.
 */
export interface Name {
  zh: string;
  en: string;
}

export const BRANCH_NAMES: Record<string, Name> = {
  urumqi: { zh: '乌鲁木齐分公司', en: 'Ürümqi branch' },
  kashgar: { zh: '喀什分公司', en: 'Kashgar branch' },
  yili: { zh: '伊犁分公司', en: 'Ili branch' },
  xian: { zh: '西安分公司', en: "Xi'an branch" },
};

export const UNKNOWN_BRANCH = 'unknown';

export function branchName(code: string | null | undefined): Name {
  if (!code || code === UNKNOWN_BRANCH) return { zh: '未归属分公司', en: 'No branch' };
  return BRANCH_NAMES[code] ?? { zh: code, en: code };
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
