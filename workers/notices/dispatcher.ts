import type { Logger } from 'pino';
import { sql } from 'drizzle-orm';
import { renderTemplate } from '../../contracts/notices.ts';
import type { Db } from '../../db/client.ts';
import { SmsGatewayError, type CustomerDirectory, type SmsGateway } from '../adapters/sms-gateway.ts';
import { createNoticeComposer, textArray } from './compose.ts';

export interface NoticeDispatcherOptions {
  pollMs: number;
  /** First retry after this, doubling each time up to maxBackoffMs (±20 % jitter). */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** After this many failed submissions the notice is given up (status failed). */
  maxAttempts: number;
  /** SMS a customer's phone may get in any hour; more wait (held, not dropped). */
  customerPerPhonePerHour: number;
  /** The same for staff duty phones (crews, response centers), which legitimately get more. */
  staffPerPhonePerHour: number;
  /** How long a claimed notice is this dispatcher's before another may take it up (a dispatcher that died). */
  leaseMs: number;
  /** Notices claimed per round. */
  batch: number;
  /** A submission the gateway has not answered by then counts as failed (retried; the client reference covers a late success). */
  submitTimeoutMs: number;
  /** The dispatcher's clock (tests move it to see the rate limit's window pass). */
  now: () => Date;
}

export const DEFAULT_NOTICE_OPTIONS: NoticeDispatcherOptions = {
  pollMs: 500,
  baseBackoffMs: 2_000,
  maxBackoffMs: 10 * 60_000,
  maxAttempts: 10,
  customerPerPhonePerHour: 5,
  staffPerPhonePerHour: 60,
  leaseMs: 30_000,
  batch: 50,
  submitTimeoutMs: 10_000,
  now: () => new Date(),
};

