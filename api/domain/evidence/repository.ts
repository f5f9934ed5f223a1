import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { evidence, evidenceContents } from '../../../db/schema.ts';
import type { InspectedFile } from './inspect.ts';

export type EvidenceRow = typeof evidence.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where a file belongs: the task it was uploaded on and what that task is about. */
export interface EvidenceLink {
  userTaskKey: string;
  elementId: string;
  formId: string | null;
  processInstanceKey: string;
  rootProcessInstanceKey: string | null;
  businessKey: string | null;
  branch: string | null;
}

/** What files belong to: a line or order (business key) of a branch in a process instance. */
export interface EvidenceSubject {
  processInstanceKey: string;
  businessKey: string | null;
  branch: string | null;
}

export function createEvidenceRepository({ db }: { db: Db }) {
  return {
    /**
     * Stores the files and their rows in one transaction: all or none. Content already stored (the
     * same bytes uploaded before) is not stored again.
     */
    async add(link: EvidenceLink, uploadedBy: string, files: { kind: string; fileName: string; inspected: InspectedFile }[]) {
      return db.transaction(async (tx) => {
        const rows: EvidenceRow[] = [];
        for (const { kind, fileName, inspected } of files) {
          const contents = [{ sha256: inspected.sha256, mediaType: inspected.mediaType, content: inspected.content }];
          if (inspected.thumbnail) contents.push(inspected.thumbnail);
          for (const c of contents) {
            await tx
              .insert(evidenceContents)
              .values({ sha256: c.sha256, mediaType: c.mediaType, byteSize: c.content.length, content: c.content })
              .onConflictDoNothing();
          }
          const [row] = await tx
            .insert(evidence)
            .values({
              ...link,
              kind,
              fileName,
              mediaType: inspected.mediaType,
              byteSize: inspected.content.length,
              width: inspected.width,
              height: inspected.height,
              sha256: inspected.sha256,
              thumbnailSha256: inspected.thumbnail?.sha256 ?? null,
              originalSha256: inspected.originalSha256,
              metadataStripped: inspected.metadataStripped,
              uploadedBy,
              // the moment of this row, not of the transaction: files of one upload list in the order sent
              uploadedAt: sql`clock_timestamp()`,
            })
            .returning();
          rows.push(row!);
        }
        return rows;
      });
    },
    async find(id: string): Promise<EvidenceRow | undefined> {
      if (!UUID.test(id)) return undefined; // not an id we hand out: not found (PostgreSQL would refuse the cast)
      const [row] = await db.select().from(evidence).where(eq(evidence.id, id));
      return row;
    },
    /** The files of one business object of one branch in one process instance (every task of it), oldest first. */
    async ofSubject({ processInstanceKey, businessKey, branch }: EvidenceSubject): Promise<EvidenceRow[]> {
      return db
        .select()
        .from(evidence)
        .where(
          and(
            eq(evidence.processInstanceKey, processInstanceKey),
            businessKey === null ? isNull(evidence.businessKey) : eq(evidence.businessKey, businessKey),
            branch === null ? isNull(evidence.branch) : eq(evidence.branch, branch),
          ),
        )
        .orderBy(asc(evidence.uploadedAt), asc(evidence.id));
    },
    async content(sha256: string) {
      const [row] = await db.select().from(evidenceContents).where(eq(evidenceContents.sha256, sha256));
      return row;
    },
    /** Rejects a file once; a second rejection changes nothing and answers undefined. */
    async reject(id: string, { by, reason, inTaskKey }: { by: string; reason: string; inTaskKey: string }) {
      const [row] = await db
        .update(evidence)
        .set({ rejectedAt: sql`now()`, rejectedBy: by, rejectionReason: reason, rejectedInTaskKey: inTaskKey })
        .where(and(eq(evidence.id, id), isNull(evidence.rejectedAt)))
        .returning();
      return row;
    },
  };
}
export type EvidenceRepository = ReturnType<typeof createEvidenceRepository>;
