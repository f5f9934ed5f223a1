import { z } from 'zod';
import {
  CharacteristicSchema,
  CharacteristicViewSchema,
  EntityRefSchema,
  ExternalIdentifierSchema,
  NoteSchema,
  NoteViewSchema,
  PagingSchema,
  RelatedPartySchema,
  RelatedPartyViewSchema,
  statesFilter,
} from './common.ts';

/** TMF622 v5 ProductOrder as this API answers and accepts it (zod mirrors of the spec's shapes). */
const when = z.string().datetime();

export const PRODUCT_ORDER_STATES = [
  'acknowledged',
  'rejected',
  'pending',
  'held',
  'inProgress',
  'cancelled',
  'completed',
  'failed',
  'partial',
  'assessingCancellation',
  'pendingCancellation',
  'draft',
] as const;
export const ProductOrderStateSchema = z.enum(PRODUCT_ORDER_STATES);
const ItemStateSchema = z.enum(PRODUCT_ORDER_STATES.filter((s) => s !== 'draft') as [string, ...string[]]);

export const GeographicAddressSchema = z.object({
  '@type': z.literal('GeographicAddress'),
  id: z.string().optional(),
  country: z.string().max(60).optional(),
  stateOrProvince: z.string().max(60).optional(),
  city: z.string().max(60).optional(),
  locality: z.string().max(60).optional(),
  streetName: z.string().max(200).optional(),
  streetNr: z.string().max(60).optional(),
});

export const RelatedPlaceSchema = z.object({
  '@type': z.literal('RelatedPlaceRefOrValue').default('RelatedPlaceRefOrValue'),
  role: z.string().trim().min(1).max(40).describe("'installationAddress' (new install) or 'newAddress' (relocation)"),
  place: GeographicAddressSchema,
});

/** A place as we answer it: the address as recorded, whole, in streetName (see common.ts on view schemas). */
const RelatedPlaceViewSchema = z.object({
  '@type': z.literal('RelatedPlaceRefOrValue'),
  role: z.string(),
  place: z.object({
    '@type': z.literal('GeographicAddress'),
    id: z.string().optional(),
    country: z.string().optional(),
    stateOrProvince: z.string().optional(),
    city: z.string().optional(),
    locality: z.string().optional(),
    streetName: z.string().optional(),
    streetNr: z.string().optional(),
  }),
});

const MoneySchema = z.object({ unit: z.string(), value: z.number() });
const OrderPriceSchema = z.object({
  '@type': z.literal('OrderPrice'),
  name: z.string().optional(),
  priceType: z.string().optional(),
  recurringChargePeriod: z.string().optional(),
  price: z.object({ '@type': z.literal('Price'), taxIncludedAmount: MoneySchema }),
});

const ProductSchema = z.object({
  '@type': z.literal('Product'),
  id: z.string().optional(),
  name: z.string().optional(),
  status: z.string().optional(),
  productCharacteristic: z.array(CharacteristicViewSchema).optional(),
  place: z.array(RelatedPlaceViewSchema).optional(),
});

const MilestoneSchema = z.object({
  '@type': z.literal('ProductOrderMilestone'),
  id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  status: z.enum(['Yet-To-Reach', 'Completed', 'Violated']),
  milestoneDate: when.optional(),
  message: z.string().optional(),
});

const JeopardyAlertSchema = z.object({
  '@type': z.literal('ProductOrderJeopardyAlert'),
  id: z.string(),
  name: z.string(),
  alertDate: when,
  jeopardyType: z.string(),
  exception: z.string().optional(),
  message: z.string().optional(),
});

export const ProductOrderItemSchema = z.object({
  '@type': z.literal('ProductOrderItem'),
  id: z.string(),
  action: z.enum(['add', 'modify', 'delete', 'noChange']),
  quantity: z.number().int(),
  state: ItemStateSchema,
  productOffering: EntityRefSchema.optional(),
  product: ProductSchema.optional(),
  itemPrice: z.array(OrderPriceSchema).optional(),
});

