import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstance, startPlatform, type Platform } from './support/platform.ts';

const probeXml = readFileSync(new URL('./fixtures/incident-probe.bpmn', import.meta.url), 'utf8');
const run = Date.now().toString(36);
/** A valid process with an id of its own: deployed only if a hostile file slipped through. */
const companion = (n: number, prefix = 'hostile-probe') => ({
  name: `hostile-companion-${n}.bpmn`,
  content: probeXml.replaceAll('test-incident-probe', `${prefix}-${run}-${n}`),
});
const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';
const dmn = (inner = '') =>
  `${XML_DECL}<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d-${run}" name="d" namespace="http://telecom.example/tests">` +
  `<decision id="hostile-decision" name="d">${inner}<decisionTable id="t"><input id="i" label="x"><inputExpression id="e" typeRef="string"><text>x</text></inputExpression></input>` +
  `<output id="o" name="y" typeRef="string" /><rule id="r"><inputEntry id="ie"><text>-</text></inputEntry><outputEntry id="oe"><text>"a"</text></outputEntry></rule></decisionTable></decision></definitions>`;
const form = (components: unknown[]) => JSON.stringify({ id: `hostile-form-${run}`, type: 'default', components });

/** Ways to smuggle a DTD, an entity or a script into XML: each must be refused wherever it sits. */
const XML_ATTACKS = {
  xxe: '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
  xxeLowercase: '<!doctype d [<!entity x SYSTEM "http://127.0.0.1:1/leak">]>',
  xxeSpaced: '<! DOCTYPE d [ <!ENTITY  x SYSTEM "file:///etc/shadow" > ]>',
  parameterEntity: '<!DOCTYPE d [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]>',
  billionLaughs:
    '<!DOCTYPE d [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
};
const XML_BODY_ATTACKS = {
  scriptElement: '<script>alert(1)</script>',
  encodedScript: '<bpmn:documentation>&lt;script&gt;alert(1)&lt;/script&gt;</bpmn:documentation>',
  numericEncodedScript: '<bpmn:documentation>&#60;script&#62;alert(1)&#60;/script&#62;</bpmn:documentation>',
  hexEncodedScript: '<bpmn:documentation>&#x3C;script&#x3E;alert(1)&#x3C;/script&#x3E;</bpmn:documentation>',
  javascriptUrl: '<bpmn:documentation>see JaVaScRiPt:alert(1)</bpmn:documentation>',
  eventHandler: '<bpmn:documentation>&lt;img src=x onerror=alert(1)&gt;</bpmn:documentation>',
  xinclude: '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text" />',
  javascriptScriptTask:
    '<bpmn:scriptTask id="evil-script" scriptFormat="javascript"><bpmn:script>require("child_process").exec("id")</bpmn:script></bpmn:scriptTask>',
};
const FORM_ATTACKS: Record<string, unknown[]> = {
  scriptHtml: [{ type: 'html', id: 'h', content: '<script>alert(1)</script>' }],
  unicodeEscapedScript: [], // filled below: JSON escapes that hide "<script" from a look at the raw text
  eventHandlerHtml: [{ type: 'html', id: 'h', content: '<img src=x onerror="alert(1)">' }],
  javascriptLink: [{ type: 'text', id: 't', text: '[click](javascript:alert(1))' }],
  splitJavascriptLink: [{ type: 'text', id: 't', text: '[click](java\tscript:alert(1))' }],
  iframe: [{ type: 'html', id: 'h', content: '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>' }],
};
const unicodeEscapedForm = form([{ type: 'html', id: 'h', content: 'x' }]).replace(
  '"x"',
  '"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"',
);

