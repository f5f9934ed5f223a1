import { branchName, changeTypeName, customerLevelName, groupName, serviceName, type Name } from '../../contracts/names.ts';
import { lang } from './i18n.ts';

/** Names, not codes: a branch, group, customer level, service or change type in the reader's language. */
const pick = (n: Name): string => (lang() === 'zh' ? n.zh : n.en);

export const branch = (code: string | null | undefined): string => pick(branchName(code));
export const group = (code: string): string => pick(groupName(code));
export const customerLevel = (code: string): string => pick(customerLevelName(code));
export const service = (code: string): string => pick(serviceName(code));
export const changeType = (code: string): string => pick(changeTypeName(code));

/** ¥99/月 · ¥99/month */
export function monthlyFee(cents: number): string {
  const yuan = (cents / 100).toFixed(cents % 100 === 0 ? 0 : 2);
  return lang() === 'zh' ? `¥${yuan}/月` : `¥${yuan}/month`;
}

type Context = Record<string, unknown>;
const obj = (v: unknown): Context | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Context) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : typeof v === 'number' ? String(v) : null);
const join = (...parts: (string | null | undefined)[]) => parts.filter((p) => p).join(' · ');

/**
 * The business context of a task as a clerk reads it: labelled fields, names instead of codes,
 * money as money. Variables without a label here are internal and left out.
 */
const FIELDS: { key: string; zh: string; en: string; show: (v: unknown, ctx: Context) => string | null }[] = [
  { key: 'orderId', zh: '订单号', en: 'Order', show: str },
  { key: 'changeId', zh: '变更单号', en: 'Change', show: str },
  { key: 'changeType', zh: '变更类型', en: 'Change type', show: (v) => (str(v) ? changeType(String(v)) : null) },
  { key: 'ticketId', zh: '故障单号', en: 'Trouble ticket', show: str },
  { key: 'complaintId', zh: '投诉单号', en: 'Complaint', show: str },
  { key: 'lineOrderId', zh: '专线订单号', en: 'Line order', show: str },
  { key: 'month', zh: '验收月份', en: 'Month', show: str },
  {
    key: 'customer',
    zh: '客户',
    en: 'Customer',
    show: (v) => {
      const c = obj(v);
      if (!c) return str(v);
      return join(str(c.name), str(c.phone), str(c.level) ? customerLevel(String(c.level)) : null);
    },
  },
  { key: 'account', zh: '账号', en: 'Account', show: str },
  { key: 'service', zh: '业务类型', en: 'Service', show: (v) => (str(v) ? service(String(v)) : null) },
  {
    key: 'product',
    zh: '产品',
    en: 'Product',
    show: (v) => {
      const p = obj(v);
      if (!p) return str(v);
      return join(str(p.name), typeof p.monthlyFeeCents === 'number' ? monthlyFee(p.monthlyFeeCents) : null);
    },
  },
  { key: 'address', zh: '地址', en: 'Address', show: str },
  {
    key: 'grid',
    zh: '网格',
    en: 'Grid',
    show: (v) => {
      const code = str(v);
      if (!code) return null;
      const b = { URC: 'urumqi', XA: 'xian' }[code.split('-')[0] ?? ''];
      return b ? `${code}（${branch(b)}）` : code;
    },
  },
  {
    key: 'line',
    zh: '专线',
    en: 'Line',
    show: (v) => {
      const l = obj(v);
      if (!l) return str(v);
      return join(
        str(l.lineId),
        str(l.customer),
        str(l.branch) ? branch(String(l.branch)) : null,
        str(l.service) ? service(String(l.service)) : null,
      );
    },
  },
  { key: 'aEnd', zh: 'A 端', en: 'A end', show: (v) => lineEnd(v) },
  { key: 'zEnd', zh: 'Z 端', en: 'Z end', show: (v) => lineEnd(v) },
  {
    key: 'workPackage',
    zh: '施工包',
    en: 'Work package',
    show: (v) => {
      const w = obj(v);
      return w ? join(str(w.branch) ? branch(String(w.branch)) : null, str(w.grid), str(w.ends) ? `${w.ends} 端` : null) : null;
    },
  },
  { key: 'category', zh: '投诉类别', en: 'Category', show: (v, ctx) => str(obj(ctx.guide)?.label) ?? str(v) },
  {
    key: 'dispatch',
    zh: '派单',
    en: 'Dispatch',
    show: (v) => {
      const d = obj(v);
      return d ? join(str(d.crewGroup) ? group(String(d.crewGroup)) : str(d.crewName), str(d.summary)) : null;
    },
  },
  {
    key: 'diagnosis',
    zh: '预判断',
    en: 'Pre-diagnosis',
    show: (v) => {
      const d = obj(v);
      if (!d) return null;
      const category = str(d.category);
      const named = category ? DIAGNOSES[category] : undefined;
      const action =
        d.recommendedAction === 'online'
          ? lang() === 'zh'
            ? '可在线处理'
            : 'can be fixed remotely'
          : d.recommendedAction === 'field'
            ? lang() === 'zh'
              ? '需上门'
              : 'needs a visit'
            : null;
      return join(named ? (lang() === 'zh' ? named.zh : named.en) : str(d.summary), action);
    },
  },
  { key: 'errorMessage', zh: '问题', en: 'Problem', show: str },
];

/** The pre-diagnosis's findings (workers/diagnosis/prediagnose.ts). */
const DIAGNOSES: Record<string, Name> = {
  'unknown-line': { zh: '资源系统中无此接入线路', en: 'No access line in the inventory' },
  'fibre-cut': { zh: '光缆中断', en: 'Fibre cut' },
  'optical-los': { zh: '光信号丢失', en: 'Optical signal lost' },
  'onu-powered-off': { zh: '光猫断电', en: 'ONU powered off' },
  arrears: { zh: '欠费停机', en: 'Suspended for arrears' },
  'auth-failure': { zh: '宽带认证失败', en: 'Authentication failure' },
  'low-optical-power': { zh: '光功率偏低', en: 'Low optical power' },
  'no-fault-found': { zh: '未发现网络故障', en: 'No fault found' },
  undetermined: { zh: '无法远程判断', en: 'Cannot be decided remotely' },
};

function lineEnd(v: unknown): string | null {
  const e = obj(v);
  if (!e) return str(v);
  return join(str(e.address), str(e.branch) ? branch(String(e.branch)) : null, str(e.grid), str(e.contact));
}

export function contextFields(context: Context): [string, string][] {
  const out: [string, string][] = [];
  for (const f of FIELDS) {
    if (!(f.key in context)) continue;
    const value = f.show(context[f.key], context);
    if (value) out.push([lang() === 'zh' ? f.zh : f.en, value]);
  }
  return out;
}
