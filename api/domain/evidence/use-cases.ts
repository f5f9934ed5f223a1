import {
  EVIDENCE_KIND_NAMES,
  evidenceRequirement,
  EvidenceKindSchema,
  missingEvidence,
  type EvidenceKind,
  type EvidenceRequirement,
} from '../../../contracts/evidence.ts';
import { ApiError } from '../../errors.ts';
import type { Principal } from '../auth/schemas.ts';
import type { TaskRepository, TaskRow } from '../tasks/repository.ts';
import { mayWork } from '../tasks/use-cases.ts';
import { EvidenceRefusal, inspectEvidenceFile, MAX_EVIDENCE_FILES, sha256Of } from './inspect.ts';
import type { EvidenceRepository, EvidenceRow } from './repository.ts';
import type { Evidence } from './schemas.ts';

/** A form property that lets the tasks of that form reject files (the response center's review and re-inspection). */
export const EVIDENCE_REVIEW_PROPERTY = 'evidence.review';

export const evidenceNotFound = (id: string) =>
  new ApiError(404, 'EVIDENCE_NOT_FOUND', 'Evidence not found', `没有文件 ${id}。 There is no evidence file ${id}.`);
const taskNotFound = (key: string) => new ApiError(404, 'TASK_NOT_FOUND', 'Task not found', `There is no user task ${key}.`);

export function toEvidence(row: EvidenceRow): Evidence {
  return {
    id: row.id,
    kind: EvidenceKindSchema.catch('other').parse(row.kind),
    fileName: row.fileName,
    mediaType: row.mediaType,
    byteSize: row.byteSize,
    width: row.width,
    height: row.height,
    sha256: row.sha256,
    originalSha256: row.originalSha256,
    metadataStripped: row.metadataStripped,
    taskKey: row.userTaskKey,
    elementId: row.elementId,
    processInstanceKey: row.processInstanceKey,
    businessKey: row.businessKey,
    uploadedBy: row.uploadedBy,
    uploadedAt: row.uploadedAt.toISOString(),
    rejected: row.rejectedAt ? { at: row.rejectedAt.toISOString(), by: row.rejectedBy, reason: row.rejectionReason ?? '' } : null,
    contentUrl: `/evidence/${row.id}/content`,
    thumbnailUrl: row.thumbnailSha256 ? `/evidence/${row.id}/thumbnail` : null,
  };
}

interface Deps {
  caller: Principal;
  tasks: TaskRepository;
  evidence: EvidenceRepository;
}

/** A task the caller works (their group, their branch); anything else is not revealed (404). */
async function workableTask(caller: Principal, key: string, tasks: TaskRepository): Promise<TaskRow> {
  const task = await tasks.find(key);
  if (!task || !mayWork(caller, task)) throw taskNotFound(key);
  return task;
}

/**
 * Who sees a file: leaders, process owners and admins every file; a clerk the files of a line or
 * order in a process instance where they work (or worked) a task on the same line or order — the
 * crew that uploaded them, the response center that reviews them. Customers see none: no kind is
 * a customer's completion photo yet. Anyone else is told it does not exist.
 */
async function visibleEvidence({ caller, tasks, evidence }: Deps, id: string): Promise<EvidenceRow> {
  const row = await evidence.find(id);
  if (!row || caller.role === 'customer') throw evidenceNotFound(id);
  if (caller.role !== 'clerk') return row;
  const related = await tasks.ofSubject(row);
  if (!related.some((t) => mayWork(caller, t))) throw evidenceNotFound(id);
  return row;
}

async function requirementOf(task: TaskRow, tasks: TaskRepository): Promise<{ requirement: EvidenceRequirement | null; review: boolean }> {
  if (!task.formId) return { requirement: null, review: false };
  const form = await tasks.latestForm(task.formId);
  if (!form) return { requirement: null, review: false };
  return { requirement: evidenceRequirement(form.schema), review: formDeclares(form.schema, EVIDENCE_REVIEW_PROPERTY) };
}

function formDeclares(form: unknown, property: string): boolean {
  const node = form as { properties?: Record<string, unknown>; components?: unknown[] } | null;
  if (!node || typeof node !== 'object') return false;
  if (node.properties && String(node.properties[property] ?? '').trim() === 'true') return true;
  return (node.components ?? []).some((c) => formDeclares(c, property));
}

const kindsNamed = (kinds: EvidenceKind[]) => ({
  zh: kinds.map((k) => EVIDENCE_KIND_NAMES[k].zh).join('、'),
  en: kinds.map((k) => EVIDENCE_KIND_NAMES[k].en).join(', '),
});

