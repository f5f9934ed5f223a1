import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validOrder } from './support/orders.ts';
import { eventually, startInstance, startPlatform, type Platform } from './support/platform.ts';

interface Definition {
  processId: string;
  name: string | null;
  latestVersion: number;
  versions: { version: number; key: string }[];
}
interface Problem {
  code: string;
  errors?: { pointer: string; message: string }[];
}
interface Instance {
  key: string;
  state: string;
  businessKey: string | null;
  elements: { elementId: string; completed: number; active: number; incidents: number; slaState: string; activeSince: string | null }[];
  takenFlows: string[];
  incidents: { key: string; state: string; elementId: string; jobKey: string | null }[];
}

let platform: Platform;
let owner: string;
let clerk: string;
const probeXml = readFileSync(new URL('./fixtures/incident-probe.bpmn', import.meta.url), 'utf8');

const as = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  platform.fastify.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
const deploy = (resources: { name: string; content: string }[], token = owner) => as(token, 'POST', '/deployments', { resources });
const definition = async (processId: string) =>
  ((await as(owner, 'GET', '/process-definitions')).json() as Definition[]).find((d) => d.processId === processId);

beforeAll(async () => {
  platform = await startPlatform();
  owner = await platform.tokenFor('owner.process');
  clerk = await platform.tokenFor('clerk.urumqi');
});
afterAll(() => platform?.close());

