/**
 * Names people read for the codes the processes use: branches, groups (岗位组), customer levels,
 * services, change types. Chinese first, English through the language switch. The web UI and the
 * API render these instead of the codes; a code without a name reads as itself.
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

const FIXED_GROUPS: Record<string, Name> = {
  'order-center': { zh: '订单中心', en: 'Order center' },
  'customer-response-center': { zh: '客响中心', en: 'Customer response center' },
  'monitoring-center': { zh: '监控中心', en: 'Monitoring center' },
  'customer-manager': { zh: '客户经理', en: 'Customer managers' },
  'design-institute': { zh: '设计院', en: 'Design institute' },
  'install-crew-urc-tianshan': { zh: '天山装维班', en: 'Tianshan install crew' },
  'install-crew-urc-shayibake': { zh: '沙依巴克装维班', en: 'Shayibake install crew' },
  'install-crew-urc-midong': { zh: '米东装维班', en: 'Midong install crew' },
  'install-crew-xa-yanta': { zh: '雁塔装维班', en: 'Yanta install crew' },
};

/** Groups named per branch: construction-urumqi → 乌鲁木齐分公司施工队. */
const BRANCH_GROUPS: Record<string, Name> = {
  construction: { zh: '施工队', en: 'construction crew' },
  acceptance: { zh: '验收组', en: 'acceptance team' },
  maintenance: { zh: '维护中心', en: 'maintenance center' },
};

export const CUSTOMER_LEVEL_NAMES: Record<string, Name> = {
  group: { zh: '集团级', en: 'Group' },
  province: { zh: '省级', en: 'Province' },
  'local-a': { zh: '本地A', en: 'Local A' },
  'local-b': { zh: '本地B', en: 'Local B' },
  'local-c': { zh: '本地C', en: 'Local C' },
};

export const SERVICE_NAMES: Record<string, Name> = {
  broadband: { zh: '宽带', en: 'Broadband' },
  'dedicated-line': { zh: '专线', en: 'Dedicated line' },
  voice: { zh: '语音', en: 'Voice' },
  '800-number': { zh: '800 / 4008 号码', en: '800 / 4008 number' },
  'internet-line': { zh: '互联网专线', en: 'Internet line' },
  'transport-line': { zh: '传输专线', en: 'Transport line' },
  'voice-line': { zh: '语音专线', en: 'Voice line' },
};

export const CHANGE_TYPE_NAMES: Record<string, Name> = {
  'product-change': { zh: '产品变更', en: 'Product change' },
  relocation: { zh: '移机', en: 'Relocation' },
  'scheduled-cancellation': { zh: '预约销户', en: 'Scheduled cancellation' },
  'formal-cancellation': { zh: '正式销户', en: 'Formal cancellation' },
  'terminal-repair': { zh: '终端维修', en: 'Terminal repair' },
};

const own = (code: string): Name => ({ zh: code, en: code });

export function branchName(code: string | null | undefined): Name {
  if (!code) return { zh: '未归属分公司', en: 'No branch' };
  return BRANCH_NAMES[code] ?? own(code);
}

export function groupName(code: string): Name {
  const fixed = FIXED_GROUPS[code];
  if (fixed) return fixed;
  const [, kind = '', branch = ''] = /^([a-z]+)-(.+)$/.exec(code) ?? [];
  const group = BRANCH_GROUPS[kind];
  const branchOf = BRANCH_NAMES[branch];
  if (group && branchOf) return { zh: `${branchOf.zh}${group.zh}`, en: `${branchOf.en} ${group.en}` };
  return own(code);
}

export function customerLevelName(code: string): Name {
  return CUSTOMER_LEVEL_NAMES[code] ?? own(code);
}

export function serviceName(code: string): Name {
  return SERVICE_NAMES[code] ?? own(code);
}

export function changeTypeName(code: string): Name {
  return CHANGE_TYPE_NAMES[code] ?? own(code);
}

/** Every fixed list, for a test that no code of them is shown where its name belongs. */
export const NAMED_CODES = {
  branches: Object.keys(BRANCH_NAMES),
  groups: Object.keys(FIXED_GROUPS),
  customerLevels: Object.keys(CUSTOMER_LEVEL_NAMES),
};

const CJK = /[\u3400-\u9fff]/;

/**
 * A phrase stored in both languages as "中文 / English" (escalation reasons, error-order reasons),
 * split: the side in the language asked for, or null when the phrase is not such a pair.
 */
export function sideOfPair(stored: string, lang: keyof Name): string | null {
  const at = stored.indexOf(' / ');
  if (at <= 0 || !CJK.test(stored.slice(0, at)) || CJK.test(stored.slice(at + 3))) return null;
  return lang === 'zh' ? stored.slice(0, at) : stored.slice(at + 3);
}
