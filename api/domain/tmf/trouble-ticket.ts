import { serviceName } from '../../../contracts/names.ts';
import { complaintCategoryName } from '../kpis/names.ts';
import type { Language } from '../i18n/language.ts';
import { reasonIn } from '../i18n/reasons.ts';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { ComplaintCategorySchema } from '../../../contracts/complaint.ts';
import { FaultSourceSchema, ServiceSchema } from '../../../contracts/fault.ts';
import { CustomerLevelSchema } from '../../../contracts/home-broadband.ts';
import {
  CUSTOMER_WAIT_REASONS,
  SLA_PAUSE_STATE_LABELS,
  type CustomerWaitReason,
  type SlaPauseState,
} from '../../../contracts/sla-pause.ts';
import type { Db } from '../../../db/client.ts';
import type { OperatonClient } from '../../../engine/operaton.ts';
import { ApiError } from '../../errors.ts';
import { canSee, owningCustomer, scopedIdempotencyKey } from '../auth/access.ts';
import type { Principal } from '../auth/schemas.ts';
import { reportComplaint } from '../complaints/use-cases.ts';
import { reportFault } from '../faults/use-cases.ts';
import { customerWaits, sla, stateHistory, type State } from '../status/progress.ts';
import type { ProgressRepository, SubjectProgress } from '../status/repository.ts';
import {
  characteristic,
  CharacteristicSchema,
  CharacteristicViewSchema,
  EntityRefSchema,
  NoteSchema,
  NoteViewSchema,
  PagingSchema,
  RelatedPartySchema,
  RelatedPartyViewSchema,
  statesFilter,
} from './common.ts';
import { answerable, type ListLog } from '../answerable.ts';
import { discardCreated } from '../record-and-start.ts';
import { once, requestFingerprint } from './idempotency.ts';

export const TROUBLE_TICKET_BASE = '/tmf-api/troubleTicket/v5';
const ticketHref = (id: string) => `${TROUBLE_TICKET_BASE}/troubleTicket/${id}`;
const when = z.string().datetime();

export const TICKET_STATUSES = ['acknowledged', 'rejected', 'pending', 'held', 'inProgress', 'cancelled', 'closed', 'resolved'] as const;
const StatusSchema = z.enum(TICKET_STATUSES);

const StatusChangeSchema = z.object({
  '@type': z.literal('StatusChange'),
  status: StatusSchema,
  statusChangeDate: when,
  statusChangeReason: z.string(),
});

export const TroubleTicketSchema = z
  .object({
    '@type': z.literal('TroubleTicket'),
    id: z.string(),
    href: z.string(),
    name: z.string(),
    description: z.string(),
    severity: z.string(),
    priority: z.string(),
    ticketType: z.enum(['fault', 'complaint']),
    status: StatusSchema,
    statusChangeDate: when,
    statusChangeReason: z.string(),
    statusChangeHistory: z.array(StatusChangeSchema),
    creationDate: when,
    lastUpdate: when,
    expectedResolutionDate: when
      .optional()
      .describe('Faults: the repair deadline for the customer level and service; complaints: the guide’s resolution time'),
    resolutionDate: when.optional(),
    channel: z.object({ '@type': z.literal('ChannelRef'), id: z.string(), name: z.string() }),
    relatedEntity: z.array(z.object({ '@type': z.literal('RelatedEntity'), role: z.string(), entity: EntityRefSchema })),
    relatedParty: z.array(RelatedPartyViewSchema).optional(),
    troubleTicketCharacteristic: z.array(CharacteristicViewSchema),
    note: z.array(NoteViewSchema).optional(),
  })
  .meta({
    id: 'TroubleTicket',
    example: {
      '@type': 'TroubleTicket',
      id: 'FT20261122000001',
      href: '/tmf-api/troubleTicket/v5/troubleTicket/FT20261122000001',
      name: 'Broadband down',
      description: '家里宽带从早上开始无法上网',
      severity: 'Major',
      priority: 'Medium',
      ticketType: 'fault',
      status: 'inProgress',
      statusChangeDate: '2026-11-22T02:00:01.000Z',
      statusChangeReason: 'Work started',
      statusChangeHistory: [
        { '@type': 'StatusChange', status: 'acknowledged', statusChangeDate: '2026-11-22T02:00:00.000Z', statusChangeReason: 'Received' },
        { '@type': 'StatusChange', status: 'inProgress', statusChangeDate: '2026-11-22T02:00:01.000Z', statusChangeReason: 'Work started' },
      ],
      creationDate: '2026-11-22T02:00:00.000Z',
      lastUpdate: '2026-11-22T02:00:01.000Z',
      expectedResolutionDate: '2026-11-24T02:00:00.000Z',
      channel: { '@type': 'ChannelRef', id: 'hotline', name: 'hotline' },
      relatedEntity: [
        {
          '@type': 'RelatedEntity',
          role: 'affectedProduct',
          entity: { '@type': 'EntityRef', id: '0991-HB-100002', '@referredType': 'Product' },
        },
      ],
      troubleTicketCharacteristic: [{ '@type': 'StringCharacteristic', name: 'service', valueType: 'string', value: 'broadband' }],
    },
  });
