import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { evidence, forms } from '../../db/schema.ts';
import { evidenceRequirement, type EvidenceRequirement } from '../../contracts/evidence.ts';

/** A line or order of a branch in a process instance: what its files belong to (docs/evidence.md). */
export interface EvidenceSubject {
  processInstanceKey: string;
  businessKey: string | null;
  branch: string | null;
}

/** The files crews uploaded (api/domain/evidence), as the workers may read them: which kinds are there. */
export interface EvidenceRegister {
  /** Kinds of the files of a subject that no reviewer rejected, one entry per file. */
  presentKinds(subject: EvidenceSubject): Promise<string[]>;
  /** What the newest deployed version of a form requires (null: nothing, or no such form). */
  requirementOf(formId: string): Promise<EvidenceRequirement | null>;
}

export class PostgresEvidenceRegister implements EvidenceRegister {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async presentKinds({ processInstanceKey, businessKey, branch }: EvidenceSubject): Promise<string[]> {
    const rows = await this.db
      .select({ kind: evidence.kind })
      .from(evidence)
      .where(
        and(
          eq(evidence.processInstanceKey, processInstanceKey),
          businessKey === null ? isNull(evidence.businessKey) : eq(evidence.businessKey, businessKey),
          branch === null ? isNull(evidence.branch) : eq(evidence.branch, branch),
          isNull(evidence.rejectedAt),
        ),
      );
    return rows.map((r) => r.kind);
  }

  async requirementOf(formId: string): Promise<EvidenceRequirement | null> {
    const [form] = await this.db.select().from(forms).where(eq(forms.formId, formId)).orderBy(desc(forms.version)).limit(1);
    return form ? evidenceRequirement(form.schema) : null;
  }
}
