import { readFile } from 'node:fs/promises';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOwnInfrastructure, type OwnInfrastructure } from './support/own-platform.ts';
import { completeTask, processCompletedInEngine, validOrder, waitForTask, type OrderView, type TaskView } from './support/orders.ts';
import { eventually, startPlatformOn, type Platform } from './support/platform.ts';
import { DEMO_USERS } from '../api/domain/auth/users.ts';
import { CONSOLE_LOGINS_PER_MINUTE } from '../api/plugins/operators-console.ts';

/**
 * The operators' console (Operaton's Cockpit, Tasklist and Admin) behind the API at /operaton/, as
 * administrators and process owners use it: logged in with their own accounts, migrating running
 * orders to a new version of their process, retrying incidents in bulk. It runs on an engine and a
 * database of its own: a new version of the home-broadband process must not reach the other suites.
 */
const password = (username: string) => DEMO_USERS.find((u) => u.username === username)!.password;

/** A browser's session with the console: its cookies and the CSRF token the console hands out. */
class ConsoleSession {
  private cookies = new Map<string, string>();
  private readonly platform: Platform;
  constructor(platform: Platform) {
    this.platform = platform;
  }

  async request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, form = false): Promise<LightMyRequestResponse> {
    const xsrf = this.cookies.get('XSRF-TOKEN');
    const res = await this.platform.fastify.inject({
      method,
      url,
      headers: {
        ...(this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(xsrf ? { 'x-xsrf-token': xsrf } : {}),
        ...(body === undefined ? {} : { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' }),
        accept: 'application/json, text/html',
      },
      ...(body === undefined
        ? {}
        : { payload: form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body) }),
    });
    for (const c of res.cookies) this.cookies.set(c.name, c.value);
    return res;
  }

  /** Opens the console's start page (which hands out the CSRF cookie), then logs in to `app`. */
  async login(username: string, pass: string, app: 'cockpit' | 'tasklist' | 'admin' = 'cockpit') {
    const page = await this.request('GET', `/operaton/app/${app}/default/`);
    expect(page.statusCode).toBe(200);
    return this.request('POST', `/operaton/api/admin/auth/user/default/login/${app}`, { username, password: pass }, true);
  }

  /** The engine API the console's pages call, in this session. */
  engine(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) {
    return this.request(method, `/operaton/api/engine/engine/default${path}`, body);
  }
}

describe("the operators' console: Cockpit, Tasklist and Admin for administrators and process owners", () => {
  let infra: OwnInfrastructure;
  let platform: Platform;
  beforeAll(async () => {
    infra = await startOwnInfrastructure({ name: 'console', portOffset: 60 });
    platform = await startPlatformOn({ databaseUrl: infra.databaseUrl, engineUrl: infra.engine.baseUrl, workers: true });
  }, 180_000);
  afterAll(async () => {
    await platform?.close();
    await infra?.stop();
  });

  it('logs in administrators and process owners with their own passwords, and nobody else', async () => {
    for (const username of ['admin', 'owner.process']) {
      const session = new ConsoleSession(platform);
      const login = await session.login(username, password(username));
      expect(login.statusCode, username).toBe(200);
      expect(login.json()).toMatchObject({ userId: username });
      expect(login.json().authorizedApps).toEqual(expect.arrayContaining(['cockpit', 'tasklist', 'admin']));
      // and the console's pages and API then answer in that session
      const me = await session.request('GET', '/operaton/api/admin/auth/user/default');
      expect(me.json()).toMatchObject({ userId: username });
      expect((await session.engine('GET', '/process-definition/count')).json().count).toBeGreaterThan(0);
    }
    // the administrator is in Operaton's administrators' group, the process owner in the process owners'
    const admin = new ConsoleSession(platform);
    await admin.login('admin', password('admin'), 'admin');
    expect((await admin.engine('GET', '/group?member=admin')).json()).toEqual([
      expect.objectContaining({ id: 'operaton-admin', type: 'SYSTEM' }),
    ]);
    expect((await admin.engine('GET', '/group?member=owner.process')).json()).toEqual([expect.objectContaining({ id: 'process-owner' })]);
    // Admin lists exactly the console's people, read from our users (no second list to keep)
    expect((await admin.engine('GET', '/user')).json().map((u: { id: string }) => u.id)).toEqual(['admin', 'owner.process']);
    expect((await admin.engine('GET', '/identity/password-policy')).statusCode).not.toBe(500);

    // clerks, crews, leaders and customers cannot log in, with their right passwords either
    for (const username of ['clerk.urumqi', 'leader.region', 'customer.zhang']) {
      const login = await new ConsoleSession(platform).login(username, password(username));
      expect(login.statusCode, username).toBe(401);
    }
    // nor can a wrong password, nor an unknown user
    expect((await new ConsoleSession(platform).login('admin', 'not-the-password')).statusCode).toBe(401);
    expect((await new ConsoleSession(platform).login('nobody', 'whatever')).statusCode).toBe(401);
    // and guessing is slowed: from one address, logins beyond the limit per minute are refused before any check
    const guesses = [];
    for (let i = 0; i <= CONSOLE_LOGINS_PER_MINUTE; i++) {
      guesses.push(
        await platform.fastify.inject({
          method: 'POST',
          url: '/operaton/api/admin/auth/user/default/login/cockpit',
          remoteAddress: '10.20.30.40',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: `username=admin&password=guess-${i}`,
        }),
      );
    }
    expect(guesses.slice(0, -1).every((g) => g.statusCode !== 429)).toBe(true);
    expect(guesses.at(-1)!.statusCode).toBe(429);
    expect(guesses.at(-1)!.json()).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
    // without a session the console's API answers nothing
    const anonymous = await new ConsoleSession(platform).engine('GET', '/process-instance/count');
    expect(anonymous.statusCode).toBe(401);
    // and the engine's own REST API is not on the API's address at all: only our processes reach it
    expect((await platform.fastify.inject({ method: 'GET', url: '/engine-rest/process-definition' })).statusCode).toBe(404);
    expect((await platform.fastify.inject({ method: 'GET', url: '/operaton/../engine-rest/engine' })).statusCode).toBe(404);
  });

  it('a process owner migrates running home-broadband orders to the next version (a renamed task, an added step), and every migrated order completes', async () => {
    const getOrder = async (id: string) => (await platform.app.inject({ method: 'GET', url: `/orders/${id}` })).json() as OrderView;
    // given two orders of version 1: one waiting for the order center's review, one past it (waiting for an appointment)
    const waiting = (await platform.app.inject({ method: 'POST', url: '/orders', payload: validOrder() })).json() as OrderView;
    const ahead = (await platform.app.inject({ method: 'POST', url: '/orders', payload: validOrder() })).json() as OrderView;
    await waitForTask(platform, 'order-center', waiting.id, 'review-order');
    const review = await waitForTask(platform, 'order-center', ahead.id, 'review-order');
    expect((await completeTask(platform, review.key, { reviewApproved: true })).statusCode).toBe(204);
    await waitForTask(platform, 'install-crew-urc-tianshan', ahead.id, 'make-appointment');

    // when the process owner deploys version 2: the review renamed, and the address confirmed before resources are checked
    const v1 = await readFile(new URL('../processes/home-broadband-new-install.bpmn', import.meta.url), 'utf8');
    const v2 = v1
      .replace('id="review-order" name="订单中心资料审核"', 'id="review-order" name="订单中心审核（新版）"')
      .replace('sourceRef="review-approved" targetRef="check-resources"', 'sourceRef="review-approved" targetRef="confirm-address"')
      .replace(
        '<bpmn:exclusiveGateway id="review-approved"',
        `<bpmn:userTask id="confirm-address" name="核实装机地址" camunda:formRef="order-review" camunda:formRefBinding="latest" camunda:candidateGroups="order-center">
      <bpmn:incoming>f-approved</bpmn:incoming>
      <bpmn:outgoing>f-address-confirmed</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f-address-confirmed" sourceRef="confirm-address" targetRef="check-resources" />
    <bpmn:exclusiveGateway id="review-approved"`,
      )
      .replace(/(<bpmn:serviceTask id="check-resources"[\s\S]*?<bpmn:incoming>)f-approved</, '$1f-address-confirmed<')
      .replace(
        '</bpmndi:BPMNPlane>',
        `<bpmndi:BPMNShape id="confirm-address_di" bpmnElement="confirm-address"><dc:Bounds x="660" y="60" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f-address-confirmed_di" bpmnElement="f-address-confirmed"><di:waypoint x="760" y="100" /><di:waypoint x="760" y="160" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>`,
      );
    expect(v2).toContain('<bpmn:incoming>f-address-confirmed</bpmn:incoming>');
    const owner = await platform.tokenFor('owner.process');
    const deployed = await platform.fastify.inject({
      method: 'POST',
      url: '/deployments',
      headers: { authorization: `Bearer ${owner}` },
      payload: { resources: [{ name: 'home-broadband-new-install.bpmn', content: v2 }] },
    });
    expect(deployed.statusCode, deployed.body).toBe(201);

    // and migrates the running orders in the console, as Cockpit does: a generated plan, executed as a batch
    const session = new ConsoleSession(platform);
    expect((await session.login('owner.process', password('owner.process'))).statusCode).toBe(200);
    const definitions = (
      await session.engine('GET', '/process-definition?key=home-broadband-new-install&sortBy=version&sortOrder=asc')
    ).json() as {
      id: string;
      version: number;
    }[];
    const [source, target] = definitions.slice(-2);
    if (!source || !target) throw new Error('two versions of home-broadband-new-install expected');
    const plan = await session.engine('POST', '/migration/generate', {
      sourceProcessDefinitionId: source.id,
      targetProcessDefinitionId: target.id,
      updateEventTriggers: true,
    });
    expect(plan.statusCode, plan.body).toBe(200);
    const instanceIds = [waiting.processInstanceKey, ahead.processInstanceKey];
    const batch = await session.engine('POST', '/migration/executeAsync', {
      migrationPlan: plan.json(),
      processInstanceIds: instanceIds,
      skipCustomListeners: false,
    });
    expect(batch.statusCode, batch.body).toBe(200);
    await eventually(
      async () => {
        const instances = (await session.engine('POST', '/process-instance', { processInstanceIds: instanceIds })).json() as {
          definitionId: string;
        }[];
        return instances.length === 2 && instances.every((i) => i.definitionId === target.id);
      },
      { timeoutMs: 30_000 },
    );

    // then the order waiting for review shows the renamed task, and goes through the added step
    const renamed = await eventually(async () => {
      const task = (await waitForTask(platform, 'order-center', waiting.id, 'review-order')) as TaskView & { name: string };
      return task.name === '订单中心审核（新版）' ? task : undefined;
    });
    expect((await completeTask(platform, renamed.key, { reviewApproved: true })).statusCode).toBe(204);
    const added = await waitForTask(platform, 'order-center', waiting.id, 'confirm-address');
    expect((added as TaskView & { name: string }).name).toBe('核实装机地址');
    expect((await completeTask(platform, added.key, { reviewApproved: true })).statusCode).toBe(204);

    // and both orders complete: appointment, install, quality check, the customer's confirmation, revisit
    for (const order of [ahead, waiting]) {
      const appointment = await waitForTask(platform, 'install-crew-urc-tianshan', order.id, 'make-appointment');
      expect((await completeTask(platform, appointment.key, { appointmentAt: '2026-12-10T10:00' })).statusCode).toBe(204);
      const install = await waitForTask(platform, 'install-crew-urc-tianshan', order.id, 'install-onsite');
      expect(
        (await completeTask(platform, install.key, { onuSerial: 'ZTEG1234ABCD', fibreMeters: 30, opticalPowerDbm: -20 })).statusCode,
      ).toBe(204);
      const quality = await waitForTask(platform, 'customer-response-center', order.id, 'quality-check');
      expect((await completeTask(platform, quality.key, { qualityPassed: true })).statusCode).toBe(204);
      expect((await platform.app.inject({ method: 'POST', url: `/orders/${order.id}/confirm` })).statusCode).toBe(202);
      const revisit = await waitForTask(platform, 'customer-response-center', order.id, 'revisit');
      expect((await completeTask(platform, revisit.key, { satisfaction: 10 })).statusCode).toBe(204);
      await eventually(() => processCompletedInEngine(platform, order.processInstanceKey));
      const done = await eventually(async () => {
        const o = await getOrder(order.id);
        return o.state === 'completed' && o.processState === 'completed' ? o : undefined;
      });
      expect(done.timeline.at(-1)?.elementId).toBe('order-archived');
    }
    // and the read model follows the migration: both instances run version 2
    const versions = await platform.database.sql<{ version: number }[]>`
      select version from process_instance where process_instance_key::text = any(${instanceIds})`;
    expect(versions.map((v) => v.version)).toEqual([2, 2]);
    // and the migrated order's timeline holds the added step
    expect((await getOrder(waiting.id)).timeline.map((s) => s.elementId)).toContain('confirm-address');
  }, 120_000);

  it('incidents raised by a failing worker are retried in bulk, and the instances then complete', async () => {
    // given a process whose worker fails while its outside system is down: each failure without retries left is an incident
    const bpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://telecom.example/console-test">
  <bpmn:process id="console-bulk-retry" name="控制台批量重试" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="s" name="开始"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="sync-crm" name="同步客户资料" camunda:type="external" camunda:topic="console-test-sync-crm"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:endEvent id="e" name="完成"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sync-crm" />
    <bpmn:sequenceFlow id="f2" sourceRef="sync-crm" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>`;
    await platform.engine.deploy('console-bulk-retry', [{ name: 'console-bulk-retry.bpmn', content: bpmn }]);
    const instances = await Promise.all(
      [1, 2, 3].map((i) => platform.engine.startProcess('console-bulk-retry', { businessKey: `CONSOLE-${i}`, variables: {} })),
    );
    const workerId = 'console-test-worker';
    /** The worker of sync-crm takes `count` tasks: while the CRM is down it fails them without retries left, then completes them. */
    const syncCrm = async (count: number, crmUp: boolean) => {
      for (let done = 0; done < count;) {
        const tasks = await platform.engine.fetchAndLock({
          workerId,
          maxTasks: count - done,
          asyncResponseTimeout: 1000,
          topics: [{ topicName: 'console-test-sync-crm', lockDuration: 10_000 }],
        });
        for (const t of tasks) {
          if (crmUp) await platform.engine.completeExternalTask(t.id, workerId, {});
          else await platform.engine.externalTaskFailure(t.id, workerId, { errorMessage: 'CRM 不可用', retries: 0, retryTimeout: 0 });
          done++;
        }
      }
    };
    const failing = syncCrm(3, false);

    // when the three incidents are there and the outside system is back
    const session = new ConsoleSession(platform);
    expect((await session.login('admin', password('admin'))).statusCode).toBe(200);
    await eventually(
      async () => (await session.engine('GET', '/incident/count?processDefinitionKeyIn=console-bulk-retry')).json().count === 3,
      {
        timeoutMs: 30_000,
      },
    );
    await failing;
    const fixed = syncCrm(3, true);

    // then the administrator retries them all at once, as Cockpit's bulk retry does (one batch)
    const retry = await session.engine('POST', '/external-task/retries-async', {
      retries: 1,
      processInstanceIds: instances.map((i) => i.id),
    });
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json()).toMatchObject({ type: 'set-external-task-retries' });

    // and every instance completes, with no incident left
    await fixed;
    await eventually(
      async () => (await session.engine('GET', '/process-instance/count?processDefinitionKey=console-bulk-retry')).json().count === 0,
    );
    expect((await session.engine('GET', '/incident/count?processDefinitionKeyIn=console-bulk-retry')).json().count).toBe(0);
    const history = (
      await session.engine('GET', '/history/process-instance?processDefinitionKey=console-bulk-retry&completed=true')
    ).json();
    expect(history).toHaveLength(3);
  }, 90_000);
});
