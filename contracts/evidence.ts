import { z } from 'zod';

/**
 * What a photo or document shows (docs/evidence.md). The construction crew photographs the
 * equipment, the crew in helmet and reflective vest and the cable tags; the monthly acceptance
 * needs the signed acceptance summary, the on-site report and the completion documents.
 */
export const EVIDENCE_KINDS = [
  'equipment',
  'crew-safety',
  'cable-tag',
  'acceptance-summary',
  'onsite-report',
  'completion-documents',
  'other',
] as const;
export const EvidenceKindSchema = z.enum(EVIDENCE_KINDS, { error: `must be one of ${EVIDENCE_KINDS.join(', ')}` });
export type EvidenceKind = z.infer<typeof EvidenceKindSchema>;

/** Chinese first, as people read them; the English for the language switch and problem details. */
export const EVIDENCE_KIND_NAMES: Record<EvidenceKind, { zh: string; en: string }> = {
  equipment: { zh: '设备照片', en: 'equipment photo' },
  'crew-safety': { zh: '施工人员安全装备', en: 'crew with helmet and reflective vest' },
  'cable-tag': { zh: '线缆标签', en: 'cable tag' },
  'acceptance-summary': { zh: '验收单', en: 'signed acceptance summary' },
  'onsite-report': { zh: '现场报告', en: 'on-site report' },
  'completion-documents': { zh: '竣工资料', en: 'completion documents' },
  other: { zh: '其他', en: 'other' },
};

/** What a form asks for before its task may be completed: at least one file of each kind, and a minimum count. */
export interface EvidenceRequirement {
  kinds: EvidenceKind[];
  minimum: number;
}

/** The custom properties (form-js `properties`) a form declares its requirement with, on any component. */
export const EVIDENCE_KINDS_PROPERTY = 'evidence.kinds';
export const EVIDENCE_MINIMUM_PROPERTY = 'evidence.minimum';

interface FormNode {
  properties?: Record<string, unknown>;
  components?: FormNode[];
}

/**
 * Reads a form's evidence requirement: `"properties": { "evidence.kinds": "equipment,crew-safety,cable-tag",
 * "evidence.minimum": "3" }` on the form or any of its components (form-js' custom properties are
 * strings). No such property: nothing required. An unknown kind is a mistake in the form and throws.
 */
export function evidenceRequirement(form: unknown): EvidenceRequirement | null {
  const kinds = new Set<EvidenceKind>();
  let minimum = 0;
  let declared = false;
  const visit = (node: FormNode | undefined) => {
    if (!node || typeof node !== 'object') return;
    const props = node.properties ?? {};
    const listed = props[EVIDENCE_KINDS_PROPERTY];
    if (typeof listed === 'string' && listed.trim() !== '') {
      declared = true;
      for (const k of listed
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean))
        kinds.add(EvidenceKindSchema.parse(k));
    }
    const min = props[EVIDENCE_MINIMUM_PROPERTY];
    if (min !== undefined && min !== '') {
      const n = Number(min);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${EVIDENCE_MINIMUM_PROPERTY} must be a whole number, not ${String(min)}`);
      declared = true;
      minimum = Math.max(minimum, n);
    }
    for (const c of node.components ?? []) visit(c);
  };
  visit(form as FormNode);
  if (!declared) return null;
  return { kinds: [...kinds], minimum: Math.max(minimum, kinds.size) };
}

/** What is missing from the files at hand (kinds of the files not rejected): nothing when empty. */
export function missingEvidence(requirement: EvidenceRequirement, presentKinds: string[]): { kinds: EvidenceKind[]; count: number } {
  const have = new Set(presentKinds);
  const kinds = requirement.kinds.filter((k) => !have.has(k));
  return { kinds, count: Math.max(requirement.minimum - presentKinds.length, 0) };
}
