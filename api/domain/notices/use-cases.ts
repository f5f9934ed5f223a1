import { asc, eq } from 'drizzle-orm';
import { maskPhone, renderTemplate, TEMPLATE_SPECS, templateProblems, templateSpec } from '../../../contracts/notices.ts';
import type { Db } from '../../../db/client.ts';
import { customerSmsPreferences, smsNotices, smsTemplates } from '../../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { Principal } from '../auth/schemas.ts';

/** SMS notices: templates (process owners), the notices of an order or ticket (staff), a customer's opt-out. */
export const noticeErrors = {
  templateNotFound: (key: string) =>
    new ApiError(404, 'SMS_TEMPLATE_NOT_FOUND', 'SMS template not found', `没有短信模板 ${key}。 There is no SMS template ${key}.`),
  unknownPlaceholders: (key: string, unknown: string[], allowed: string[]) =>
    new ApiError(
      400,
      'UNKNOWN_PLACEHOLDER',
      'Unknown placeholder in the template',
      `模板 ${key} 不提供占位符 ${unknown.map((u) => `{${u}}`).join('、')}；可用：${allowed.map((a) => `{${a}}`).join('、')}。 Template ${key} offers no placeholder ${unknown.map((u) => `{${u}}`).join(', ')}; it offers ${allowed.map((a) => `{${a}}`).join(', ')}.`,
      unknown.map((u) => ({ pointer: '/body', in: 'body' as const, message: `未知占位符 / unknown placeholder {${u}}` })),
    ),
  strayBraces: (key: string) =>
    new ApiError(400, 'INVALID_TEMPLATE', 'Invalid template', `模板 ${key} 含有不成对的花括号。 Template ${key} has an unmatched brace.`, [
      { pointer: '/body', in: 'body', message: '花括号须成对，写作 {名称} / braces come in pairs, as {name}' },
    ]),
  subjectNotFound: (id: string) =>
    new ApiError(404, 'SUBJECT_NOT_FOUND', 'Order or ticket not found', `没有订单或工单 ${id}。 There is no order or ticket ${id}.`),
  noCustomerAccount: () =>
    new ApiError(403, 'FORBIDDEN', 'Not allowed for your role', '您的用户没有客户账户。 Your user has no customer account.'),
};

type TemplateRow = typeof smsTemplates.$inferSelect;

function toTemplate(row: TemplateRow) {
  const spec = templateSpec(row.key)!;
  const samples = Object.fromEntries(Object.entries(spec.placeholders).map(([name, p]) => [name, p.sample]));
  return {
    key: row.key,
    audience: spec.audience,
    moment: spec.moment,
    placeholders: Object.entries(spec.placeholders).map(([name, p]) => ({ name, label: { zh: p.zh, en: p.en }, sample: p.sample })),
    body: row.body,
    defaultBody: row.defaultBody,
    preview: renderTemplate(row.body, samples),
    updatedAt: row.updatedAt.toISOString(),
    updatedBy: row.updatedBy,
  };
}

export async function listTemplates({ db }: { db: Db }) {
  const rows = await db.select().from(smsTemplates);
  const order = TEMPLATE_SPECS.map((s) => s.key);
  return rows
    .filter((r) => templateSpec(r.key))
    .sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key))
    .map(toTemplate);
}

/** A process owner's new text: only the template's own placeholders; it applies to every notice not yet sent. */
export async function updateTemplate({ db, key, body, caller }: { db: Db; key: string; body: string; caller: Principal }) {
  const spec = templateSpec(key);
  if (!spec) throw noticeErrors.templateNotFound(key);
  const { unknown, strayBraces } = templateProblems(key, body);
  if (unknown.length > 0) throw noticeErrors.unknownPlaceholders(key, unknown, Object.keys(spec.placeholders));
  if (strayBraces) throw noticeErrors.strayBraces(key);
  const [row] = await db
    .update(smsTemplates)
    .set({ body, updatedAt: new Date(), updatedBy: caller.username })
    .where(eq(smsTemplates.key, key))
    .returning();
  if (!row) throw noticeErrors.templateNotFound(key);
  return toTemplate(row);
}

/** Every SMS of an order or ticket, oldest first, phones masked: part of its timeline for staff. */
export async function noticesOf({ db, subjectId }: { db: Db; subjectId: string }) {
  const rows = await db
    .select()
    .from(smsNotices)
    .where(eq(smsNotices.subjectId, subjectId))
    .orderBy(asc(smsNotices.eventAt), asc(smsNotices.id));
  const open = new Set(['queued', 'sending']);
  return {
    subjectId,
    notices: rows.map((r) => ({
      id: String(r.id),
      template: r.template,
      audience: r.audience as 'customer',
      recipient: r.recipient ? maskPhone(r.recipient) : '',
      recipientName: r.recipientName,
      body: r.body,
      status: r.status as 'queued',
      statusReason: r.statusReason,
      attempts: r.attempts,
      lastError: r.lastError,
      eventAt: r.eventAt.toISOString(),
      nextAttemptAt: open.has(r.status) ? r.nextAttemptAt.toISOString() : null,
      sentAt: r.sentAt?.toISOString() ?? null,
      deliveredAt: r.deliveredAt?.toISOString() ?? null,
    })),
  };
}

function ownCustomerId(caller: Principal): string {
  if (!caller.customerId) throw noticeErrors.noCustomerAccount();
  return caller.customerId;
}

export async function smsPreference({ db, caller }: { db: Db; caller: Principal }) {
  const customerId = ownCustomerId(caller);
  const [row] = await db.select().from(customerSmsPreferences).where(eq(customerSmsPreferences.customerId, customerId));
  return { customerId, optedOut: row?.optedOut ?? false };
}

export async function setSmsPreference({ db, caller, optedOut }: { db: Db; caller: Principal; optedOut: boolean }) {
  const customerId = ownCustomerId(caller);
  await db
    .insert(customerSmsPreferences)
    .values({ customerId, optedOut, updatedAt: new Date() })
    .onConflictDoUpdate({ target: customerSmsPreferences.customerId, set: { optedOut, updatedAt: new Date() } });
  return { customerId, optedOut };
}