export type TroubleTicket = z.infer<typeof TroubleTicketSchema>;

export const TroubleTicketCreateSchema = z
  .object({
    '@type': z.literal('TroubleTicket').default('TroubleTicket'),
    name: z.string().trim().max(100).optional(),
    description: z.string().trim().min(1).max(2000),
    severity: z.string().trim().min(1).max(20).describe('Critical, Major or Minor'),
    ticketType: z
      .enum(['fault', 'incident', 'complaint', 'complain'])
      .describe('fault (incident) starts the fault process; complaint (complain) the complaint process'),
    priority: z.string().max(20).optional(),
    requestedResolutionDate: when.optional(),
    channel: z.object({ '@type': z.string().optional(), id: z.string().optional(), name: FaultSourceSchema }).optional(),
    relatedEntity: z
      .array(
        z.object({
          '@type': z.string().optional(),
          role: z.string().trim().min(1).max(40),
          entity: EntityRefSchema.extend({ id: z.string().trim().min(1).max(60) }),
        }),
      )
      .min(1)
      .max(5)
      .describe('The affected product: role affectedProduct, entity.id = the broadband account'),
    relatedParty: z.array(RelatedPartySchema).max(5).optional(),
    troubleTicketCharacteristic: z.array(CharacteristicSchema).max(20).optional(),
    note: z.array(NoteSchema).max(10).optional(),
  })
  .meta({
    id: 'TroubleTicket_FVO',
    example: {
      '@type': 'TroubleTicket',
      description: '家里宽带从早上开始无法上网',
      severity: 'Major',
      ticketType: 'fault',
      relatedEntity: [
        {
          '@type': 'RelatedEntity',
          role: 'affectedProduct',
          entity: { '@type': 'EntityRef', id: '0991-HB-100002', '@referredType': 'Product' },
        },
      ],
      troubleTicketCharacteristic: [{ '@type': 'StringCharacteristic', name: 'service', value: 'broadband' }],
    },
  });
export type TroubleTicketCreate = z.infer<typeof TroubleTicketCreateSchema>;

export const TroubleTicketListQuerySchema = PagingSchema.extend({
  status: statesFilter(TICKET_STATUSES)
    .optional()
    .describe(`Only tickets in these statuses, e.g. acknowledged,inProgress (${TICKET_STATUSES.join(', ')})`),
  ticketType: z.enum(['fault', 'complaint']).optional(),
});

export const tmf621Errors = {
  notFound: (id: string) =>
    new ApiError(
      404,
      'TROUBLE_TICKET_NOT_FOUND',
      '工单不存在 / Trouble ticket not found',
      `没有工单 ${id}。 There is no trouble ticket ${id}.`,
    ),
  invalid: (detail: string, pointer: string) =>
    new ApiError(400, 'INVALID_TROUBLE_TICKET', 'Trouble ticket is not valid', detail, [{ pointer, in: 'body', message: detail }]),
};

const PRIORITY: Record<string, string> = {
  group: 'Critical',
  province: 'High',
  'local-a': 'Medium',
  'local-b': 'Medium',
  'local-c': 'Low',
};
/** The ticket's priority in Chinese (TMF621's priority is free text). */
const PRIORITY_ZH: Record<string, string> = { group: '紧急', province: '高', 'local-a': '中', 'local-b': '中', 'local-c': '低' };
const TICKET_STATE: Partial<Record<State, TroubleTicket['status']>> = {
  completed: 'closed',
  failed: 'closed',
  pendingCancellation: 'inProgress',
};