export const ProductOrderSchema = z
  .object({
    '@type': z.literal('ProductOrder'),
    id: z.string(),
    href: z.string(),
    state: ProductOrderStateSchema,
    category: z.string().optional(),
    description: z.string().optional(),
    creationDate: when,
    completionDate: when.optional(),
    expectedCompletionDate: when.optional().describe('The SLA due time (activation limit by customer level, …)'),
    requestedCompletionDate: when.optional(),
    cancellationDate: when.optional(),
    cancellationReason: z.string().optional(),
    notificationContact: z.string().optional(),
    relatedParty: z.array(RelatedPartyViewSchema).optional(),
    productOrderItem: z.array(ProductOrderItemSchema).min(1),
    productOrderMilestone: z.array(MilestoneSchema).describe('The BPMN stages that matter to the customer, reached or not'),
    productOrderJeopardyAlert: z.array(JeopardyAlertSchema).describe('SLA escalations the timers fired'),
    orderRelationship: z
      .array(
        z.object({ '@type': z.literal('OrderRelationship'), id: z.string(), href: z.string().optional(), relationshipType: z.string() }),
      )
      .optional(),
    externalId: z.array(ExternalIdentifierSchema).optional(),
    note: z.array(NoteViewSchema).optional(),
  })
  .meta({
    id: 'ProductOrder',
    example: {
      '@type': 'ProductOrder',
      id: 'HB20261122000001',
      href: '/tmf-api/productOrderingManagement/v5/productOrder/HB20261122000001',
      state: 'inProgress',
      category: 'residential',
      creationDate: '2026-11-22T02:00:00.000Z',
      expectedCompletionDate: '2026-11-24T02:00:00.000Z',
      notificationContact: '13800138000',
      relatedParty: [
        {
          '@type': 'RelatedPartyRefOrPartyRoleRef',
          role: 'customer',
          partyOrPartyRole: { '@type': 'PartyRef', id: 'CU-0001', name: '张伟', '@referredType': 'Individual' },
        },
      ],
      productOrderItem: [
        {
          '@type': 'ProductOrderItem',
          id: '1',
          action: 'add',
          quantity: 1,
          state: 'inProgress',
          productOffering: { '@type': 'ProductOfferingRef', id: 'HB-500M', name: '500M 家庭宽带' },
          product: {
            '@type': 'Product',
            id: 'HB20261122000001',
            name: '500M 家庭宽带',
            productCharacteristic: [{ '@type': 'StringCharacteristic', name: 'grid', valueType: 'string', value: 'URC-TS-01' }],
            place: [
              {
                '@type': 'RelatedPlaceRefOrValue',
                role: 'installationAddress',
                place: { '@type': 'GeographicAddress', streetName: '乌鲁木齐市天山区解放南路 88 号 3 单元 502' },
              },
            ],
          },
        },
      ],
      productOrderMilestone: [
        {
          '@type': 'ProductOrderMilestone',
          id: 'order-approved',
          name: 'Order approved',
          description: '订单审核通过',
          status: 'Completed',
        },
      ],
      productOrderJeopardyAlert: [],
    },
  });
export type ProductOrder = z.infer<typeof ProductOrderSchema>;

