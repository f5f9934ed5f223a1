import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAcceptanceBatch } from '../api/domain/acceptance/use-cases.ts';
import { MAX_EVIDENCE_BYTES } from '../api/domain/evidence/inspect.ts';
import { evidenceRequirement, missingEvidence } from '../contracts/evidence.ts';
import { ACCEPTANCE_KINDS, multipart, pngBomb, samplePhoto, upload } from './support/evidence.ts';
import { completeTask } from './support/orders.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';

interface TaskView {
  key: string;
  elementId: string;
  processInstanceKey: string;
}
interface EvidenceView {
  id: string;
  kind: string;
  fileName: string;
  mediaType: string;
  width: number | null;
  sha256: string;
  originalSha256: string;
  metadataStripped: boolean;
  rejected: { reason: string; by: string } | null;
  contentUrl: string;
  thumbnailUrl: string | null;
}
interface Problem {
  code: string;
  detail: string;
  errors?: { pointer: string; message: string }[];
}

/** Crews and reviewers of branches no other suite uses, so their task lists hold only this suite's lines. */
const USERS = [
  { username: 'crew.ev-api', groups: ['acceptance-ev-api'], branch: 'ev-api' },
  { username: 'crew.ev-other', groups: ['acceptance-ev-other'], branch: 'ev-other' },
];

describe("a form's evidence requirement", () => {
  it('is read from custom properties on any component; an unknown kind is a mistake in the form', () => {
    const form = (properties: Record<string, string>) => ({ components: [{ type: 'text', components: [{ type: 'text', properties }] }] });
    expect(evidenceRequirement({ components: [{ type: 'textfield', key: 'x' }] })).toBeNull();
    expect(evidenceRequirement(form({ 'evidence.kinds': 'equipment, cable-tag', 'evidence.minimum': '3' }))).toEqual({
      kinds: ['equipment', 'cable-tag'],
      minimum: 3,
    });
    // the minimum is at least one file per kind
    expect(evidenceRequirement(form({ 'evidence.kinds': 'equipment,crew-safety' }))?.minimum).toBe(2);
    expect(() => evidenceRequirement(form({ 'evidence.kinds': 'selfie' }))).toThrow();
    expect(() => evidenceRequirement(form({ 'evidence.minimum': 'three' }))).toThrow();
    const requirement = { kinds: ['equipment' as const, 'cable-tag' as const], minimum: 3 };
    expect(missingEvidence(requirement, ['equipment', 'equipment'])).toEqual({ kinds: ['cable-tag'], count: 1 });
    expect(missingEvidence(requirement, ['equipment', 'cable-tag', 'other'])).toEqual({ kinds: [], count: 0 });
  });
});

