/**
 * The SMS templates' contract between the process owners who edit them (sms_template, PUT /sms-templates/:key)
 * and the notice composer (workers/notices/compose.ts): each template's key, who receives it, the moment of
 * the process that sends it and the placeholders the composer fills. A template may use only its placeholders.
 */
export type NoticeAudience = 'customer' | 'crew' | 'response-center';

export interface TemplateSpec {
  key: string;
  audience: NoticeAudience;
  /** When it is sent, in words (zh / en). */
  moment: { zh: string; en: string };
  /** Placeholder → what it holds (zh / en) and a sample value for previews. */
  placeholders: Record<string, { zh: string; en: string; sample: string }>;
}

const customerName = { zh: '客户姓名', en: "Customer's name", sample: '张伟' };
const orderId = { zh: '订单号', en: 'Order number', sample: 'HB20261124000001' };
const ticketId = { zh: '故障工单号', en: 'Ticket number', sample: 'FT20261124000001' };
const address = { zh: '地址', en: 'Address', sample: '乌鲁木齐市天山区解放南路 88 号' };

export const TEMPLATE_SPECS: TemplateSpec[] = [
  {
    key: 'order-accepted',
    audience: 'customer',
    moment: { zh: '订单中心审核通过（订单已受理）', en: 'The order center approved the order (order accepted)' },
    placeholders: { customerName, orderId, address },
  },
  {
    key: 'visit-booked',
    audience: 'customer',
    moment: { zh: '装维人员与客户约定上门时间', en: 'The install crew booked the visit' },
    placeholders: {
      customerName,
      orderId,
      address,
      appointmentTime: { zh: '预约上门时间', en: 'Booked visit time', sample: '11月24日（周二）10:00' },
    },
  },
  {
    key: 'crew-on-the-way',
    audience: 'customer',
    moment: { zh: '装维人员认领上门安装任务（出发）', en: 'An install engineer claimed the on-site install (on the way)' },
    placeholders: { customerName, orderId, address, engineer: { zh: '装维人员', en: 'Engineer', sample: '李师傅' } },
  },
  {
    key: 'service-active',
    audience: 'customer',
    moment: { zh: '业务开通（开始计费）', en: 'Service activated (billing starts)' },
    placeholders: { customerName, orderId, productName: { zh: '产品名称', en: 'Product', sample: '500M 家庭宽带' } },
  },
  {
    key: 'fault-accepted',
    audience: 'customer',
    moment: { zh: '故障受理，定出修复时限', en: 'Fault accepted, repair deadline set' },
    placeholders: {
      customerName,
      ticketId,
      promisedTime: { zh: '承诺修复时间', en: 'Promised repair time', sample: '11月25日（周三）06:00' },
    },
  },
  {
    key: 'repair-crew-on-the-way',
    audience: 'customer',
    moment: { zh: '维修人员接单（出发）', en: 'The repair crew accepted the dispatch (on the way)' },
    placeholders: { customerName, ticketId, arrivalTime: { zh: '预计到达时间', en: 'Expected arrival', sample: '11月24日（周二）15:30' } },
  },
  {
    key: 'fault-resolved',
    audience: 'customer',
    moment: { zh: '故障修复，待确认恢复', en: 'Fault repaired, recovery to be confirmed' },
    placeholders: { customerName, ticketId },
  },
  {
    key: 'ticket-closed',
    audience: 'customer',
    moment: { zh: '故障结单', en: 'Ticket closed' },
    placeholders: { customerName, ticketId },
  },
  {
    key: 'crew-dispatch',
    audience: 'crew',
    moment: { zh: '派单给班组（班组的任务创建）', en: 'Work dispatched to a crew (a task created for its group)' },
    placeholders: {
      groupName: { zh: '班组', en: 'Crew', sample: '天山区装维班' },
      subjectId: { zh: '工单号', en: 'Order or ticket number', sample: 'HB20261124000001' },
      taskName: { zh: '任务', en: 'Task', sample: '预约上门' },
      customerName,
      address,
      dueTime: { zh: '处理时限', en: 'Due', sample: '11月24日（周二）14:00' },
    },
  },
  {
    key: 'escalation',
    audience: 'response-center',
    moment: { zh: '时限超时升级到客响中心', en: 'An SLA timer escalated to the response center' },
    placeholders: {
      subjectId: { zh: '工单号', en: 'Order or ticket number', sample: 'FT20261124000001' },
      levelName: { zh: '升级层级', en: 'Level', sample: '分公司客响中心' },
      reason: { zh: '升级原因', en: 'Reason', sample: '派单超时 15 分钟' },
    },
  },
];

export const TEMPLATE_KEYS = TEMPLATE_SPECS.map((s) => s.key);
export const templateSpec = (key: string) => TEMPLATE_SPECS.find((s) => s.key === key);

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The placeholders a template body uses, in order of first use. */
export function placeholdersOf(body: string): string[] {
  return [...new Set([...body.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** What is wrong with a template body for a key: unknown placeholders, stray braces (empty: nothing). */
export function templateProblems(key: string, body: string): { unknown: string[]; strayBraces: boolean } {
  const spec = templateSpec(key);
  const allowed = new Set(Object.keys(spec?.placeholders ?? {}));
  const unknown = placeholdersOf(body).filter((p) => !allowed.has(p));
  const strayBraces = /[{}]/.test(body.replace(PLACEHOLDER, ''));
  return { unknown, strayBraces };
}

/** Fills a template; a value missing from params becomes an empty string (never the raw {placeholder}). */
export function renderTemplate(body: string, params: Record<string, unknown>): string {
  return body.replace(PLACEHOLDER, (_m, name: string) => {
    const v = params[name];
    return v === undefined || v === null ? '' : String(v);
  });
}

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

/**
 * A moment as a Chinese reader expects it in an SMS, in Beijing time: 11月24日（周二）10:00.
 * A date-time without a zone (a form's datetime field, '2026-11-24T10:00') is Beijing wall time;
 * FEEL's '…+08:00[Asia/Shanghai]' and ISO instants are converted.
 */
export function formatChinaTime(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') return '';
  const text = value.trim().replace(/\[.*\]$/, '');
  const local = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(text);
  let date: Date;
  if (local) date = new Date(`${local[1]}-${local[2]}-${local[3]}T${local[4]}:${local[5]}:00+08:00`);
  else date = new Date(text);
  if (Number.isNaN(date.getTime())) return value;
  const china = new Date(date.getTime() + 8 * 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${china.getUTCMonth() + 1}月${china.getUTCDate()}日（周${WEEKDAYS[china.getUTCDay()]}）${pad(china.getUTCHours())}:${pad(china.getUTCMinutes())}`;
}

/** A phone as staff see it in lists: 138****8000. */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : phone;
}