/** ProductOrder_FVO: what a client sends to create one (one item: add, modify or delete). */
export const ProductOrderCreateSchema = z
  .object({
    '@type': z.literal('ProductOrder').default('ProductOrder'),
    category: z.string().max(40).optional(),
    description: z.string().max(500).optional(),
    notificationContact: z
      .string()
      .trim()
      .regex(/^\+?[0-9][0-9 -]{6,19}$/, 'a phone number of 7–20 digits')
      .optional()
      .describe("The customer's phone: the crew calls it to book the visit"),
    requestedCompletionDate: when.optional().describe('delete: the date a scheduled cancellation takes effect'),
    requestedStartDate: when.optional(),
    relatedParty: z.array(RelatedPartySchema).max(5).optional(),
    note: z.array(NoteSchema).max(10).optional(),
    productOrderItem: z
      .array(
        z.object({
          '@type': z.literal('ProductOrderItem').default('ProductOrderItem'),
          id: z.string().trim().min(1).max(20),
          action: z.enum(['add', 'modify', 'delete']),
          quantity: z.number().int().min(1).max(1).optional(),
          productOffering: z
            .object({ '@type': z.string().optional(), id: z.string().trim().min(1).max(40), name: z.string().optional() })
            .optional(),
          product: z
            .object({
              '@type': z.enum(['Product', 'ProductRef']).default('Product'),
              id: z
                .string()
                .trim()
                .min(1)
                .max(40)
                .optional()
                .describe('modify/delete: the product in service (its new-install order number)'),
              productCharacteristic: z.array(CharacteristicSchema).max(20).optional(),
              place: z.array(RelatedPlaceSchema).max(2).optional(),
            })
            .optional(),
        }),
      )
      .min(1)
      .max(1, 'one order item per product order'),
  })
  .meta({
    id: 'ProductOrder_FVO',
    example: {
      '@type': 'ProductOrder',
      category: 'residential',
      notificationContact: '13800138000',
      relatedParty: [
        {
          '@type': 'RelatedPartyRefOrPartyRoleRef',
          role: 'customer',
          partyOrPartyRole: { '@type': 'PartyRef', id: 'CU-0001', name: '张伟' },
        },
      ],
      productOrderItem: [
        {
          '@type': 'ProductOrderItem',
          id: '1',
          action: 'add',
          productOffering: { '@type': 'ProductOfferingRef', id: 'HB-500M' },
          product: {
            '@type': 'Product',
            productCharacteristic: [{ '@type': 'StringCharacteristic', name: 'grid', value: 'URC-TS-01' }],
            place: [
              {
                '@type': 'RelatedPlaceRefOrValue',
                role: 'installationAddress',
                place: {
                  '@type': 'GeographicAddress',
                  city: '乌鲁木齐市',
                  locality: '天山区',
                  streetName: '解放南路',
                  streetNr: '88 号 3 单元 502',
                },
              },
            ],
          },
        },
      ],
    },
  });
export type ProductOrderCreate = z.infer<typeof ProductOrderCreateSchema>;

export const ProductOrderListQuerySchema = PagingSchema.extend({
  state: statesFilter(PRODUCT_ORDER_STATES)
    .optional()
    .describe(`Only orders in these states, e.g. inProgress,held (${PRODUCT_ORDER_STATES.join(', ')})`),
});

const TaskStateSchema = z.enum(['acknowledged', 'rejected', 'inProgress', 'cancelled', 'done', 'terminatedWithError']);

export const CancelProductOrderSchema = z
  .object({
    '@type': z.literal('CancelProductOrder'),
    id: z.string(),
    href: z.string(),
    state: TaskStateSchema,
    productOrder: z.object({ '@type': z.literal('ProductOrderRef'), id: z.string(), href: z.string() }),
    creationDate: when,
    cancellationReason: z.string().optional(),
    requestedCancellationDate: when.optional(),
    effectiveCancellationDate: when.optional(),
  })
  .meta({
    id: 'CancelProductOrder',
    example: {
      '@type': 'CancelProductOrder',
      id: 'CX20261122000001',
      href: '/tmf-api/productOrderingManagement/v5/cancelProductOrder/CX20261122000001',
      state: 'done',
      productOrder: {
        '@type': 'ProductOrderRef',
        id: 'HB20261122000001',
        href: '/tmf-api/productOrderingManagement/v5/productOrder/HB20261122000001',
      },
      creationDate: '2026-11-22T03:00:00.000Z',
      cancellationReason: '搬家，不再需要',
      effectiveCancellationDate: '2026-11-22T03:00:02.000Z',
    },
  });
export type CancelProductOrder = z.infer<typeof CancelProductOrderSchema>;

export const CancelProductOrderCreateSchema = z
  .object({
    '@type': z.literal('CancelProductOrder').default('CancelProductOrder'),
    productOrder: z.object({
      '@type': z.string().optional(),
      id: z
        .string()
        .trim()
        .min(1)
        .max(40)
        .regex(/^[A-Za-z0-9-]+$/),
      href: z.string().optional(),
    }),
    cancellationReason: z.string().trim().min(1).max(500).optional(),
    requestedCancellationDate: when.optional(),
  })
  .meta({
    id: 'CancelProductOrder_FVO',
    example: {
      '@type': 'CancelProductOrder',
      productOrder: { '@type': 'ProductOrderRef', id: 'HB20261122000001' },
      cancellationReason: '搬家，不再需要',
    },
  });
export type CancelProductOrderCreate = z.infer<typeof CancelProductOrderCreateSchema>;
