import { z } from 'zod';

export const ROLES = ['customer', 'clerk', 'process-owner', 'leader', 'admin'] as const;
export const RoleSchema = z.enum(ROLES).describe('customer | clerk | process-owner | leader | admin');
export type Role = z.infer<typeof RoleSchema>;

/** Who is calling: the claims of the JWT the API issued at login. */
export const PrincipalSchema = z
  .object({
    sub: z.string().describe('User id'),
    username: z.string(),
    name: z.string(),
    role: RoleSchema,
    customerId: z.string().nullable().describe('Customers: the CRM party id their orders and tickets carry'),
    groups: z.array(z.string()).describe('Clerks: the candidate groups whose tasks they work'),
    branch: z.string().nullable().describe('Clerks and leaders: their branch; null means every branch'),
  })
  .meta({ id: 'Principal' });
export type Principal = z.infer<typeof PrincipalSchema>;

export const LoginBodySchema = z
  .object({
    // no control characters: a NUL reached PostgreSQL, which cannot store it (a 500 found by tests/hostile-routes)
    username: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(/^\P{Cc}+$/u, 'no control characters'),
    password: z.string().min(1).max(256),
  })
  .strict()
  .meta({ id: 'Login', example: { username: 'clerk.urumqi', password: 'demo-clerk-2026' } });

export const TokenSchema = z
  .object({
    accessToken: z.string().describe('Send as `Authorization: Bearer <token>`'),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().describe('Seconds until the token expires'),
    user: PrincipalSchema,
  })
  .meta({ id: 'Token' });