describe('process owners', () => {
  it('list the deployed processes with their versions and read any version’s XML', async () => {
    // the projector reads the deployments the global setup made
    const hb = await eventually(() => definition('home-broadband-new-install'));
    expect(hb).toMatchObject({ processId: 'home-broadband-new-install', name: expect.any(String), latestVersion: expect.any(Number) });
    const xml = await as(owner, 'GET', `/process-definitions/home-broadband-new-install/xml?version=${hb!.latestVersion}`);
    expect(xml.statusCode).toBe(200);
    expect(xml.body).toContain('bpmn:process id="home-broadband-new-install"');
    expect((await as(owner, 'GET', '/process-definitions/home-broadband-new-install/xml?version=9999')).statusCode).toBe(404);
  });

  it('deploy a new version; the list and the XML follow', async () => {
    const first = await deploy([{ name: 'incident-probe.bpmn', content: probeXml }]);
    expect(first.statusCode).toBe(201);
    const renamed = probeXml.replace('name="Call an outside system"', 'name="Call the CRM"');
    const second = await deploy([{ name: 'incident-probe.bpmn', content: renamed }]);
    expect(second.statusCode).toBe(201);
    const deployed = second.json() as { processes: { processId: string; version: number }[] };
    const version = deployed.processes[0]!.version;
    const listed = await eventually(async () => {
      const d = await definition('test-incident-probe');
      return d && d.latestVersion === version ? d : undefined;
    });
    expect(listed.versions.map((v) => v.version)).toContain(version - 1);
    expect((await as(owner, 'GET', '/process-definitions/test-incident-probe/xml')).body).toContain('Call the CRM');
  });

  it('deploying a model that says what its deployed version says makes no new version, and the answer tells so in Chinese or English', async () => {
    // given the probe deployed (a version exists)
    const given = await deploy([
      { name: 'incident-probe.bpmn', content: probeXml.replace('Call an outside system', 'Call the billing system') },
    ]);
    expect(given.statusCode).toBe(201);
    const givenVersion = (given.json() as { processes: { version: number }[] }).processes[0]!.version;
    // (the read model holds that version: the XML route asks the engine, the list the projection, which follows within moments)
    const before = await eventually(async () => {
      const d = await definition('test-incident-probe');
      return d && d.latestVersion === givenVersion ? d : undefined;
    });
    const deployedXml = (await as(owner, 'GET', '/process-definitions/test-incident-probe/xml')).body;
    // when the same model comes back written differently (as the modeler writes it: other indentation, attributes reordered)
    const rewritten = deployedXml
      .replace(/>\s+</g, '>\n      <')
      .replace('id="incident-probe-call" name="Call the billing system"', 'name="Call the billing system" id="incident-probe-call"');
    expect(rewritten).not.toBe(deployedXml);
    const same = await deploy([{ name: 'incident-probe.bpmn', content: rewritten }]);
    // then nothing is deployed, the answer names the version running and says it in Chinese
    expect(same.statusCode).toBe(201);
    const answer = same.json() as {
      unchanged: boolean;
      message: string;
      deploymentKey: string | null;
      processes: { processId: string; version: number; changed: boolean }[];
    };
    expect(answer).toMatchObject({
      unchanged: true,
      deploymentKey: null,
      processes: [{ processId: 'test-incident-probe', version: before.latestVersion, changed: false }],
    });
    expect(answer.message).toBe('模型与已部署的版本相同，未创建新版本。');
    // (in English through the language switch)
    const english = await platform.fastify.inject({
      method: 'POST',
      url: '/deployments',
      payload: { resources: [{ name: 'incident-probe.bpmn', content: rewritten }] },
      headers: { authorization: `Bearer ${owner}`, 'accept-language': 'en-US,en;q=0.9' },
    });
    expect((english.json() as { message: string }).message).toBe(
      'The model is the same as the deployed version: no new version was created.',
    );
    await new Promise((r) => setTimeout(r, 500));
    expect((await definition('test-incident-probe'))!.latestVersion).toBe(before.latestVersion);

    // and a form opened and saved by the editor (rows and ids of its own, its exporter) is the same form
    const form = JSON.parse(readFileSync(new URL('../processes/forms/order-review.form', import.meta.url), 'utf8')) as {
      components: Record<string, unknown>[];
    };
    const edited = {
      ...form,
      exporter: { name: 'form-js (https://demo.bpmn.io)', version: '1.15.0' },
      components: form.components.map((c, i) => ({ ...c, id: `Field_${i}x`, layout: { row: `Row_${i}q`, columns: null } })),
    };
    const sameForm = (await deploy([{ name: 'order-review.form', content: JSON.stringify(edited, null, 4) }])).json() as {
      unchanged: boolean;
      forms: { formId: string; changed: boolean }[];
    };
    expect(sameForm).toMatchObject({ unchanged: true, forms: [{ formId: 'order-review', changed: false }] });

    // while a real change is deployed as a new version and says so
    const changed = await deploy([
      { name: 'incident-probe.bpmn', content: rewritten.replace('Call the billing system', 'Call the CRM again') },
    ]);
    const next = changed.json() as {
      unchanged: boolean;
      message: string;
      deploymentKey: string | null;
      processes: { version: number; changed: boolean }[];
    };
    expect(next).toMatchObject({ unchanged: false, processes: [{ version: before.latestVersion + 1, changed: true }] });
    expect(next.deploymentKey).toEqual(expect.any(String));
    expect(next.message).toContain('生成新版本');
  });

  it('invalid, hostile or oversized definitions are refused with the problems listed, and nothing is deployed', async () => {
    const before = (await definition('test-incident-probe'))?.latestVersion;
    // a user task without a candidate group or form breaks our lint rule; the lint problem names the element
    const noGroup = probeXml.replace(
      /<bpmn:serviceTask id="incident-probe-call"[\s\S]*?<\/bpmn:serviceTask>/,
      '<bpmn:userTask id="incident-probe-call" name="Look"><bpmn:incoming>incident-probe-f1</bpmn:incoming><bpmn:outgoing>incident-probe-f2</bpmn:outgoing></bpmn:userTask>',
    );
    const lint = await deploy([{ name: 'incident-probe.bpmn', content: noGroup }]);
    expect(lint.statusCode).toBe(422);
    const problem = lint.json() as Problem;
    expect(problem.code).toBe('INVALID_DEFINITIONS');
    expect(problem.errors?.[0]).toMatchObject({ pointer: '/resources/0/content', message: expect.stringContaining('incident-probe-call') });

    const xxe = probeXml.replace(
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    );
    const laughs = probeXml.replace(
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>`,
    );
    const scriptForm = JSON.stringify({
      id: 'evil',
      type: 'default',
      components: [{ type: 'html', content: '<script>alert(1)</script>' }],
    });
    for (const resources of [
      [{ name: 'incident-probe.bpmn', content: xxe }],
      [{ name: 'incident-probe.bpmn', content: laughs }],
      [{ name: 'evil.form', content: scriptForm }],
      [{ name: 'broken.dmn', content: '<definitions>not dmn' }],
      // one bad file spoils the whole deployment
      [
        { name: 'incident-probe.bpmn', content: probeXml.replace('Call an outside system', 'Never deployed') },
        { name: 'broken.form', content: '{"components": "no"}' },
      ],
    ]) {
      const res = await deploy(resources);
      expect(res.statusCode, resources[0]!.name).toBe(422);
    }
    expect((await deploy([{ name: 'notes.txt', content: 'x' }])).statusCode).toBe(400);
    const huge = await deploy([{ name: 'huge.bpmn', content: 'x'.repeat(9 * 1024 * 1024) }]);
    expect(huge.statusCode).toBe(413);
    expect((await definition('test-incident-probe'))?.latestVersion).toBe(before);
    expect((await as(owner, 'GET', '/process-definitions/test-incident-probe/xml')).body).not.toContain('Never deployed');
  });

  it('only process owners and admins deploy, retry incidents or cancel instances', async () => {
    expect((await deploy([{ name: 'incident-probe.bpmn', content: probeXml }], clerk)).statusCode).toBe(403);
    expect((await as(clerk, 'GET', '/incidents')).statusCode).toBe(403);
    expect((await as(clerk, 'POST', '/process-instances/123/cancel')).statusCode).toBe(403);
    expect((await platform.fastify.inject({ method: 'GET', url: '/process-definitions' })).statusCode).toBe(401);
  });

  it('see an order’s instance for the diagram: completed and active elements, SLA, the path taken', async () => {
    const order = (await platform.app.inject({ method: 'POST', url: '/orders', payload: validOrder() })).json() as {
      id: string;
      processInstanceKey: string;
    };
    const instance = await eventually(async () => {
      const res = await as(owner, 'GET', `/process-instances/${order.processInstanceKey}`);
      const body = res.json() as Instance;
      // the element is active once the engine activated it; its SLA once the user task is projected too
      return res.statusCode === 200 && body.elements.some((e) => e.elementId === 'review-order' && e.active === 1 && e.slaState !== 'none')
        ? body
        : undefined;
    });
    expect(instance).toMatchObject({ key: order.processInstanceKey, state: 'active', businessKey: order.id });
    const review = instance.elements.find((e) => e.elementId === 'review-order')!;
    expect(review.activeSince).not.toBeNull();
    expect(['on-time', 'at-risk', 'breached']).toContain(review.slaState);
    expect(instance.elements.find((e) => e.elementId === 'intake-order')).toMatchObject({ completed: 1, active: 0 });
    expect(instance.takenFlows.length).toBeGreaterThan(0);

    const listed = (await as(owner, 'GET', `/process-instances?businessKey=${order.id}`)).json() as { key: string }[];
    expect(listed.map((i) => i.key)).toEqual([order.processInstanceKey]);

    expect((await as(owner, 'POST', `/process-instances/${order.processInstanceKey}/cancel`)).statusCode).toBe(202);
    await eventually(
      async () => ((await as(owner, 'GET', `/process-instances/${order.processInstanceKey}`)).json() as Instance).state === 'terminated',
    );
    expect((await as(owner, 'POST', `/process-instances/${order.processInstanceKey}/cancel`)).statusCode).toBe(409);
    // the customer's order is closed as cancelled, not left in progress
    const closed = await eventually(async () => {
      const o = (await platform.app.inject({ method: 'GET', url: `/orders/${order.id}` })).json() as { state: string; stateReason: string };
      return o.state === 'cancelled' ? o : undefined;
    });
    expect(closed.stateReason).toMatch(/cancelled by a process owner/);
    expect((await as(owner, 'GET', '/process-instances/42')).statusCode).toBe(404);
  });

  it('see an incident on the diagram and retry it: the job runs again and the instance completes', async () => {
    expect((await deploy([{ name: 'incident-probe.bpmn', content: probeXml }])).statusCode).toBe(201);
    // (the real workers stop here: this test works the probe's task itself, as an outside system would fail it)
    await platform.workers?.stop();
    const { engine } = platform;
    const { processInstanceKey } = await startInstance(platform, {
      bpmnProcessId: 'test-incident-probe',
      businessKey: 'INCIDENT-PROBE',
      variables: {},
    });
    const fetch = () =>
      eventually(async () => {
        const tasks = await engine.fetchAndLock({
          workerId: 'test',
          maxTasks: 1,
          asyncResponseTimeout: 1000,
          topics: [{ topicName: 'escalate', lockDuration: 30_000, businessKey: 'INCIDENT-PROBE' }],
        });
        return tasks.length > 0 ? tasks : undefined;
      });
    // the outside system fails and the task is out of retries: an incident
    const [job] = await fetch();
    await engine.externalTaskFailure(job!.id, 'test', { retries: 0, errorMessage: 'CRM timed out', retryTimeout: 0 });
    const incident = await eventually(async () => {
      const body = (await as(owner, 'GET', `/process-instances/${processInstanceKey}`)).json() as Instance;
      return body.incidents.find((i) => i.state === 'active');
    });
    expect(incident).toMatchObject({ elementId: 'incident-probe-call', jobKey: job!.id });
    const active = (await as(owner, 'GET', '/incidents?state=active')).json() as { key: string; errorMessage: string }[];
    expect(active.find((i) => i.key === incident.key)?.errorMessage).toBe('CRM timed out');

    expect((await as(owner, 'POST', `/incidents/${incident.key}/resolve`, { retries: 2 })).statusCode).toBe(202);
    const [again] = await fetch();
    expect(again!.retries).toBe(2);
    await engine.completeExternalTask(again!.id, 'test', {});
    const done = await eventually(async () => {
      const body = (await as(owner, 'GET', `/process-instances/${processInstanceKey}`)).json() as Instance;
      return body.state === 'completed' ? body : undefined;
    });
    expect(done.incidents[0]?.state).toBe('resolved');
    expect((await as(owner, 'POST', `/incidents/${incident.key}/resolve`)).statusCode).toBe(409);
  });
});
