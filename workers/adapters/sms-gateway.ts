import { randomUUID } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { simCrmContacts, simSmsMessages } from '../../db/schema.ts';

/** Why the gateway refused a message: `retryable` says whether sending it again later may work. */
export class SmsGatewayError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.retryable = retryable;
  }
}

export interface DeliveryReport {
  messageId: string;
  status: 'pending' | 'delivered' | 'failed';
  error: string | null;
  at: Date | null;
}

/**
 * The operator's SMS gateway (短信网关, CMPP / HTTP). `clientRef` is our reference of the notice: the gateway
 * answers a second submission with the same reference with the first message (no second SMS), which is what
 * makes a resend after a crash between "accepted" and "recorded" harmless.
 */
export interface SmsGateway {
  submit(message: { clientRef: string; phone: string; body: string }): Promise<{ messageId: string }>;
  /** Delivery reports (状态报告) of messages submitted earlier. */
  deliveryReports(messageIds: string[]): Promise<DeliveryReport[]>;
}

/**
 * Simulator backed by sim_sms_message; sim_sms_fault injects failures per phone or for every phone ('*'):
 * `reject` (busy, retryable), `invalid` (refused for good), `undeliverable` (accepted, reported failed).
 * A message not failed is delivered at once.
 */
export class PostgresSmsGatewaySimulator implements SmsGateway {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async submit({ clientRef, phone, body }: { clientRef: string; phone: string; body: string }) {
    const resubmitted = () =>
      this.db
        .update(simSmsMessages)
        .set({ submissions: sql`${simSmsMessages.submissions} + 1` })
        .where(eq(simSmsMessages.clientRef, clientRef))
        .returning({ id: simSmsMessages.id });
    const [same] = await resubmitted();
    if (same) return { messageId: same.id };
    // Take one use of a matching fault (the phone's own before the outage's), atomically.
    const [fault] = await this.db.execute<{ mode: string; error: string }>(sql`
      update sim_sms_fault f set remaining = case when f.remaining is null then null else f.remaining - 1 end
      where f.phone = (select phone from sim_sms_fault where phone in (${phone}, '*') and (remaining is null or remaining > 0)
                       order by phone = '*' limit 1)
      returning f.mode, f.error`);
    if (fault?.mode === 'reject') throw new SmsGatewayError(fault.error, true);
    if (fault?.mode === 'invalid') throw new SmsGatewayError(fault.error, false);
    if (!/^1\d{10}$/.test(phone.replace(/^\+?86/, ''))) throw new SmsGatewayError(`号码无效 / invalid mobile number ${phone}`, false);
    const failed = fault?.mode === 'undeliverable';
    const [row] = await this.db
      .insert(simSmsMessages)
      .values({
        id: `SM${randomUUID().replaceAll('-', '').slice(0, 20)}`,
        clientRef,
        phone,
        body,
        status: failed ? 'failed' : 'delivered',
        error: failed ? fault.error : null,
        reportedAt: new Date(),
      })
      .onConflictDoNothing({ target: simSmsMessages.clientRef })
      .returning({ id: simSmsMessages.id });
    if (row) return { messageId: row.id };
    const [first] = await resubmitted();
    return { messageId: first!.id };
  }

  async deliveryReports(messageIds: string[]): Promise<DeliveryReport[]> {
    if (messageIds.length === 0) return [];
    const rows = await this.db.select().from(simSmsMessages).where(inArray(simSmsMessages.id, messageIds));
    return rows.map((r) => ({
      messageId: r.id,
      status: r.status === 'delivered' ? 'delivered' : r.status === 'failed' ? 'failed' : 'pending',
      error: r.error,
      at: r.reportedAt,
    }));
  }
}

/** The CRM's contact directory: the registered mobile of an account (tickets name the account, not a phone). */
export interface CustomerDirectory {
  contactOf(account: string): Promise<{ name: string; phone: string } | undefined>;
}

export class PostgresCustomerDirectory implements CustomerDirectory {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }
  async contactOf(account: string) {
    const [row] = await this.db.select().from(simCrmContacts).where(eq(simCrmContacts.account, account));
    return row ? { name: row.customerName, phone: row.phone } : undefined;
  }
}

/** Demo data: the CRM contacts of the simulated lines' accounts and the duty phones of crews and response centers; idempotent. */
export async function seedNoticeContacts(db: Db) {
  await db.execute(sql`
    insert into sim_crm_contact (account, customer_name, phone) values
      ('0991-HB-100001', '赵磊', '13899100001'), ('0991-HB-100002', '钱芳', '13899100002'),
      ('0991-HB-100003', '孙强', '13899100003'), ('0991-HB-100004', '王芳', '13899100004'),
      ('0991-HB-100005', '周敏', '13899100005'), ('0991-HB-100006', '吴静', '13899100006'),
      ('0991-HB-100007', '郑浩', '13899100007'), ('0991-DL-200001', '新疆某物流公司', '13899200001')
    on conflict do nothing`);
  await db.execute(sql`
    insert into notice_contact (group_id, branch, level, name, phone, on_dispatch, on_escalation) values
      ('install-crew-urc-tianshan', null, null, '天山区装维班值班', '13999110001', true, false),
      ('install-crew-urc-shayibake', null, null, '沙依巴克区装维班值班', '13999110002', true, false),
      ('install-crew-urc-midong', null, null, '米东区装维班值班', '13999110003', true, false),
      ('install-crew-xa-yanta', null, null, '雁塔区装维班值班', '13999290001', true, false),
      ('customer-response-center', null, 'county', '县分公司客响中心值班', '13999100101', false, true),
      ('customer-response-center', 'urumqi', 'branch', '乌鲁木齐分公司客响中心值班', '13999100102', false, true),
      ('customer-response-center', 'xian', 'branch', '西安分公司客响中心值班', '13999290102', false, true),
      ('customer-response-center', null, 'region', '区公司客响中心值班', '13999100103', false, true)
    on conflict do nothing`);
}
