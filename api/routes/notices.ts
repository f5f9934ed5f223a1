import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ACCESS } from '../domain/auth/access.ts';
import {
  NoticeListSchema,
  NoticeQuerySchema,
  SmsPreferenceSchema,
  SmsTemplateSchema,
  TemplateKeyParamsSchema,
  UpdateSmsPreferenceBodySchema,
  UpdateTemplateBodySchema,
} from '../domain/notices/schemas.ts';
import { listTemplates, noticeErrors, noticesOf, setSmsPreference, smsPreference, updateTemplate } from '../domain/notices/use-cases.ts';
import { ProblemSchema } from '../errors.ts';
import { principal } from '../plugins/auth.ts';

const CUSTOMERS = ['customer'] as const;

/** SMS notices (docs/sms.md): the templates process owners edit, every SMS of an order or ticket for staff, a customer's opt-out. */
export const noticeRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = app.database.db;

  app.get(
    '/sms-templates',
    {
      config: { access: ACCESS.processOwners },
      schema: {
        tags: ['notices'],
        summary: 'The SMS templates: when each is sent, its placeholders, the current text and a preview',
        response: { 200: SmsTemplateSchema.array() },
      },
    },
    async () => listTemplates({ db }),
  );

  app.put(
    '/sms-templates/:key',
    {
      config: { access: ACCESS.processOwners },
      schema: {
        tags: ['notices'],
        summary: "Change a template's text (only its own placeholders); notices not yet sent use the new text",
        params: TemplateKeyParamsSchema,
        body: UpdateTemplateBodySchema,
        response: { 200: SmsTemplateSchema, 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => {
      const template = await updateTemplate({ db, key: request.params.key, body: request.body.body, caller: principal(request) });
      request.log.info({ template: template.key, by: principal(request).username }, 'SMS template changed');
      return template;
    },
  );

  app.get(
    '/notices',
    {
      config: { access: ACCESS.staff },
      schema: {
        tags: ['notices'],
        summary: 'Every SMS of an order or ticket (customer, crew, response center): text, status, attempts, delivery',
        querystring: NoticeQuerySchema,
        response: { 200: NoticeListSchema, 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => {
      const subject = await app.statusReads.findSubject(request.query.subject);
      if (!subject) throw noticeErrors.subjectNotFound(request.query.subject);
      return noticesOf({ db, subjectId: subject.id });
    },
  );

  app.get(
    '/sms-preference',
    {
      config: { access: CUSTOMERS },
      schema: {
        tags: ['notices'],
        summary: 'Whether the caller (a customer) receives SMS notices',
        response: { 200: SmsPreferenceSchema },
      },
    },
    async (request) => smsPreference({ db, caller: principal(request) }),
  );

  app.put(
    '/sms-preference',
    {
      config: { access: CUSTOMERS },
      schema: {
        tags: ['notices'],
        summary: 'Opt out of SMS notices (退订) or back in; applies to notices not yet sent',
        body: UpdateSmsPreferenceBodySchema,
        response: { 200: SmsPreferenceSchema, 400: ProblemSchema },
      },
    },
    async (request) => {
      const preference = await setSmsPreference({ db, caller: principal(request), optedOut: request.body.optedOut });
      request.log.info({ customerId: preference.customerId, optedOut: preference.optedOut }, 'SMS preference changed');
      return preference;
    },
  );
};