/** The TroubleTicket for a fault (FT…) or complaint (CP…). */
export function toTroubleTicket(
  p: SubjectProgress,
  statusOverride?: { state: State; at: Date; reason: string },
  lang: Language = 'zh',
): TroubleTicket {
  const { subject } = p;
  const history = stateHistory(p).map((h) => ({ ...h, status: TICKET_STATE[h.state] ?? (h.state as TroubleTicket['status']) }));
  const current = statusOverride
    ? { ...statusOverride, status: TICKET_STATE[statusOverride.state] ?? (statusOverride.state as TroubleTicket['status']) }
    : history.at(-1)!;
  const shown = statusOverride ? history.filter((h) => h.at.getTime() <= statusOverride.at.getTime()) : history;
  const limit = sla(p);
  const resolved = history.find((h) => h.status === 'resolved' || h.status === 'closed');
  const lastUpdate = [
    subject.createdAt,
    ...p.stages.flatMap((s) => [s.startedAt, s.endedAt ?? s.startedAt]),
    subject.closedAt ?? subject.createdAt,
  ].reduce((a, b) => (b.getTime() > a.getTime() ? b : a));
  const common = {
    '@type': 'TroubleTicket' as const,
    id: subject.id,
    href: ticketHref(subject.id),
    status: current.status,
    statusChangeDate: current.at.toISOString(),
    statusChangeReason: reasonIn(lang, current.reason),
    statusChangeHistory: shown.map((h) => ({
      '@type': 'StatusChange' as const,
      status: h.status,
      statusChangeDate: h.at.toISOString(),
      statusChangeReason: reasonIn(lang, h.reason),
    })),
    creationDate: subject.createdAt.toISOString(),
    lastUpdate: lastUpdate.toISOString(),
    priority: (lang === 'zh' ? PRIORITY_ZH : PRIORITY)[subject.customerLevel] ?? (lang === 'zh' ? '中' : 'Medium'),
    ...(limit ? { expectedResolutionDate: limit.dueAt.toISOString() } : {}),
    ...(resolved ? { resolutionDate: resolved.at.toISOString() } : {}),
    ...(subject.customerId
      ? {
          relatedParty: [
            {
              '@type': 'RelatedPartyRefOrPartyRoleRef' as const,
              role: 'customer',
              partyOrPartyRole: { '@type': 'PartyRef' as const, id: subject.customerId, name: subject.customerName },
            },
          ],
        }
      : {}),
  };
  if (subject.row.kind === 'ticket') {
    const t = subject.row.value;
    return {
      ...common,
      name: lang === 'zh' ? `故障报修：${serviceName(t.service).zh}` : `Fault: ${serviceName(t.service).en}`,
      description: t.description,
      severity: t.customerLevel === 'group' || t.customerLevel === 'province' ? 'Critical' : 'Major',
      ticketType: 'fault',
      channel: { '@type': 'ChannelRef', id: t.source, name: t.source },
      relatedEntity: [
        { '@type': 'RelatedEntity', role: 'affectedProduct', entity: { '@type': 'EntityRef', id: t.account, '@referredType': 'Product' } },
      ],
      troubleTicketCharacteristic: [
        characteristic('service', t.service),
        characteristic('customerLevel', t.customerLevel),
        ...(t.resolutionPath ? [characteristic('resolutionPath', t.resolutionPath)] : []),
        characteristic('repeatedFault', t.repeated),
        ...(p.subject.processInstanceKey ? [characteristic('processInstanceKey', p.subject.processInstanceKey)] : []),
      ],
      ...(waitNotes(p, lang).length > 0 ? { note: waitNotes(p, lang) } : {}),
    };
  }
  if (subject.row.kind !== 'complaint') throw new Error(`${subject.id} is not a ticket`);
  const c = subject.row.value;
  return {
    ...common,
    name: lang === 'zh' ? `投诉：${complaintCategoryName(c.category).zh}` : `Complaint: ${complaintCategoryName(c.category).en}`,
    description: c.description,
    severity: 'Minor',
    ticketType: 'complaint',
    channel: { '@type': 'ChannelRef', id: 'hotline', name: 'hotline' },
    relatedEntity: [
      { '@type': 'RelatedEntity', role: 'affectedProduct', entity: { '@type': 'EntityRef', id: c.account, '@referredType': 'Product' } },
    ],
    troubleTicketCharacteristic: [
      characteristic('complaintCategory', c.category),
      characteristic('customerLevel', c.customerLevel),
      ...(c.customerSatisfied === null ? [] : [characteristic('customerSatisfied', c.customerSatisfied)]),
      ...(p.subject.processInstanceKey ? [characteristic('processInstanceKey', p.subject.processInstanceKey)] : []),
    ],
  };
}