/** The files of a task's line or order in its process instance, with what its form still requires. */
export async function listTaskEvidence(deps: Deps & { key: string }) {
  const task = await workableTask(deps.caller, deps.key, deps.tasks);
  const rows = await deps.evidence.ofSubject(task);
  const { requirement, review } = await requirementOf(task, deps.tasks);
  const present = rows.filter((r) => !r.rejectedAt).map((r) => r.kind);
  return {
    requirement,
    missing: requirement ? missingEvidence(requirement, present) : { kinds: [], count: 0 },
    canReject: review && task.state === 'created',
    files: rows.map(toEvidence),
  };
}

/**
 * Refuses completing a task whose form requires evidence that is missing (422 naming the kinds),
 * and a review that calls the material compliant while it rejected a file. Returns the variables
 * the process gets besides the form's: the rejected files of the line or order (the crew's
 * rectification shows them).
 */
export async function checkEvidenceBeforeCompletion({
  task,
  variables,
  tasks,
  evidence,
}: {
  task: TaskRow;
  variables: Record<string, unknown>;
  tasks: TaskRepository;
  evidence: EvidenceRepository;
}): Promise<Record<string, unknown>> {
  const { requirement, review } = await requirementOf(task, tasks);
  if (!requirement && !review) return {};
  const rows = await evidence.ofSubject(task);
  if (requirement) {
    const missing = missingEvidence(
      requirement,
      rows.filter((r) => !r.rejectedAt).map((r) => r.kind),
    );
    if (missing.kinds.length > 0 || missing.count > 0) {
      const named = kindsNamed(missing.kinds);
      throw new ApiError(
        422,
        'EVIDENCE_MISSING',
        'Evidence missing',
        `完成前须上传：${named.zh || '—'}（至少 ${requirement.minimum} 个文件，还差 ${missing.count} 个）。 ` +
          `Upload before completing: ${named.en || '—'} (at least ${requirement.minimum} files, ${missing.count} more).`,
        [
          ...missing.kinds.map((k) => ({
            pointer: `/evidence/${k}`,
            message: `缺少${EVIDENCE_KIND_NAMES[k].zh} / a ${EVIDENCE_KIND_NAMES[k].en} is missing`,
          })),
          ...(missing.count > 0 && missing.kinds.length === 0
            ? [{ pointer: '/evidence', message: `还需 ${missing.count} 个文件 / ${missing.count} more file(s) needed` }]
            : []),
        ],
      );
    }
  }
  if (!review) return {};
  const rejectedHere = rows.filter((r) => r.rejectedAt && r.rejectedInTaskKey === task.userTaskKey);
  if (rejectedHere.length > 0 && variables.compliant === true) {
    throw new ApiError(
      422,
      'EVIDENCE_REJECTED',
      'A file was rejected',
      `已退回 ${rejectedHere.length} 个文件，不能判定为合格：请判为不合格，施工方整改后重新上传。 ` +
        `You rejected ${rejectedHere.length} file(s): the material cannot be compliant; mark it non-compliant so the crew replaces them.`,
      [{ pointer: '/variables/compliant', in: 'body', message: '退回文件后须为 false / must be false after rejecting a file' }],
    );
  }
  return {
    rejectedEvidence: rows
      .filter((r) => r.rejectedAt)
      .map((r) => ({ id: r.id, kind: r.kind, fileName: r.fileName, reason: r.rejectionReason })),
  };
}

/** One file of an upload, as the multipart body gave it. */
export interface UploadedFile {
  field: string;
  fileName: string;
  bytes: Buffer;
  /** The part went over the size limit and was cut. */
  truncated: boolean;
}

/**
 * Stores the files of one upload on an open task the caller works: every file checked first; one
 * refused file refuses the upload (a problem naming each refused file), nothing is stored.
 */