describe('photo and document evidence through the API', () => {
  let platform: Platform;
  let crew: string;
  let otherCrew: string;
  let response: string;
  let customer: string;
  let leader: string;
  let acceptance: TaskView;

  beforeAll(async () => {
    platform = await startPlatform();
    for (const u of USERS) {
      await platform.database.sql`
        insert into app_user (username, password_hash, display_name, role, groups, branch)
        values (${u.username}, 'not-a-login', ${u.username}, 'clerk', ${u.groups}, ${u.branch}) on conflict do nothing`;
    }
    crew = await platform.tokenFor('crew.ev-api');
    otherCrew = await platform.tokenFor('crew.ev-other');
    response = await platform.tokenFor('clerk.response');
    customer = await platform.tokenFor('customer.zhang');
    leader = await platform.tokenFor('leader.region');
    // a line of the crew's branch put into inventory in February 2025: its on-site acceptance is the crew's task
    await platform.database.sql`
      insert into enterprise_line (line_id, customer, branch, service, a_end, z_end, in_inventory_at)
      values ('DL-EV-API', '证据测试客户', 'ev-api', 'internet-line', 'A', 'Z', '2025-02-10T10:00:00+08:00') on conflict do nothing`;
    const { processInstanceKey } = await startAcceptanceBatch({ month: '2025-02', engine: platform.engine, engineTimeoutMs: 5000 });
    acceptance = await eventually(async () =>
      ((await platform.app.inject({ method: 'GET', url: '/tasks?group=acceptance-ev-api&limit=500' })).json() as TaskView[]).find(
        (t) => t.processInstanceKey === processInstanceKey && t.elementId === 'onsite-acceptance',
      ),
    );
  });
  afterAll(async () => platform?.close());

  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const get = (url: string, token: string) => platform.fastify.inject({ method: 'GET', url, headers: as(token) });
  const refusedFile = (res: { statusCode: number; json(): unknown }) => {
    expect(res.statusCode).toBe(400);
    return res.json() as Problem;
  };

  it('a crew uploads several photos of several kinds on its task; the list says what the form still requires', async () => {
    const before = (await get(`/tasks/${acceptance.key}/evidence`, crew)).json() as {
      requirement: { kinds: string[]; minimum: number };
      missing: { kinds: string[] };
      files: unknown[];
    };
    expect(before.requirement).toEqual({ kinds: ACCEPTANCE_KINDS, minimum: 3 });
    expect(before.missing.kinds).toEqual(ACCEPTANCE_KINDS);

    const res = await upload(
      platform,
      acceptance.key,
      [
        { field: 'acceptance-summary', fileName: '验收单.jpg', content: await samplePhoto(), contentType: 'image/jpeg' },
        { field: 'onsite-report', fileName: 'report.png', content: await samplePhoto({ format: 'png' }), contentType: 'image/png' },
      ],
      crew,
    );
    expect(res.statusCode, res.body).toBe(201);
    const stored = res.json() as EvidenceView[];
    expect(stored.map((f) => [f.kind, f.fileName, f.mediaType])).toEqual([
      ['acceptance-summary', '验收单.jpg', 'image/jpeg'],
      ['onsite-report', 'report.png', 'image/png'],
    ]);

    const after = (await get(`/tasks/${acceptance.key}/evidence`, crew)).json() as { missing: { kinds: string[] }; files: EvidenceView[] };
    expect(after.missing.kinds).toEqual(['completion-documents']);
    expect(after.files.map((f) => f.id)).toEqual(stored.map((f) => f.id));
  });

  it('a file is served whole and checked against its SHA-256, with a 320-px JPEG thumbnail, never sniffed as something else', async () => {
    const [file] = ((await get(`/tasks/${acceptance.key}/evidence`, crew)).json() as { files: EvidenceView[] }).files;
    const full = await get(file!.contentUrl, crew);
    expect(full.statusCode).toBe(200);
    expect(full.headers['content-type']).toBe('image/jpeg');
    expect(full.headers['x-content-type-options']).toBe('nosniff');
    expect(full.headers['content-security-policy']).toContain('sandbox');
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(full.rawPayload).digest('hex')).toBe(file!.sha256);

    const thumb = await get(file!.thumbnailUrl!, crew);
    expect(thumb.statusCode).toBe(200);
    const meta = await sharp(thumb.rawPayload).metadata();
    expect(meta.format).toBe('jpeg');
    expect(Math.max(meta.width!, meta.height!)).toBe(320);

    // bytes damaged in storage are refused, not served
    await platform.database
      .sql`update evidence_content set content = content || '\\x00'::bytea, byte_size = byte_size + 1 where sha256 = ${file!.sha256}`;
    const damaged = await get(file!.contentUrl, crew);
    expect(damaged.statusCode).toBe(500);
    expect((damaged.json() as Problem).code).toBe('EVIDENCE_DAMAGED');
    await platform.database
      .sql`update evidence_content set content = substring(content from 1 for byte_size - 1), byte_size = byte_size - 1 where sha256 = ${file!.sha256}`;
    expect((await get(file!.contentUrl, crew)).statusCode).toBe(200);
  });

  it("EXIF, GPS location included, is stripped from every photo; the original's hash is kept", async () => {
    const original = await samplePhoto({ gps: true });
    expect((await sharp(original).metadata()).exif).toBeDefined();
    const res = await upload(platform, acceptance.key, [{ field: 'completion-documents', fileName: 'gps.jpg', content: original }], crew);
    expect(res.statusCode, res.body).toBe(201);
    const [file] = res.json() as EvidenceView[];
    expect(file!.metadataStripped).toBe(true);
    const served = await get(file!.contentUrl, crew);
    const meta = await sharp(served.rawPayload).metadata();
    expect(meta.exif).toBeUndefined();
    expect(served.rawPayload.includes(Buffer.from('TestPhone'))).toBe(false);
    const { createHash } = await import('node:crypto');
    expect(file!.originalSha256).toBe(createHash('sha256').update(original).digest('hex'));
  });

  it('the type comes from the content: a PNG named .txt is stored as a PNG; HTML named .jpg and SVG are refused, naming the file', async () => {
    const png = await upload(
      platform,
      acceptance.key,
      [{ field: 'onsite-report', fileName: 'notes.txt', content: await samplePhoto({ format: 'png' }), contentType: 'text/plain' }],
      crew,
    );
    expect(png.statusCode, png.body).toBe(201);
    expect((png.json() as EvidenceView[])[0]!.mediaType).toBe('image/png');

    const html = refusedFile(
      await upload(
        platform,
        acceptance.key,
        [
          {
            field: 'equipment',
            fileName: 'photo.jpg',
            content: Buffer.from('<html><body><script>alert(1)</script></body></html>'),
            contentType: 'image/jpeg',
          },
        ],
        crew,
      ),
    );
    expect(html.code).toBe('EVIDENCE_REFUSED');
    expect(html.detail).toContain('photo.jpg');
    expect(html.errors).toEqual([
      expect.objectContaining({ pointer: '/equipment/0', message: expect.stringMatching(/photo\.jpg.*HTML.*EVIDENCE_ACTIVE_CONTENT/) }),
    ]);

    const svg = refusedFile(
      await upload(
        platform,
        acceptance.key,
        [
          {
            field: 'cable-tag',
            fileName: 'tag.svg',
            content: Buffer.from(
              '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
            ),
            contentType: 'image/svg+xml',
          },
        ],
        crew,
      ),
    );
    expect(svg.errors![0]!.message).toMatch(/tag\.svg.*SVG/);

    const pdf = refusedFile(
      await upload(
        platform,
        acceptance.key,
        [
          {
            field: 'acceptance-summary',
            fileName: 'summary.pdf',
            content: Buffer.from(
              '%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF',
            ),
          },
        ],
        crew,
      ),
    );
    expect(pdf.errors![0]!.message).toMatch(/summary\.pdf.*JavaScript/);
    const cleanPdf = await upload(
      platform,
      acceptance.key,
      [
        {
          field: 'acceptance-summary',
          fileName: 'summary-clean.pdf',
          content: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF'),
        },
      ],
      crew,
    );
    expect(cleanPdf.statusCode, cleanPdf.body).toBe(201);
    expect((cleanPdf.json() as EvidenceView[])[0]).toMatchObject({ mediaType: 'application/pdf', thumbnailUrl: null });
  });

  it('one refused file refuses the whole upload; too large and a decompression bomb are refused by name', async () => {
    const count = async () => (await platform.database.sql`select count(*)::int as n from evidence`)[0]!.n as number;
    const before = await count();
    const bomb = pngBomb();
    expect(bomb.length).toBeLessThan(200_000);
    const refused = refusedFile(
      await upload(
        platform,
        acceptance.key,
        [
          { field: 'equipment', fileName: 'fine.jpg', content: await samplePhoto() },
          { field: 'equipment', fileName: 'bomb.png', content: bomb },
          { field: 'equipment', fileName: 'huge.jpg', content: Buffer.concat([await samplePhoto(), Buffer.alloc(MAX_EVIDENCE_BYTES)]) },
          { field: 'tyre-photo', fileName: 'kind.jpg', content: await samplePhoto() },
        ],
        crew,
      ),
    );
    expect(refused.errors!.map((e) => e.pointer)).toEqual(['/equipment/1', '/equipment/2', '/tyre-photo/3']);
    expect(refused.errors![0]!.message).toMatch(/bomb\.png.*10000×10000.*EVIDENCE_TOO_MANY_PIXELS/);
    expect(refused.errors![1]!.message).toMatch(/huge\.jpg.*EVIDENCE_TOO_LARGE/);
    expect(refused.detail).toMatch(/bomb\.png.*huge\.jpg.*kind\.jpg/);
    expect(await count()).toBe(before); // not even fine.jpg

    // a JSON body is not an upload
    const json = await platform.fastify.inject({
      method: 'POST',
      url: `/tasks/${acceptance.key}/evidence`,
      payload: {},
      headers: as(crew),
    });
    expect(json.statusCode).toBe(415);
    // nor is a multipart body without a file
    const empty = multipart([]);
    const none = await platform.fastify.inject({
      method: 'POST',
      url: `/tasks/${acceptance.key}/evidence`,
      payload: empty.payload,
      headers: { ...empty.headers, ...as(crew) },
    });
    expect((none.json() as Problem).code).toBe('EVIDENCE_NO_FILE');
    // a text part is not a file; thirteen files are one too many
    const field = multipart([]);
    const boundary = field.headers['content-type']!.split('boundary=')[1]!;
    const text = await platform.fastify.inject({
      method: 'POST',
      url: `/tasks/${acceptance.key}/evidence`,
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--${boundary}--\r\n`,
      headers: { ...field.headers, ...as(crew) },
    });
    expect(text.statusCode).toBe(400);
    expect(text.json()).toMatchObject({ code: 'EVIDENCE_NOT_A_FILE', errors: [{ pointer: '/note' }] });
    const photo = await samplePhoto({ width: 64, height: 48 });
    const thirteen = await upload(
      platform,
      acceptance.key,
      Array.from({ length: 13 }, (_, i) => ({ field: 'equipment', fileName: `${i}.jpg`, content: photo })),
      crew,
    );
    expect(thirteen.statusCode).toBe(413);
    expect((thirteen.json() as Problem).code).toBe('EVIDENCE_TOO_MANY_FILES');
    expect(await count()).toBe(before);
  });

  it("another branch's crew, another group's clerk and customers see nothing of it; leaders do", async () => {
    const [file] = ((await get(`/tasks/${acceptance.key}/evidence`, crew)).json() as { files: EvidenceView[] }).files;
    for (const url of [`/evidence/${file!.id}`, file!.contentUrl, file!.thumbnailUrl!, `/tasks/${acceptance.key}/evidence`]) {
      expect((await get(url, otherCrew)).statusCode, url).toBe(404);
    }
    expect(
      (await upload(platform, acceptance.key, [{ field: 'equipment', fileName: 'x.jpg', content: await samplePhoto() }], otherCrew))
        .statusCode,
    ).toBe(404);
    for (const url of [`/evidence/${file!.id}`, file!.contentUrl, `/tasks/${acceptance.key}/evidence`]) {
      expect((await get(url, customer)).statusCode, url).toBe(403);
    }
    // the response center sees them once it reviews the line (below), not before; leaders see all
    expect((await get(file!.contentUrl, response)).statusCode).toBe(404);
    expect((await get(file!.contentUrl, leader)).statusCode).toBe(200);
    const clerkUrumqi = await platform.tokenFor('clerk.urumqi');
    expect((await get(file!.contentUrl, clerkUrumqi)).statusCode).toBe(404);
    // nobody but a reviewer of the line may reject it: the crew has no review task
    const reject = await platform.fastify.inject({
      method: 'POST',
      url: `/evidence/${file!.id}/reject`,
      payload: { reason: '自己退回' },
      headers: as(crew),
    });
    expect(reject.statusCode).toBe(403);
  });

  it('completion is refused while a required kind is missing, naming it; once all are there it completes and the files stay', async () => {
    const rows = await platform.database.sql<{ id: string; kind: string }[]>`
      select id, kind from evidence where user_task_key = ${acceptance.key} and kind = 'completion-documents'`;
    // without the completion documents (a reviewer's rejection counts them out)
    await platform.database
      .sql`update evidence set rejected_at = now(), rejection_reason = '测试' where id in ${platform.database.sql(rows.map((r) => r.id))}`;
    const refused = await completeTask(platform, acceptance.key, {});
    expect(refused.statusCode).toBe(422);
    const problem = refused.json() as Problem;
    expect(problem.code).toBe('EVIDENCE_MISSING');
    expect(problem.detail).toContain('竣工资料');
    expect(problem.errors).toEqual([expect.objectContaining({ pointer: '/evidence/completion-documents' })]);

    await upload(
      platform,
      acceptance.key,
      [{ field: 'completion-documents', fileName: '竣工资料.jpg', content: await samplePhoto() }],
      crew,
    );
    const done = await platform.fastify.inject({
      method: 'POST',
      url: `/tasks/${acceptance.key}/complete`,
      payload: { variables: { acceptanceNote: '资料齐全' } },
      headers: as(crew),
    });
    expect(done.statusCode, done.body).toBe(204);
    // kept after completion, and uploads on a completed task are refused
    const kept = await platform.database.sql`select count(*)::int as n from evidence where user_task_key = ${acceptance.key}`;
    expect(kept[0]!.n).toBeGreaterThanOrEqual(5);
    await eventually(async () => (await get(`/tasks/${acceptance.key}`, crew)).json<{ state: string }>().state === 'completed');
    expect(
      (await upload(platform, acceptance.key, [{ field: 'equipment', fileName: 'late.jpg', content: await samplePhoto() }], crew))
        .statusCode,
    ).toBe(409);
    // the response center's review of the line now shows it the crew's files
    const files = await eventually(async () => {
      const review = ((await get('/tasks?group=customer-response-center&limit=500', response)).json() as TaskView[]).find(
        (t) => t.processInstanceKey === acceptance.processInstanceKey && t.elementId === 'review-acceptance',
      );
      return review
        ? ((await get(`/tasks/${review.key}/evidence`, response)).json() as { canReject: boolean; files: EvidenceView[] })
        : undefined;
    });
    expect(files.canReject).toBe(true);
    expect(files.files.length).toBeGreaterThanOrEqual(5);
    expect((await get(files.files[0]!.contentUrl, response)).statusCode).toBe(200);
  });
});
