import { z } from 'zod';
import { TEMPLATE_KEYS } from '../../../contracts/notices.ts';

const LabelSchema = z.object({ zh: z.string(), en: z.string() });

export const SmsTemplateSchema = z
  .object({
    key: z.string().describe('The template key, e.g. visit-booked'),
    audience: z.enum(['customer', 'crew', 'response-center']),
    moment: LabelSchema.describe('When the process sends it'),
    placeholders: z
      .array(z.object({ name: z.string(), label: LabelSchema, sample: z.string() }))
      .describe('The placeholders the template may use, written {name}'),
    body: z.string().describe('The current text'),
    defaultBody: z.string().describe('The text it was delivered with (send it back to reset)'),
    preview: z.string().describe('The current text filled with the sample values'),
    updatedAt: z.string().datetime(),
    updatedBy: z.string().nullable(),
  })
  .meta({ id: 'SmsTemplate' });

export const TemplateKeyParamsSchema = z.object({
  key: z
    .string()
    .max(60)
    .regex(/^[a-z][a-z-]*$/, 'a template key such as visit-booked')
    .describe(`The template key: ${TEMPLATE_KEYS.join(', ')}`),
});

export const UpdateTemplateBodySchema = z
  .object({
    body: z
      .string()
      .trim()
      .min(1, '模板不能为空 / the template must not be empty')
      .max(500, '模板最多 500 个字符 / a template of at most 500 characters')
      .describe('The new text; placeholders written {name}, only those the template offers'),
  })
  .strict()
  .meta({
    id: 'UpdateSmsTemplate',
    example: { body: '【宽带服务】{customerName}您好，装维人员将于{appointmentTime}上门安装（订单{orderId}），地址：{address}。' },
  });

export const NoticeQuerySchema = z.object({
  subject: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .regex(/^[A-Za-z0-9-]+$/, 'an order or ticket number such as HB20261122000001')
    .describe('The order, ticket, change, line order or complaint'),
});

export const NoticeSchema = z
  .object({
    id: z.string(),
    template: z.string(),
    audience: z.enum(['customer', 'crew', 'response-center']),
    recipient: z.string().describe('The phone, masked (138****8000); empty when none was on record'),
    recipientName: z.string().nullable(),
    body: z.string().nullable().describe('The text as sent (null until the first attempt)'),
    status: z.enum(['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'suppressed', 'skipped']),
    statusReason: z.string().nullable(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    eventAt: z.string().datetime(),
    nextAttemptAt: z.string().datetime().nullable().describe('When a queued or held notice goes next'),
    sentAt: z.string().datetime().nullable(),
    deliveredAt: z.string().datetime().nullable(),
  })
  .meta({ id: 'SmsNotice' });

export const NoticeListSchema = z
  .object({ subjectId: z.string(), notices: z.array(NoticeSchema).describe('Oldest first') })
  .meta({ id: 'SmsNoticeList' });

export const SmsPreferenceSchema = z
  .object({ customerId: z.string(), optedOut: z.boolean().describe('True: no SMS notices are sent to this customer') })
  .meta({ id: 'SmsPreference' });

export const UpdateSmsPreferenceBodySchema = z
  .object({ optedOut: z.boolean().describe('True to stop SMS notices (退订), false to receive them again') })
  .strict()
  .meta({ id: 'UpdateSmsPreference', example: { optedOut: true } });
