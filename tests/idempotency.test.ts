import { inject, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../db/client.ts';
import { createWorkerDependencies } from '../workers/dependencies.ts';
import { BusinessError, type JobContext } from '../workers/job-definition.ts';
import { activateService } from '../workers/job-types/activate-service.ts';
import { checkResources } from '../workers/job-types/check-resources.ts';
import { silentLog } from './support/platform.ts';

const job = (elementId: string, elementInstanceKey: string): JobContext => ({
  key: '9007199254740001',
  type: elementId,
  processInstanceKey: '9007199254740000',
  elementInstanceKey,
  elementId,
  bpmnProcessId: 'home-broadband-new-install',
  retries: 3,
  idempotencyKey: `home-broadband-new-install:${elementId}:${elementInstanceKey}`,
});

describe('workers do their side effects once, however often a job runs', () => {
  let database: Database;
  beforeAll(() => {
    database = connectDatabase(inject('databaseUrl'));
  });
  afterAll(async () => database?.close());

  it('a resource check run twice for the same job reserves one port, the same both times', async () => {
    const deps = createWorkerDependencies(database.db);
    const args = {
      variables: { orderId: 'HB-IDEMPOTENT-1', grid: 'URC-SY-01' },
      job: job('check-resources', '9007199254740100'),
      deps,
      log: silentLog,
    };
    const first = await checkResources.handler(args);
    const second = await checkResources.handler(args);
    expect(second).toEqual(first);
    const held = await database.sql`select id from resource_port where order_id = 'HB-IDEMPOTENT-1'`;
    expect(held).toHaveLength(1);
  });

  it('two resource checks of different jobs at once reserve two different ports', async () => {
    const deps = createWorkerDependencies(database.db);
    const run = (n: string) =>
      checkResources.handler({
        variables: { orderId: `HB-CONCURRENT-${n}`, grid: 'URC-SY-02' },
        job: job('check-resources', `90071992547402${n}`),
        deps,
        log: silentLog,
      });
    const [a, b] = await Promise.all([run('1'), run('2')]);
    expect(a.port.label).not.toBe(b.port.label);
  });

  it('activation run twice for the same job starts billing once', async () => {
    const deps = createWorkerDependencies(database.db);
    const args = {
      variables: { orderId: 'HB-IDEMPOTENT-2', product: { code: 'HB-300M', name: '300M', bandwidthMbps: 300, monthlyFeeCents: 6900 } },
      job: job('activate-service', '9007199254740300'),
      deps,
      log: silentLog,
    };
    await activateService.handler(args);
    await activateService.handler(args);
    expect(await database.sql`select 1 from billing_start where order_id = 'HB-IDEMPOTENT-2'`).toHaveLength(1);
  });

  it('a grid with no free port is a business outcome (INSUFFICIENT_RESOURCES), not a technical failure', async () => {
    const deps = createWorkerDependencies(database.db);
    await expect(
      checkResources.handler({
        variables: { orderId: 'HB-NO-PORT', grid: 'URC-MD-01' },
        job: job('check-resources', '9007199254740400'),
        deps,
        log: silentLog,
      }),
    ).rejects.toSatisfy((e) => e instanceof BusinessError && e.code === 'INSUFFICIENT_RESOURCES');
  });
});
