import fastifyMultipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ACCESS } from '../domain/auth/access.ts';
import { MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES } from '../domain/evidence/inspect.ts';
import { createEvidenceRepository } from '../domain/evidence/repository.ts';
import {
  EvidenceIdParamsSchema,
  EvidenceSchema,
  RejectEvidenceBodySchema,
  TaskEvidenceSchema,
  UploadEvidenceBodySchema,
} from '../domain/evidence/schemas.ts';
import {
  evidenceContent,
  getEvidence,
  listTaskEvidence,
  rejectEvidence,
  uploadEvidence,
  type UploadedFile,
} from '../domain/evidence/use-cases.ts';
import { createTaskRepository } from '../domain/tasks/repository.ts';
import { TaskKeyParamsSchema } from '../domain/tasks/schemas.ts';
import { ApiError, ProblemSchema } from '../errors.ts';
import { principal } from '../plugins/auth.ts';

const BinarySchema = z.string().meta({ format: 'binary' });

/** Photos and documents on tasks (docs/evidence.md): upload from a phone or desktop, list, view, thumbnails, a reviewer's rejection. */
export const evidenceRoutes: FastifyPluginAsyncZod = async (app) => {
  const tasks = createTaskRepository({ db: app.database.db });
  const evidence = createEvidenceRepository({ db: app.database.db });
  // Only this plugin's routes take multipart bodies; a part over the size limit is cut and refused by name.
  await app.register(fastifyMultipart, {
    limits: {
      fileSize: MAX_EVIDENCE_BYTES + 1,
      files: MAX_EVIDENCE_FILES,
      fields: 4, // read, then refused by name (every part must be a file)
      parts: MAX_EVIDENCE_FILES + 4,
      fieldSize: 1024,
      headerPairs: 100,
    },
    throwFileSizeLimit: false,
  });

  app.post(
    '/tasks/:key/evidence',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['evidence'],
        summary: 'Upload photos or documents on an open task (multipart: each part named by its kind); all refused if one is',
        consumes: ['multipart/form-data'],
        params: TaskKeyParamsSchema,
        body: UploadEvidenceBodySchema,
        response: {
          201: z.array(EvidenceSchema),
          400: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
          413: ProblemSchema,
          415: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) {
        throw new ApiError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          'Unsupported media type',
          '请以 multipart/form-data 上传文件。 Send the files as multipart/form-data.',
        );
      }
      const files: UploadedFile[] = [];
      const fields: string[] = [];
      try {
        for await (const part of request.parts()) {
          if (part.type !== 'file') {
            fields.push(part.fieldname);
            continue;
          }
          const bytes = await part.toBuffer();
          files.push({ field: part.fieldname, fileName: part.filename, bytes, truncated: part.file.truncated });
        }
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
          throw new ApiError(
            413,
            'EVIDENCE_TOO_MANY_FILES',
            'Too many files',
            `一次最多上传 ${MAX_EVIDENCE_FILES} 个文件。 At most ${MAX_EVIDENCE_FILES} files in one upload.`,
          );
        }
        throw e;
      }
      if (fields.length > 0) {
        throw new ApiError(
          400,
          'EVIDENCE_NOT_A_FILE',
          'Not a file',
          '每个部分须为一个文件，字段名为资料类型。 Every part must be a file named by its kind.',
          fields.map((f) => ({ pointer: `/${f}`, in: 'body' as const, message: '不是文件 / not a file' })),
        );
      }
      const stored = await uploadEvidence({ caller: principal(request), tasks, evidence, key: request.params.key, files });
      request.log.info({ userTaskKey: request.params.key, files: stored.map((f) => f.id) }, 'evidence uploaded');
      return reply.status(201).send(stored);
    },
  );

  app.get(
    '/tasks/:key/evidence',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['evidence'],
        summary: "The files of a task's line or order (rejected ones with their reason) and what its form still requires",
        params: TaskKeyParamsSchema,
        response: { 200: TaskEvidenceSchema, 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => listTaskEvidence({ caller: principal(request), tasks, evidence, key: request.params.key }),
  );

  app.get(
    '/evidence/:id',
    {
      config: { access: ACCESS.staff },
      schema: {
        tags: ['evidence'],
        summary: 'One file: what it shows, where it belongs, its checksums and rejection',
        params: EvidenceIdParamsSchema,
        response: { 200: EvidenceSchema, 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => getEvidence({ caller: principal(request), tasks, evidence, id: request.params.id }),
  );

  for (const variant of ['content', 'thumbnail'] as const) {
    app.get(
      `/evidence/:id/${variant}`,
      {
        config: { access: ACCESS.staff },
        schema: {
          tags: ['evidence'],
          summary:
            variant === 'content'
              ? 'The file itself (images without their metadata), checked against its SHA-256'
              : 'A JPEG thumbnail of a photo, at most 320 px on each side',
          params: EvidenceIdParamsSchema,
          response: { 200: BinarySchema, 400: ProblemSchema, 404: ProblemSchema },
        },
      },
      async (request, reply) => {
        const file = await evidenceContent({
          caller: principal(request),
          tasks,
          evidence,
          id: request.params.id,
          variant: variant === 'content' ? 'full' : 'thumbnail',
        });
        const inline = file.mediaType.startsWith('image/');
        const name = variant === 'thumbnail' ? `thumbnail-${file.row.fileName}.jpg` : file.row.fileName;
        return reply
          .header('content-type', file.mediaType)
          .header('content-length', file.content.length)
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(name)}`)
          .header('cache-control', 'private, max-age=86400, immutable')
          .header('etag', `"${file.sha256}"`)
          .send(file.content as unknown as string); // bytes, sent as they are (no serialiser runs on a Buffer)
      },
    );
  }

  app.post(
    '/evidence/:id/reject',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['evidence'],
        summary: 'Reject one file with a reason, in your open review of its line or order (the crew is sent back to replace it)',
        params: EvidenceIdParamsSchema,
        body: RejectEvidenceBodySchema,
        response: { 200: EvidenceSchema, 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request) => {
      const rejected = await rejectEvidence({
        caller: principal(request),
        tasks,
        evidence,
        id: request.params.id,
        reason: request.body.reason,
        taskKey: request.body.taskKey,
      });
      request.log.info({ evidenceId: rejected.id, by: principal(request).username }, 'evidence rejected');
      return rejected;
    },
  );
};