export function noticeBackoffMs(
  attempts: number,
  o: Pick<NoticeDispatcherOptions, 'baseBackoffMs' | 'maxBackoffMs'>,
  random = Math.random,
) {
  const raw = Math.min(o.maxBackoffMs, o.baseBackoffMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

type ClaimedNotice = {
  id: string;
  template: string;
  recipient: string;
  audience: string;
  customer_id: string | null;
  params: Record<string, unknown>;
  body: string | null;
  attempts: number;
  event_epoch: number;
};

/**
 * The SMS notice dispatcher, in the workers process (docs/sms.md): composes notices from the outbox the triggers
 * fill (notice_change), sends the due ones through the gateway adapter and records the delivery reports.
 * Each notice is claimed before it is sent (a lease), so two dispatchers never send one notice twice; the
 * gateway's client reference covers a dispatcher that died between the gateway's answer and its record.
 */
export function createNoticeDispatcher({
  db,
  gateway,
  directory,
  log,
  options = {},
}: {
  db: Db;
  gateway: SmsGateway;
  directory: CustomerDirectory;
  log: Pick<Logger, 'warn' | 'error' | 'info'>;
  options?: Partial<NoticeDispatcherOptions>;
}) {
  const o: NoticeDispatcherOptions = { ...DEFAULT_NOTICE_OPTIONS, ...options };
  const composer = createNoticeComposer({ db, directory });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  const iso = (d: Date) => d.toISOString();

  async function compose(): Promise<number> {
    const changes = await db.execute<{ id: string; kind: string; ref: string; fact: string; recorded_at: string }>(sql`
      select id::text, kind, ref, fact, recorded_at from notice_change order by id limit 500`);
    if (changes.length === 0) return 0;
    let fresh = 0;
    for (const c of changes) fresh += await composer.record(await composer.draftsFor(c));
    // Exactly the changes read: one committed later with a lower id is read next time.
    await db.execute(sql`delete from notice_change where id::text = any(${textArray(changes.map((c) => c.id))})`);
    return fresh;
  }

  /** A notice left `sending` by a dispatcher that died goes back to the queue (resent with the same client reference). */
  async function recover() {
    await db.execute(sql`
      update sms_notice set status = 'queued', sent_at = null, claimed_until = null
      where status = 'sending' and claimed_until < ${iso(o.now())}::timestamptz`);
  }

  async function claim(): Promise<ClaimedNotice[]> {
    const now = o.now();
    const claimed = await db.execute<ClaimedNotice>(sql`
      update sms_notice n set claimed_until = ${iso(new Date(now.getTime() + o.leaseMs))}::timestamptz
      where n.id in (
        select id from sms_notice
        where status = 'queued' and next_attempt_at <= ${iso(now)}::timestamptz
          and (claimed_until is null or claimed_until < ${iso(now)}::timestamptz)
        -- oldest event first: a phone's messages go in the order things happened
        order by event_at, id limit ${o.batch}
        for update skip locked)
      returning n.id::text, n.template, n.recipient, n.audience, n.customer_id, n.params, n.body, n.attempts, extract(epoch from n.event_at)::float8 as event_epoch`);
    // RETURNING keeps no order: oldest event first, so a phone's messages go in the order things happened.
    return [...claimed].sort((a, b) => a.event_epoch - b.event_epoch || Number(a.id) - Number(b.id));
  }

  /**
   * Opt-out, the per-phone limit and the text, decided under the phone's lock so two dispatchers cannot both
   * take the hour's last slot. Returns the text to send, or undefined when the notice is not sent now.
   */
  async function prepare(n: ClaimedNotice): Promise<string | undefined> {
    const now = o.now();
    return db.transaction(async (tx) => {
      if (n.audience === 'customer' && n.customer_id) {
        const [pref] = await tx.execute<{ opted_out: boolean }>(sql`
          select opted_out from customer_sms_preference where customer_id = ${n.customer_id}`);
        if (pref?.opted_out) {
          await tx.execute(sql`
            update sms_notice set status = 'suppressed', status_reason = '客户已退订短信通知 / the customer opted out of SMS notices',
                   claimed_until = null where id = ${n.id}::bigint`);
          return undefined;
        }
      }
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`sms:${n.recipient}`}))`);
      const limit = n.audience === 'customer' ? o.customerPerPhonePerHour : o.staffPerPhonePerHour;
      const windowStart = new Date(now.getTime() - 3_600_000);
      const [used] = await tx.execute<{ n: number; oldest: Date | string | null }>(sql`
        select count(*)::int as n, min(sent_at) as oldest from sms_notice
        where recipient = ${n.recipient} and sent_at > ${iso(windowStart)}::timestamptz and id <> ${n.id}::bigint
          and status in ('sending', 'sent', 'delivered', 'undelivered')`);
      if ((used?.n ?? 0) >= limit) {
        const oldest = used?.oldest ? new Date(used.oldest) : now;
        const at = new Date(Math.max(now.getTime() + 1_000, oldest.getTime() + 3_600_000 + 1_000));
        await tx.execute(sql`
          update sms_notice set next_attempt_at = ${iso(at)}::timestamptz, claimed_until = null,
                 status_reason = ${`频次限制：每小时最多 ${limit} 条，顺延发送 / held by the per-phone limit (${limit} an hour)`}
          where id = ${n.id}::bigint`);
        return undefined;
      }
      let body = n.body;
      if (body === null) {
        const [template] = await tx.execute<{ body: string }>(sql`select body from sms_template where key = ${n.template}`);
        if (!template) throw new Error(`no SMS template ${n.template}`);
        body = renderTemplate(template.body, n.params);
      }
      await tx.execute(sql`
        update sms_notice set status = 'sending', body = ${body}, sent_at = ${iso(now)}::timestamptz, status_reason = null
        where id = ${n.id}::bigint`);
      return body;
    });
  }

  async function send(n: ClaimedNotice) {
    const body = await prepare(n);
    if (body === undefined) return;
    const attempts = n.attempts + 1;
    try {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new SmsGatewayError(`网关无应答 / no answer from the gateway within ${o.submitTimeoutMs} ms`, true)),
          o.submitTimeoutMs,
        );
      });
      const { messageId } = await Promise.race([
        gateway.submit({ clientRef: `sms-notice-${n.id}`, phone: n.recipient, body }),
        timeout,
      ]).finally(() => clearTimeout(timer));
      await db.execute(sql`
        update sms_notice set status = 'sent', gateway_message_id = ${messageId}, attempts = ${attempts}, claimed_until = null, last_error = null
        where id = ${n.id}::bigint`);
    } catch (e) {
      const error = (e as Error).message.slice(0, 500);
      const retryable = !(e instanceof SmsGatewayError) || e.retryable;
      const givingUp = !retryable || attempts >= o.maxAttempts;
      const retryAt = new Date(o.now().getTime() + noticeBackoffMs(attempts, o));
      await db.execute(sql`
        update sms_notice set status = ${givingUp ? 'failed' : 'queued'}, attempts = ${attempts}, last_error = ${error},
               sent_at = null, claimed_until = null, next_attempt_at = ${iso(retryAt)}::timestamptz,
               status_reason = ${givingUp ? `发送失败 / not sent: ${error}` : null}
        where id = ${n.id}::bigint`);
      log[givingUp ? 'error' : 'warn'](
        { noticeId: n.id, attempts, error },
        givingUp ? 'SMS notice given up' : 'SMS notice failed; will retry',
      );
    }
  }

  async function reports() {
    const sent = await db.execute<{ id: string; gateway_message_id: string }>(sql`
      select id::text, gateway_message_id from sms_notice where status = 'sent' and gateway_message_id is not null order by id limit 500`);
    if (sent.length === 0) return;
    const byMessage = new Map(sent.map((s) => [s.gateway_message_id, s.id]));
    for (const r of await gateway.deliveryReports([...byMessage.keys()])) {
      if (r.status === 'pending') continue;
      await db.execute(sql`
        update sms_notice set status = ${r.status === 'delivered' ? 'delivered' : 'undelivered'},
               delivered_at = ${r.status === 'delivered' ? iso(r.at ?? o.now()) : null}::timestamptz,
               status_reason = ${r.status === 'failed' ? `未送达 / not delivered: ${r.error ?? ''}` : null}
        where id = ${byMessage.get(r.messageId)!}::bigint and status = 'sent'`);
    }
  }

  async function round() {
    await compose();
    await recover();
    for (const n of await claim()) await send(n);
    await reports();
  }

  /** One round (tests call it to hurry); rounds of one dispatcher never overlap. */
  function tick(): Promise<void> {
    running ??= round()
      .catch((e: unknown) => {
        if (!stopped) log.warn({ err: e }, 'SMS notice round failed; will retry');
      })
      .finally(() => (running = undefined));
    return running;
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => void tick().finally(schedule), o.pollMs);
    timer.unref();
  }

  return {
    options: o,
    tick,
    /** One round, its error thrown (tests). */
    runOnce: round,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
export type NoticeDispatcher = ReturnType<typeof createNoticeDispatcher>;
