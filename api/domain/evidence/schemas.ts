import { z } from 'zod';
import { EVIDENCE_KINDS, EvidenceKindSchema } from '../../../contracts/evidence.ts';

/** Any id is looked up (a malformed one is simply not found, 404), so the body of a request is checked whatever the path holds. */
export const EvidenceIdParamsSchema = z.object({
  id: z.string().trim().min(1).max(100).describe('an evidence id (a UUID, as the upload answered)'),
});

export const EvidenceSchema = z
  .object({
    id: z.uuid(),
    kind: EvidenceKindSchema,
    fileName: z.string().describe('The name it was uploaded with (shown only; the type comes from the content)'),
    mediaType: z.string().describe('Detected from the content: image/jpeg, image/png, image/webp or application/pdf'),
    byteSize: z.number().int(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    sha256: z.string().describe('SHA-256 of the stored bytes, checked whenever the file is served'),
    originalSha256: z.string().describe('SHA-256 of the bytes as uploaded (before the metadata was stripped)'),
    metadataStripped: z.boolean().describe('EXIF (GPS location included) removed: every image'),
    taskKey: z.string(),
    elementId: z.string(),
    processInstanceKey: z.string(),
    businessKey: z.string().nullable(),
    uploadedBy: z.string(),
    uploadedAt: z.string(),
    rejected: z
      .object({ at: z.string(), by: z.string().nullable(), reason: z.string() })
      .nullable()
      .describe("The reviewer's rejection: the crew replaces the file"),
    contentUrl: z.string(),
    thumbnailUrl: z.string().nullable(),
  })
  .meta({ id: 'Evidence' });
export type Evidence = z.infer<typeof EvidenceSchema>;

export const TaskEvidenceSchema = z
  .object({
    requirement: z
      .object({ kinds: z.array(EvidenceKindSchema), minimum: z.number().int() })
      .nullable()
      .describe("What the task's form requires before completion (null: nothing)"),
    missing: z.object({ kinds: z.array(EvidenceKindSchema), count: z.number().int() }).describe('What is still missing'),
    canReject: z.boolean().describe('Whether you review this task and may reject a file'),
    files: z.array(EvidenceSchema).describe('Files of this task and of the earlier tasks on the same line / order, rejected ones too'),
  })
  .meta({ id: 'TaskEvidence' });

export const RejectEvidenceBodySchema = z
  .object({
    reason: z.string().trim().min(2, 'must say why (at least 2 characters)').max(500, 'must be at most 500 characters'),
    taskKey: z
      .string()
      .regex(/^\d{1,19}$/, 'a user task key (digits)')
      .optional()
      .describe('The review task you reject it in (default: your open review task of the same line / order)'),
  })
  .strict()
  .meta({ id: 'RejectEvidence', example: { reason: '照片模糊，看不清线缆标签编号' } });

/** Documents the multipart body: the field name of each file part is its kind. */
export const UploadEvidenceBodySchema = z
  .object(Object.fromEntries(EVIDENCE_KINDS.map((k) => [k, z.array(z.string().meta({ format: 'binary' })).optional()])))
  .nullish()
  .describe('multipart/form-data: one part per file, its field name the kind (equipment, crew-safety, cable-tag, …); at most 12 files')
  .meta({ example: { equipment: ['(photo bytes)'], 'crew-safety': ['(photo bytes)'], 'cable-tag': ['(photo bytes)'] } });