/** Each customer-caused wait (SLA pause) as a note the customer reads, in the reader's language (docs/sla-pauses.md). */
function waitNotes(p: SubjectProgress, lang: Language): NonNullable<TroubleTicket['note']> {
  return customerWaits(p).map((w) => {
    const reason = CUSTOMER_WAIT_REASONS[w.reason as CustomerWaitReason];
    const state = SLA_PAUSE_STATE_LABELS[w.state as SlaPauseState];
    const hours = w.pausedWorkingMs === null ? null : Math.round((w.pausedWorkingMs / 3_600_000) * 10) / 10;
    const moved = w.state === 'counted' && w.dueAfter ? w.dueAfter.toISOString() : null;
    const zh = [
      `客户原因暂停：${reason.zh}`,
      state.zh,
      hours === null ? null : `暂停 ${hours} 个工作小时`,
      moved && `修复时限顺延至 ${moved}`,
    ];
    const en = [
      `SLA paused for the customer: ${reason.en}`,
      state.en,
      hours === null ? null : `${hours} working hours paused`,
      moved && `repair due ${moved}`,
    ];
    return {
      '@type': 'Note' as const,
      id: `customer-wait-${w.id}`,
      author: 'system',
      date: w.startedAt.toISOString(),
      text: reasonIn(lang, `${zh.filter(Boolean).join('；')} / ${en.filter(Boolean).join('; ')}`),
    };
  });
}

async function loadTicket(caller: Principal, id: string, progress: ProgressRepository) {
  const subject = await progress.findSubject(id.toUpperCase());
  if (!subject || (subject.kind !== 'ticket' && subject.kind !== 'complaint') || !canSee(caller, subject.customerId))
    throw tmf621Errors.notFound(id);
  return progress.progress(subject);
}

export async function getTroubleTicket({
  caller,
  id,
  progress,
  lang = 'zh',
}: {
  caller: Principal;
  id: string;
  progress: ProgressRepository;
  lang?: Language;
}) {
  return toTroubleTicket(await loadTicket(caller, id, progress), undefined, lang);
}

/**
 * A reported fault starts the fault process (pre-diagnosis, repair within the deadline for the
 * customer level and service); a complaint starts the complaint process (the guide per category).
 */
