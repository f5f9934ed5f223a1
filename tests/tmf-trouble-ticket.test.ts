import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startPlatform, type Platform } from './support/platform.ts';
import { faultTicket } from './support/tmf-fixtures.ts';
import { tmfSchemaErrors } from './support/tmf-schemas.ts';

const BASE = '/tmf-api/troubleTicket/v5';

interface TicketView {
  id: string;
  href: string;
  status: string;
  ticketType: string;
  statusChangeHistory: { status: string }[];
  expectedResolutionDate?: string;
  relatedEntity: { role: string; entity: { id: string } }[];
  troubleTicketCharacteristic: { name: string; value: unknown }[];
}

describe('TMF621 trouble tickets for faults and complaints, on the real engine', () => {
  let platform: Platform;
  let zhang: string;
  let li: string;
  beforeAll(async () => {
    platform = await startPlatform();
    zhang = await platform.tokenFor('customer.zhang');
    li = await platform.tokenFor('customer.li');
  });
  afterAll(async () => platform?.close());

  const as = (token: string, method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    platform.fastify.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${token}`, ...headers } });
  const expectConforms = (component: string, body: unknown) => expect(tmfSchemaErrors('tmf621', component, body)).toEqual([]);

  it('a customer reports a fault: the fault process starts once, the ticket moves on with its status history and repair deadline', async () => {
    const key = `tmf-tt-${Date.now()}`;
    const description = `宽带无法上网 ${key}`;
    const created = await as(zhang, 'POST', `${BASE}/troubleTicket`, faultTicket({ description }), { 'idempotency-key': key });
    expect(created.statusCode).toBe(201);
    const ticket = created.json() as TicketView;
    expectConforms('TroubleTicket', ticket);
    expect(ticket.id).toMatch(/^FT\d{14}$/);
    expect(ticket.ticketType).toBe('fault');
    expect(ticket.relatedEntity[0]?.entity.id).toBe('0991-HB-100007');

    // a retry with the same key answers the same ticket and starts no second process
    const retried = await as(zhang, 'POST', `${BASE}/troubleTicket`, faultTicket({ description }), { 'idempotency-key': key });
    expect(retried.statusCode).toBe(200);
    expect((retried.json() as TicketView).id).toBe(ticket.id);
    const [count] = await platform.database.sql<{ n: number }[]>`
      select count(*)::int as n from trouble_ticket where customer_id = 'CU-0001' and description = ${description}`;
    expect(count?.n).toBe(1);

    // the pre-diagnosis runs and the repair deadline of the customer level is set
    const moving = await eventually(async () => {
      const t = (await as(zhang, 'GET', `${BASE}/troubleTicket/${ticket.id}`)).json() as TicketView;
      return t.status !== 'acknowledged' && t.expectedResolutionDate ? t : undefined;
    });
    expectConforms('TroubleTicket', moving);
    expect(moving.statusChangeHistory.map((h) => h.status).slice(0, 2)).toEqual(['acknowledged', 'inProgress']);
    const hours = (Date.parse(moving.expectedResolutionDate!) - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(47);
    expect(hours).toBeLessThan(49);

    // another customer does not see it
    const foreign = await as(li, 'GET', `${BASE}/troubleTicket/${ticket.id}`);
    expect(foreign.statusCode).toBe(404);
    expectConforms('Error', foreign.json());
    expect(((await as(li, 'GET', `${BASE}/troubleTicket`)).json() as TicketView[]).map((t) => t.id)).not.toContain(ticket.id);
  });

  it('a customer complains about slow speed: the complaint process follows its guide; staff see every ticket, customers their own', async () => {
    const complaint = faultTicket({
      ticketType: 'complaint',
      severity: 'Minor',
      description: '晚上网速很慢',
      troubleTicketCharacteristic: [{ '@type': 'StringCharacteristic', name: 'complaintCategory', value: 'slow-speed' }],
    });
    const created = await as(zhang, 'POST', `${BASE}/troubleTicket`, complaint);
    expect(created.statusCode).toBe(201);
    const ticket = created.json() as TicketView;
    expectConforms('TroubleTicket', ticket);
    expect(ticket.id).toMatch(/^CP\d{14}$/);
    expect(ticket.troubleTicketCharacteristic).toContainEqual(expect.objectContaining({ name: 'complaintCategory', value: 'slow-speed' }));
    const handled = await eventually(async () => {
      const t = (await as(zhang, 'GET', `${BASE}/troubleTicket/${ticket.id}`)).json() as TicketView;
      return t.status === 'inProgress' && t.expectedResolutionDate ? t : undefined;
    });
    expectConforms('TroubleTicket', handled);

    const mine = await as(zhang, 'GET', `${BASE}/troubleTicket?ticketType=complaint&limit=100`);
    const listed = mine.json() as TicketView[];
    expect(listed.map((t) => t.id)).toContain(ticket.id);
    expect(listed.every((t) => t.ticketType === 'complaint')).toBe(true);
    expect(mine.headers['x-result-count']).toBe(String(listed.length));
    for (const t of listed) expectConforms('TroubleTicket', t);
    const byStatus = (await as(zhang, 'GET', `${BASE}/troubleTicket?status=inProgress,resolved&limit=100`)).json() as TicketView[];
    expect(byStatus.map((t) => t.id)).toContain(ticket.id);
    expect(byStatus.every((t) => ['inProgress', 'resolved'].includes(t.status))).toBe(true);

    const clerk = await platform.tokenFor('clerk.response');
    const staff = await as(clerk, 'GET', `${BASE}/troubleTicket?limit=100`);
    expect((staff.json() as TicketView[]).map((t) => t.id)).toContain(ticket.id);
    expect(Number(staff.headers['x-total-count'])).toBeGreaterThanOrEqual(2);
    expect(((await as(li, 'GET', `${BASE}/troubleTicket`)).json() as TicketView[]).map((t) => t.id)).not.toContain(ticket.id);
  });

  it('malformed tickets are answered 4xx in the TMF error shape, never 5xx', async () => {
    const cases: [string, 'GET' | 'POST', string, unknown][] = [
      ['empty body', 'POST', `${BASE}/troubleTicket`, {}],
      ['no description', 'POST', `${BASE}/troubleTicket`, faultTicket({ description: '' })],
      ['unknown ticket type', 'POST', `${BASE}/troubleTicket`, faultTicket({ ticketType: 'praise' })],
      ['no related entity', 'POST', `${BASE}/troubleTicket`, faultTicket({ relatedEntity: [] })],
      [
        'unknown service',
        'POST',
        `${BASE}/troubleTicket`,
        faultTicket({ troubleTicketCharacteristic: [{ name: 'service', value: 'tv' }] }),
      ],
      [
        'unknown category',
        'POST',
        `${BASE}/troubleTicket`,
        faultTicket({ ticketType: 'complaint', troubleTicketCharacteristic: [{ name: 'complaintCategory', value: 'x' }] }),
      ],
      [
        'bad customer level',
        'POST',
        `${BASE}/troubleTicket`,
        faultTicket({ troubleTicketCharacteristic: [{ name: 'customerLevel', value: 'vip' }] }),
      ],
      ['unknown channel', 'POST', `${BASE}/troubleTicket`, faultTicket({ channel: { name: 'pigeon' } })],
      [
        'another customer',
        'POST',
        `${BASE}/troubleTicket`,
        faultTicket({ relatedParty: [{ role: 'customer', partyOrPartyRole: { id: 'CU-0002' } }] }),
      ],
      ['array body', 'POST', `${BASE}/troubleTicket`, [faultTicket()]],
      ['negative offset', 'GET', `${BASE}/troubleTicket?offset=-1`, undefined],
      ['bad status filter', 'GET', `${BASE}/troubleTicket?status=1`, undefined],
      ['bad type filter', 'GET', `${BASE}/troubleTicket?ticketType=praise`, undefined],
      ['unknown ticket', 'GET', `${BASE}/troubleTicket/FT00000000000000`, undefined],
      ['an order is no ticket', 'GET', `${BASE}/troubleTicket/HB00000000000000`, undefined],
      ['bad hub body', 'POST', `${BASE}/hub`, { callback: 'not a url' }],
      ['hub with unknown event', 'POST', `${BASE}/hub`, { callback: 'http://127.0.0.1:9/x', query: 'eventType=ProductOrderCreateEvent' }],
      ['hub bad id', 'GET', `${BASE}/hub/123`, undefined],
    ];
    for (const [name, method, url, payload] of cases) {
      const res = await as(zhang, method, url, payload);
      expect(res.statusCode, name).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, name).toBeLessThan(500);
      expect(tmfSchemaErrors('tmf621', 'Error', res.json()), name).toEqual([]);
    }
    const anonymous = await platform.fastify.inject({ method: 'POST', url: `${BASE}/troubleTicket`, payload: faultTicket() });
    expect(anonymous.statusCode).toBe(401);
    expectConforms('Error', anonymous.json());
  });
});