describe('hostile input: BPMN, DMN and form uploads', () => {
  let platform: Platform;
  let owner: string;
  let n = 0;
  beforeAll(async () => {
    platform = await startPlatform({ workers: false });
    owner = await platform.tokenFor('owner.process');
  });
  afterAll(async () => platform?.close());

  const deploy = (resources: { name: string; content: string }[], token = owner) =>
    platform.fastify.inject({ method: 'POST', url: '/deployments', payload: { resources }, headers: { authorization: `Bearer ${token}` } });

  /** Nothing of this run reached the engine: no companion process can be started. */
  const expectNothingDeployed = async () => {
    const rows = await platform.database.sql`select 1 from process_definition where bpmn_process_id like ${`hostile-probe-${run}-%`}`;
    expect(rows).toEqual([]);
    for (const i of [1, n]) {
      await expect(startInstance(platform, { bpmnProcessId: `hostile-probe-${run}-${i}`, variables: {} })).rejects.toThrow(
        /not found|no processes deployed|no matching process definition/i,
      );
    }
  };

  it('a clean companion deploys (the probe is sound), which is why every other companion must not', async () => {
    const res = await deploy([companion(0, 'hostile-sound')]);
    expect(res.statusCode, res.body).toBe(201);
    const started = await startInstance(platform, { bpmnProcessId: `hostile-sound-${run}-0`, variables: {} });
    await platform.engine.deleteProcessInstance(started.processInstanceKey);
  });

  it('XML with a DTD, an entity, an XInclude or a script, anywhere in a BPMN or DMN file, is refused with the problem named and nothing deployed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.entries(XML_ATTACKS)),
        fc.constantFrom(...Object.entries(XML_BODY_ATTACKS)),
        fc.constantFrom('prolog', 'body'),
        fc.constantFrom('bpmn', 'dmn'),
        async ([prologName, prolog], [bodyName, body], where, kind) => {
          const i = ++n;
          const base = kind === 'bpmn' ? companion(1_000 + i).content : dmn();
          const hostile =
            where === 'prolog'
              ? base.replace(XML_DECL, `${XML_DECL}${prolog}`)
              : kind === 'bpmn'
                ? base.replace('</bpmn:process>', `${body}</bpmn:process>`)
                : base.replace('<decisionTable', `${body.replaceAll('bpmn:', '')}<decisionTable`);
          const res = await deploy([companion(i), { name: `hostile-${i}.${kind}`, content: hostile }]);
          const what = `${where === 'prolog' ? prologName : bodyName} in ${kind}`;
          expect(res.statusCode, `${what}: ${res.body.slice(0, 300)}`).toBe(422);
          const problem = res.json() as { code: string; errors: { pointer: string; message: string }[] };
          expect(problem.code).toBe('INVALID_DEFINITIONS');
          expect(
            problem.errors.some((e) => e.pointer === '/resources/1/content'),
            what,
          ).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
    await expectNothingDeployed();
  });

  it('forms carrying a script in any disguise are refused and nothing is deployed', async () => {
    for (const [name, components] of Object.entries(FORM_ATTACKS)) {
      const content = name === 'unicodeEscapedScript' ? unicodeEscapedForm : form(components);
      const i = ++n;
      const res = await deploy([companion(i), { name: `hostile-${i}.form`, content }]);
      expect(res.statusCode, `${name}: ${res.body.slice(0, 300)}`).toBe(422);
      expect(res.json()).toMatchObject({
        code: 'INVALID_DEFINITIONS',
        errors: [expect.objectContaining({ pointer: '/resources/1/content' })],
      });
    }
    await expectNothingDeployed();
  });

  it('huge and pathological files are refused quickly without hurting the server', async () => {
    const i = ++n;
    // over the per-file limit (2,000,000 characters): 400 naming the field
    const big = await deploy([companion(i), { name: `big-${i}.bpmn`, content: `${XML_DECL}<x>${'a'.repeat(2_000_001)}</x>` }]);
    expect(big.statusCode).toBe(400);
    // over the request limit (8 MiB): 413
    const many = Array.from({ length: 5 }, (_, k) => ({ name: `many-${k}.bpmn`, content: 'x'.repeat(1_900_000) }));
    expect((await deploy(many)).statusCode).toBe(413);
    // deeply nested XML and a flood of elements, under the limits: refused (not valid BPMN / DMN), in bounded time
    for (const [name, content] of [
      [`nested-${i}.bpmn`, `${XML_DECL}${'<a>'.repeat(200_000)}${'</a>'.repeat(200_000)}`],
      [`nested-${i}.dmn`, `${XML_DECL}${'<a>'.repeat(200_000)}${'</a>'.repeat(200_000)}`],
      [`flood-${i}.bpmn`, companion(i).content.replace('</bpmn:process>', `${'<bpmn:task />'.repeat(100_000)}</bpmn:process>`)],
      [`nested-${i}.form`, `{"id":"f","components":${'['.repeat(100_000)}${']'.repeat(100_000)}}`],
    ] as const) {
      const began = Date.now();
      const res = await deploy([companion(i), { name, content }]);
      expect(res.statusCode, `${name}: ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${name}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
      expect(Date.now() - began, name).toBeLessThan(30_000);
    }
    expect((await platform.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    await expectNothingDeployed();
  });

  it('only process owners and admins deploy: every other role and no token are refused, nothing deployed', async () => {
    const i = ++n;
    for (const user of ['customer.zhang', 'clerk.urumqi', 'clerk.response', 'leader.region']) {
      const res = await deploy([companion(i)], await platform.tokenFor(user));
      expect(res.statusCode, user).toBe(403);
    }
    expect(
      (await platform.fastify.inject({ method: 'POST', url: '/deployments', payload: { resources: [companion(i)] } })).statusCode,
    ).toBe(401);
    const forged = `${(await platform.tokenFor('customer.zhang')).split('.').slice(0, 2).join('.')}.forged`;
    expect((await deploy([companion(i)], forged)).statusCode).toBe(401);
    await expectNothingDeployed();
  });
});
