import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { appUsers } from '../../../db/schema.ts';
import { hashPassword } from './passwords.ts';
import type { Principal, Role } from './schemas.ts';

export type UserRow = typeof appUsers.$inferSelect;

export function toPrincipal(user: UserRow): Principal {
  return {
    sub: String(user.id),
    username: user.username,
    name: user.displayName,
    role: user.role as Role,
    customerId: user.customerId,
    groups: user.groups,
    branch: user.branch,
  };
}

export function createUserRepository(db: Db) {
  return {
    async findActive(username: string): Promise<UserRow | undefined> {
      const [row] = await db
        .select()
        .from(appUsers)
        .where(and(eq(appUsers.username, username), eq(appUsers.active, true)));
      return row;
    },
  };
}
export type UserRepository = ReturnType<typeof createUserRepository>;

export interface DemoUser {
  username: string;
  password: string;
  displayName: string;
  role: Role;
  customerId?: string;
  groups?: string[];
  branch?: string;
}

/**
 * One user per role (and a second customer, so that "another customer's order" can be tried).
 * README lists them. Passwords are only for demos and tests: a real deployment creates its own users.
 */
export const DEMO_USERS: DemoUser[] = [
  { username: 'customer.zhang', password: 'demo-customer-2026', displayName: '张伟', role: 'customer', customerId: 'CU-0001' },
  { username: 'customer.li', password: 'demo-customer-2026', displayName: '李娜', role: 'customer', customerId: 'CU-0002' },
  {
    username: 'clerk.urumqi',
    password: 'demo-clerk-2026',
    displayName: '王芳 (乌鲁木齐订单中心)',
    role: 'clerk',
    groups: ['order-center', 'install-crew-urc-tianshan', 'install-crew-urc-shayibake', 'install-crew-urc-midong'],
    branch: 'urumqi',
  },
  {
    username: 'clerk.xian',
    password: 'demo-clerk-2026',
    displayName: '孙磊 (西安订单中心)',
    role: 'clerk',
    groups: ['order-center', 'install-crew-xa-yanta'],
    branch: 'xian',
  },
  {
    username: 'clerk.response',
    password: 'demo-clerk-2026',
    displayName: '赵强 (客响中心)',
    role: 'clerk',
    groups: ['customer-response-center', 'monitoring-center', 'customer-manager'],
  },
  { username: 'owner.process', password: 'demo-owner-2026', displayName: '陈静 (流程管理)', role: 'process-owner' },
  { username: 'leader.region', password: 'demo-leader-2026', displayName: '刘洋 (区公司领导)', role: 'leader' },
  { username: 'admin', password: 'demo-admin-2026', displayName: '系统管理员', role: 'admin' },
];

/** Inserts the demo users that do not exist yet (an existing user keeps its password). */
export async function seedDemoUsers(db: Db): Promise<void> {
  for (const user of DEMO_USERS) {
    await db
      .insert(appUsers)
      .values({
        username: user.username,
        passwordHash: await hashPassword(user.password),
        displayName: user.displayName,
        role: user.role,
        customerId: user.customerId ?? null,
        groups: user.groups ?? [],
        branch: user.branch ?? null,
      })
      .onConflictDoNothing();
  }
}
