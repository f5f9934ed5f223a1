import { ApiError } from '../../errors.ts';
import type { Principal, Role } from './schemas.ts';

/** Who may call what: named role sets the routes declare in `config.access`. */
export const ACCESS = {
  everyone: ['customer', 'clerk', 'process-owner', 'leader', 'admin'],
  staff: ['clerk', 'process-owner', 'leader', 'admin'],
  /** Customers for themselves; the order center and admins on a customer's behalf. */
  orderTakers: ['customer', 'clerk', 'admin'],
  clerks: ['clerk', 'admin'],
  processOwners: ['process-owner', 'admin'],
  leaders: ['leader', 'process-owner', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

/**
 * A customer sees only what carries their own customer id; anyone else on a route that let them
 * in sees everything. A customer asking for another's resource is told it does not exist (404),
 * so ids cannot be probed.
 */
export function canSee(caller: Principal, customerId: string | null): boolean {
  return caller.role !== 'customer' || (caller.customerId !== null && caller.customerId === customerId);
}

/**
 * The customer id a new order, ticket or complaint carries: a customer's own; staff name the
 * customer in the body (`pointer` says where: /customerId, or /relatedParty in TMF bodies).
 */
export function owningCustomer(
  caller: Principal,
  requested: string | undefined,
  { pointer = '/customerId' }: { pointer?: string } = {},
): string | null {
  if (caller.role !== 'customer') return requested ?? null;
  if (requested !== undefined && requested !== caller.customerId) {
    throw new ApiError(
      403,
      'FORBIDDEN',
      'Not allowed for your role',
      '客户只能以自己的客户账户提交（订单、故障单或投诉）。 A customer can only submit for their own customer account (an order, a fault or a complaint).',
      [{ pointer, in: 'body', message: '须为您自己的客户编号，或不填 / must be your own customer id or left out' }],
    );
  }
  if (!caller.customerId) throw new ApiError(403, 'FORBIDDEN', 'Not allowed for your role', 'Your user has no customer account.');
  return caller.customerId;
}

/** Idempotency keys are per caller: two users' keys never collide. */
export function scopedIdempotencyKey(caller: Principal, key: string | undefined): string | undefined {
  return key === undefined ? undefined : `${caller.sub}:${key}`;
}