export async function createTroubleTicket({
  caller,
  body,
  idempotencyKey,
  db,
  progress,
  engine,
  engineTimeoutMs,
  log,
}: {
  caller: Principal;
  body: TroubleTicketCreate;
  idempotencyKey: string | undefined;
  db: Db;
  progress: ProgressRepository;
  engine: OperatonClient;
  engineTimeoutMs?: number;
  log?: ListLog;
}): Promise<{ troubleTicket: TroubleTicket; created: boolean }> {
  const party = body.relatedParty?.find((p) => p.role === 'customer')?.partyOrPartyRole;
  const customerId = owningCustomer(caller, party?.id, { pointer: '/relatedParty' });
  const name = party?.name ?? (caller.role === 'customer' ? caller.name : undefined);
  if (!name) throw tmf621Errors.invalid('Name the customer in relatedParty (role customer).', '/relatedParty');
  const account = (body.relatedEntity.find((e) => e.role === 'affectedProduct') ?? body.relatedEntity[0])!.entity.id;
  const chars = new Map((body.troubleTicketCharacteristic ?? []).map((c) => [c.name, String(c.value)]));
  const level = CustomerLevelSchema.safeParse(chars.get('customerLevel') ?? 'local-c');
  if (!level.success)
    throw tmf621Errors.invalid('customerLevel is one of group, province, local-a, local-b, local-c.', '/troubleTicketCharacteristic');
  const customer = { name, level: level.data };
  const description = body.description;
  const fault = body.ticketType === 'fault' || body.ticketType === 'incident';
  const key = scopedIdempotencyKey(caller, idempotencyKey ? `tmf621:${idempotencyKey}` : undefined);
  const create = async () => {
    if (fault) {
      const service = ServiceSchema.safeParse(chars.get('service') ?? 'broadband');
      if (!service.success)
        throw tmf621Errors.invalid(
          'The characteristic "service" is one of broadband, dedicated-line, voice, 800-number.',
          '/troubleTicketCharacteristic',
        );
      const source = body.channel?.name ?? (caller.role === 'customer' ? 'hotline' : 'customer-manager');
      const { ticketId } = await reportFault({
        fault: { account, customer, service: service.data, source, description },
        customerId,
        db,
        engine,
        engineTimeoutMs,
      });
      return ticketId;
    }
    const category = ComplaintCategorySchema.safeParse(chars.get('complaintCategory') ?? 'other');
    if (!category.success)
      throw tmf621Errors.invalid(
        `The characteristic "complaintCategory" is one of ${ComplaintCategorySchema.options.join(', ')}.`,
        '/troubleTicketCharacteristic',
      );
    const { complaintId } = await reportComplaint({
      complaint: { account, customer, category: category.data, description },
      customerId,
      db,
      engine,
      engineTimeoutMs,
    });
    return complaintId;
  };
  // The answer is checked against what the read routes answer before the creation counts: if it
  // cannot be given, the creation is undone (instance and row) and nothing of the request remains.
  let troubleTicket: TroubleTicket | undefined;
  const { resourceId, created } = await once({
    db,
    key,
    requestHash: requestFingerprint(body),
    create: async () => {
      const id = await create();
      try {
        troubleTicket = TroubleTicketSchema.parse(await getTroubleTicket({ caller, id, progress }));
      } catch (e) {
        log?.error({ err: e, businessKey: id }, 'a new trouble ticket could not be answered; undoing it');
        await discardCreated({ db, engine, id, log }).catch((undo: unknown) =>
          log?.error({ err: undo, businessKey: id }, 'undoing a trouble ticket failed; it stays as created'),
        );
        throw e;
      }
      return id;
    },
  });
  return { troubleTicket: troubleTicket ?? (await getTroubleTicket({ caller, id: resourceId, progress })), created };
}

/** Customers see their own tickets and complaints, staff everyone's; newest first, paged. */
export async function listTroubleTickets({
  caller,
  statuses,
  ticketType,
  offset,
  limit,
  db,
  progress,
  log,
}: {
  caller: Principal;
  statuses: string[] | undefined;
  ticketType: 'fault' | 'complaint' | undefined;
  offset: number;
  limit: number;
  db: Db;
  progress: ProgressRepository;
  log?: ListLog;
}): Promise<{ items: TroubleTicket[]; total: number }> {
  const own = caller.role === 'customer' ? sql`customer_id = ${caller.customerId ?? '-'}` : sql`true`;
  const rows = await db.execute<{ id: string }>(sql`
    select id from (
      select id, created_at, customer_id, 'fault' as type from trouble_ticket
      union all select id, created_at, customer_id, 'complaint' as type from complaint
    ) t where ${own} and ${ticketType ? sql`type = ${ticketType}` : sql`true`}
    order by created_at desc, id desc`);
  // One ticket that cannot be answered is logged and left out; it never fails the whole list.
  const view = (id: string) => answerable(TroubleTicketSchema, id, () => getTroubleTicket({ caller, id, progress }), log);
  if (!statuses) {
    const items = await Promise.all(rows.slice(offset, offset + limit).map((r) => view(r.id)));
    return { items: items.filter((t) => t !== undefined), total: rows.length };
  }
  // The status is derived from the stages: filter after mapping (a customer's list is short; staff page through).
  const matching: TroubleTicket[] = [];
  for (const r of rows) {
    const t = await view(r.id);
    if (t && statuses.includes(t.status)) matching.push(t);
  }
  return { items: matching.slice(offset, offset + limit), total: matching.length };
}
