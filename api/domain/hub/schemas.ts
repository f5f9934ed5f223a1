import { z } from 'zod';

export const HUB_APIS = ['productOrdering', 'troubleTicket'] as const;
export type HubApi = (typeof HUB_APIS)[number];

/** The listener events each API's hub delivers. */
export const HUB_EVENT_TYPES: Record<HubApi, readonly string[]> = {
  productOrdering: [
    'ProductOrderCreateEvent',
    'ProductOrderStateChangeEvent',
    'ProductOrderMilestoneEvent',
    'ProductOrderJeopardyAlertEvent',
    'CancelProductOrderCreateEvent',
    'CancelProductOrderStateChangeEvent',
  ],
  troubleTicket: ['TroubleTicketCreateEvent', 'TroubleTicketStatusChangeEvent', 'TroubleTicketResolvedEvent'],
};

/** Hub_FVO: a callback and an optional query (`eventType=A,B` narrows the events). */
export const HubCreateSchema = z
  .object({
    '@type': z.literal('Hub').optional(),
    callback: z
      .url({ protocol: /^https?$/, error: 'an http(s) URL' })
      .max(2000)
      // A user name or password in the URL would be stored, logged and answered back in clear:
      // deliveries are authenticated by their signature instead.
      .refine((u) => !URL.canParse(u) || (new URL(u).username === '' && new URL(u).password === ''), {
        message: '回调地址不得含用户名或密码（投递以签名认证） / a callback must not carry a user name or password (deliveries are signed)',
      })
      .describe('Where events are POSTed (no user name or password in it: each delivery is signed)'),
    query: z
      .string()
      .trim()
      .max(500)
      .regex(/^eventType=[A-Za-z]+(,[A-Za-z]+)*$/, 'eventType=<Event>[,<Event>…]')
      .optional()
      .describe('Only these listener events, e.g. eventType=ProductOrderStateChangeEvent,ProductOrderMilestoneEvent'),
  })
  .meta({
    id: 'Hub_FVO',
    example: {
      callback: 'https://crm.example.com/listener/productOrder',
      query: 'eventType=ProductOrderStateChangeEvent,ProductOrderMilestoneEvent',
    },
  });
export type HubCreate = z.infer<typeof HubCreateSchema>;

export const HubSchema = z
  .object({
    '@type': z.literal('Hub'),
    id: z.string(),
    href: z.string(),
    callback: z.string(),
    query: z.string().optional(),
    secret: z
      .string()
      .optional()
      .describe(
        'Only in the answer to the registration: the key of the HMAC-SHA256 signature each delivery carries in X-Hub-Signature (sha256=hex of "<X-Hub-Timestamp>.<body>")',
      ),
  })
  .meta({
    id: 'Hub',
    example: {
      '@type': 'Hub',
      id: '3f1c7f6e-0c1e-4c38-9d4a-6a1f2b3c4d5e',
      href: '/tmf-api/productOrderingManagement/v5/hub/3f1c7f6e-0c1e-4c38-9d4a-6a1f2b3c4d5e',
      callback: 'https://crm.example.com/listener/productOrder',
      query: 'eventType=ProductOrderStateChangeEvent,ProductOrderMilestoneEvent',
      secret: 'whsec_8kZ2o0Qm1vX9bW3nR7tY5uP4',
    },
  });
export type Hub = z.infer<typeof HubSchema>;

export const HubIdParamsSchema = z.object({ id: z.string().trim().uuid('a hub id as answered at registration') });