export async function uploadEvidence(deps: Deps & { key: string; files: UploadedFile[] }): Promise<Evidence[]> {
  const task = await workableTask(deps.caller, deps.key, deps.tasks);
  if (task.state !== 'created') {
    throw new ApiError(409, 'TASK_NOT_OPEN', 'Task is not open', `User task ${deps.key} is ${task.state}; files go on open tasks.`);
  }
  if (deps.files.length === 0) {
    throw new ApiError(400, 'EVIDENCE_NO_FILE', 'No file', '请求中没有文件。 The request holds no file.', [
      { pointer: '/equipment', in: 'body', message: '每个文件一个部分，字段名为资料类型 / one part per file, named by its kind' },
    ]);
  }
  if (deps.files.length > MAX_EVIDENCE_FILES) {
    throw new ApiError(
      400,
      'EVIDENCE_TOO_MANY_FILES',
      'Too many files',
      `一次最多 ${MAX_EVIDENCE_FILES} 个文件。 At most ${MAX_EVIDENCE_FILES} files at once.`,
    );
  }
  const refused: { pointer: string; in: 'body'; message: string }[] = [];
  const accepted: { kind: string; fileName: string; inspected: Awaited<ReturnType<typeof inspectEvidenceFile>> }[] = [];
  for (const [index, file] of deps.files.entries()) {
    const pointer = `/${file.field}/${index}`;
    const name = file.fileName || `#${index + 1}`;
    const kind = EvidenceKindSchema.safeParse(file.field);
    if (!kind.success) {
      refused.push({
        pointer,
        in: 'body',
        message: `${name}: 字段名须为资料类型 / the field name must be a kind (${kind.error.issues[0]?.message})`,
      });
      continue;
    }
    try {
      if (file.truncated) throw new EvidenceRefusal('EVIDENCE_TOO_LARGE', '文件过大。 The file is too large.');
      accepted.push({ kind: kind.data, fileName: name.slice(0, 255), inspected: await inspectEvidenceFile(file.bytes, kind.data) });
    } catch (e) {
      if (!(e instanceof EvidenceRefusal)) throw e;
      refused.push({ pointer, in: 'body', message: `${name}: ${e.message} (${e.code})` });
    }
  }
  if (refused.length > 0) {
    throw new ApiError(
      400,
      'EVIDENCE_REFUSED',
      'File refused',
      `文件被拒收：${refused.map((r) => r.message.split(':')[0]).join('、')}。 Refused: ${refused.map((r) => r.message.split(':')[0]).join(', ')}. Nothing was stored.`,
      refused,
    );
  }
  const rows = await deps.evidence.add(
    {
      userTaskKey: task.userTaskKey,
      elementId: task.elementId,
      formId: task.formId,
      processInstanceKey: task.processInstanceKey,
      rootProcessInstanceKey: task.rootProcessInstanceKey,
      businessKey: task.businessKey,
      branch: task.branch,
    },
    deps.caller.username,
    accepted,
  );
  return rows.map(toEvidence);
}

export async function getEvidence(deps: Deps & { id: string }): Promise<Evidence> {
  return toEvidence(await visibleEvidence(deps, deps.id));
}

/** The bytes of a file or its thumbnail, checked against their SHA-256 (a damaged file is never served). */
export async function evidenceContent(deps: Deps & { id: string; variant: 'full' | 'thumbnail' }) {
  const row = await visibleEvidence(deps, deps.id);
  const sha256 = deps.variant === 'full' ? row.sha256 : row.thumbnailSha256;
  if (!sha256) {
    throw new ApiError(
      404,
      'EVIDENCE_NO_THUMBNAIL',
      'No thumbnail',
      `文件 ${row.fileName} 没有缩略图（PDF）。 ${row.fileName} has no thumbnail (a PDF).`,
    );
  }
  const content = await deps.evidence.content(sha256);
  if (!content || sha256Of(content.content) !== sha256) {
    throw new ApiError(500, 'EVIDENCE_DAMAGED', 'Evidence damaged', `The stored bytes of evidence ${row.id} do not match its checksum.`);
  }
  return { row, content: content.content, mediaType: content.mediaType, sha256 };
}

/**
 * The response center rejects one file with a reason, in an open review task (a form declaring
 * `evidence.review`) on the same line or order. The review is then completed as non-compliant and
 * the crew sees the file rejected, with the reason, in the rectification.
 */
export async function rejectEvidence(deps: Deps & { id: string; reason: string; taskKey?: string }): Promise<Evidence> {
  const row = await visibleEvidence(deps, deps.id);
  const related = (await deps.tasks.ofSubject(row)).filter(
    (t) => t.state === 'created' && mayWork(deps.caller, t) && (deps.taskKey === undefined || t.userTaskKey === deps.taskKey),
  );
  let reviewTask: TaskRow | undefined;
  for (const t of related) if (!reviewTask && (await requirementOf(t, deps.tasks)).review) reviewTask = t;
  if (!reviewTask) {
    throw new ApiError(
      403,
      'EVIDENCE_NOT_UNDER_REVIEW',
      'Not your review',
      '只有正在审核此线路/订单资料的人可以退回文件。 Only whoever reviews this line or order now may reject its files.',
    );
  }
  if (row.rejectedAt) {
    throw new ApiError(
      409,
      'EVIDENCE_ALREADY_REJECTED',
      'Already rejected',
      `文件 ${row.fileName} 已被退回。 ${row.fileName} is rejected already.`,
    );
  }
  const updated = await deps.evidence.reject(row.id, { by: deps.caller.username, reason: deps.reason, inTaskKey: reviewTask.userTaskKey });
  if (!updated) {
    throw new ApiError(
      409,
      'EVIDENCE_ALREADY_REJECTED',
      'Already rejected',
      `文件 ${row.fileName} 已被退回。 ${row.fileName} is rejected already.`,
    );
  }
  return toEvidence(updated);
}
