import { boolean, index, integer, pgTable, text, timestamp, uuid, customType } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });
/** Engine keys are 64-bit; they travel as decimal strings (as in schema.ts). */
const engineKey = customType<{ data: string; driverData: string }>({ dataType: () => 'bigint' });
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Evidence files' bytes, once per SHA-256 (docs/evidence.md): checked against the hash whenever served in full. */
export const evidenceContents = pgTable('evidence_content', {
  sha256: text('sha256').primaryKey(),
  mediaType: text('media_type').notNull(),
  byteSize: integer('byte_size').notNull(),
  content: bytea('content').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
});

/**
 * One photo or document uploaded on a user task: linked to the task (and its element), the process
 * instance and the business object (order, line, ticket); kept after the task completes. A reviewer
 * may reject it with a reason; the crew then sees it rejected and uploads another.
 */
export const evidence = pgTable(
  'evidence',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userTaskKey: engineKey('user_task_key').notNull(),
    elementId: text('element_id').notNull(),
    formId: text('form_id'),
    processInstanceKey: engineKey('process_instance_key').notNull(),
    rootProcessInstanceKey: engineKey('root_process_instance_key'),
    businessKey: text('business_key'),
    /** The branch whose work it is: two branches' crews on one line order keep their files apart. */
    branch: text('branch'),
    /** equipment | crew-safety | cable-tag | acceptance-summary | onsite-report | completion-documents | other */
    kind: text('kind').notNull(),
    fileName: text('file_name').notNull(),
    /** Detected from the content, never from the name. */
    mediaType: text('media_type').notNull(),
    byteSize: integer('byte_size').notNull(),
    width: integer('width'),
    height: integer('height'),
    sha256: text('sha256').notNull(),
    thumbnailSha256: text('thumbnail_sha256'),
    /** The hash of the bytes as uploaded (before metadata was stripped): matches the file on the crew's phone. */
    originalSha256: text('original_sha256').notNull(),
    metadataStripped: boolean('metadata_stripped').notNull(),
    uploadedBy: text('uploaded_by').notNull(),
    uploadedAt: at('uploaded_at').notNull().defaultNow(),
    rejectedAt: at('rejected_at'),
    rejectedBy: text('rejected_by'),
    rejectionReason: text('rejection_reason'),
    rejectedInTaskKey: engineKey('rejected_in_task_key'),
  },
  (t) => [index('evidence_instance_idx').on(t.processInstanceKey, t.businessKey, t.branch), index('evidence_task_idx').on(t.userTaskKey)],
);
