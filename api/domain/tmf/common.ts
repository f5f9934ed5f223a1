import { z } from 'zod';
import { idempotencyHeaders } from '../record-and-start.ts';

/**
 * zod mirrors of the TM Forum common shapes (TMF622 v5.0.0 and TMF621 v5.0.1 share them): the
 * single source of our routes' validation, types and OpenAPI. Only what we read or answer is
 * modelled; tests/tmf-*.test.ts validate every answer against the official schemas.
 */
const when = z.string().datetime();

/** The TMF error resource, with the problem-details fields kept beside it (RFC 9457 clients read those). */
export const TmfErrorSchema = z
  .object({
    '@type': z.literal('Error'),
    code: z.string().describe('Stable machine-readable code, e.g. VALIDATION_FAILED'),
    reason: z.string().describe('What went wrong, for a person'),
    message: z.string().optional().describe('More detail and what to do about it'),
    status: z.string().describe('The HTTP status, as a string (TMF)'),
    referenceError: z.string().optional().describe('URI naming the problem type (the problem document `type`)'),
    type: z.string().optional(),
    title: z.string().optional(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ pointer: z.string(), in: z.string().optional(), message: z.string() })).optional(),
  })
  .meta({
    id: 'TmfError',
    example: {
      '@type': 'Error',
      code: 'VALIDATION_FAILED',
      reason: 'Request is not valid',
      message: 'The body has 1 invalid field(s).',
      status: '400',
      referenceError: 'https://telecom.example/problems/validation-failed',
      errors: [{ pointer: '/productOrderItem', in: 'body', message: 'Invalid input' }],
    },
  });
export type TmfError = z.infer<typeof TmfErrorSchema>;

/** The error answers every TMF route documents. */
export const TMF_ERRORS = { 400: TmfErrorSchema, 401: TmfErrorSchema, 403: TmfErrorSchema, 404: TmfErrorSchema } as const;

export const EntityRefSchema = z.object({
  '@type': z.string(),
  id: z.string(),
  href: z.string().optional(),
  name: z.string().optional(),
  '@referredType': z.string().optional(),
});

export const PartyRefSchema = z.object({
  '@type': z.enum(['PartyRef', 'PartyRoleRef']).default('PartyRef'),
  id: z.string().trim().min(1).max(40),
  name: z.string().trim().min(1).max(100).optional(),
  '@referredType': z.string().optional(),
});

export const RelatedPartySchema = z.object({
  '@type': z.literal('RelatedPartyRefOrPartyRoleRef').default('RelatedPartyRefOrPartyRoleRef'),
  role: z.string().trim().min(1).max(40).describe("'customer' names the customer account (CRM party id)"),
  partyOrPartyRole: PartyRefSchema,
});

/*
 * What we answer is described by view schemas without the length limits of the request schemas:
 * an answer holds what storage holds (text columns), which may be longer than one request field
 * (a joined address, a value accepted through another route, a row written before a limit). A
 * request limit reused in an answer once turned an accepted order into a 500 on every read.
 */
export const RelatedPartyViewSchema = z.object({
  '@type': z.literal('RelatedPartyRefOrPartyRoleRef'),
  role: z.string(),
  partyOrPartyRole: z.object({
    '@type': z.enum(['PartyRef', 'PartyRoleRef']),
    id: z.string(),
    name: z.string().optional(),
    '@referredType': z.string().optional(),
  }),
});

export const CharacteristicSchema = z.object({
  '@type': z.string().default('StringCharacteristic').describe('StringCharacteristic, NumberCharacteristic, BooleanCharacteristic, …'),
  name: z.string().trim().min(1).max(60),
  valueType: z.string().optional(),
  value: z.union([z.string().max(500), z.number(), z.boolean()]),
});
export type Characteristic = z.infer<typeof CharacteristicSchema>;

export const CharacteristicViewSchema = z.object({
  '@type': z.string(),
  name: z.string(),
  valueType: z.string().optional(),
  value: z.union([z.string(), z.number(), z.boolean()]),
});

/** A characteristic as we answer it (typed by its value, as the spec's Characteristic subtypes are). */
export function characteristic(name: string, value: string | number | boolean): Characteristic {
  if (typeof value === 'number') return { '@type': 'NumberCharacteristic', name, valueType: 'number', value };
  if (typeof value === 'boolean') return { '@type': 'BooleanCharacteristic', name, valueType: 'boolean', value };
  return { '@type': 'StringCharacteristic', name, valueType: 'string', value };
}

export const NoteSchema = z.object({
  '@type': z.literal('Note').default('Note'),
  id: z.string().optional(),
  author: z.string().max(100).optional(),
  date: when.optional(),
  text: z.string().trim().min(1).max(1000),
});

export const NoteViewSchema = z.object({
  '@type': z.literal('Note'),
  id: z.string().optional(),
  author: z.string().optional(),
  date: when.optional(),
  text: z.string(),
});

export const ExternalIdentifierSchema = z.object({
  '@type': z.literal('ExternalIdentifier'),
  id: z.string(),
  owner: z.string().optional(),
  externalIdentifierType: z.string().optional(),
});

/**
 * A list filter on states, `a` or `a,b,…`: every name must be one of `states` (an unknown one is
 * refused naming the parameter, not answered with an empty list).
 */
export function statesFilter(states: readonly string[]) {
  return z
    .string()
    .max(500)
    .regex(/^[A-Za-z]+(,[A-Za-z]+)*$/, '一个或多个以逗号分隔的状态 / one state or several separated by commas')
    .refine((v) => v.split(',').every((s) => states.includes(s)), {
      message: `状态须为以下之一 / each state is one of: ${states.join(', ')}`,
    });
}

/** Listing: TMF offset/limit paging (X-Total-Count, X-Result-Count answer how many). */
export const PagingSchema = z.object({
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  fields: z.string().max(500).optional().describe('Accepted for compatibility; every field is answered'),
});

export const ListHeadersSchema = z.object({
  'X-Total-Count': z.number().int(),
  'X-Result-Count': z.number().int(),
});

export const TmfIdParamsSchema = z.object({
  id: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .regex(/^[A-Za-z0-9-]+$/, 'an identifier such as HB20261122000001'),
});

export const IdempotencyHeadersSchema = idempotencyHeaders(
  'Retrying with the same key returns the first answer and never creates a second resource',
);

export const isoOrUndefined = (d: Date | null | undefined) => d?.toISOString();
