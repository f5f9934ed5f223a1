import '../styles/evidence.css';
import { ApiProblem, api } from '../api.ts';
import { session } from '../auth.ts';
import { fill, h, toast } from '../dom.ts';
import { acceptLanguage, formatTime, t, tr } from '../i18n.ts';

/** The task's photos and documents (GET /tasks/:key/evidence): docs/evidence.md. */
interface Evidence {
  id: string;
  kind: string;
  fileName: string;
  mediaType: string;
  uploadedBy: string;
  uploadedAt: string;
  rejected: { at: string; by: string | null; reason: string } | null;
  contentUrl: string;
  thumbnailUrl: string | null;
}
interface TaskEvidence {
  requirement: { kinds: string[]; minimum: number } | null;
  missing: { kinds: string[]; count: number };
  canReject: boolean;
  files: Evidence[];
}

/** Kinds that are photos of the site (taken with the camera); the others are papers, photographed or as PDFs. */
const PHOTO_KINDS = new Set(['equipment', 'crew-safety', 'cable-tag']);
const kindName = (kind: string) => tr(`evidence_kind_${kind}`, kind);

/** Fetches a file with the session's token (an <img src> cannot send it) as an object URL. */
async function blobUrl(path: string): Promise<string> {
  const token = session()?.token;
  const res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) throw new ApiProblem(res.status, (await res.json().catch(() => ({}))) as Record<string, unknown>);
  return URL.createObjectURL(await res.blob());
}

async function uploadFiles(taskKey: string, kind: string, files: File[]): Promise<void> {
  const body = new FormData();
  for (const file of files) body.append(kind, file, file.name);
  const token = session()?.token;
  const res = await fetch(`/tasks/${taskKey}/evidence`, {
    method: 'POST',
    headers: { 'accept-language': acceptLanguage(), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  if (!res.ok) throw new ApiProblem(res.status, (await res.json().catch(() => ({}))) as Record<string, unknown>);
}

/** A problem's detail and the files it names. */
function problemText(e: unknown): string {
  const problem = e as ApiProblem;
  const named = Array.isArray(problem.body?.errors) ? (problem.body.errors as { message?: string }[]).map((x) => x.message ?? '') : [];
  return [problem.message, ...named].join('\n');
}

/**
 * The evidence panel of a task: what its form requires and what is missing, upload per kind from
 * the phone's camera or from disk, thumbnails (tap for the full view), rejected files with the
 * reviewer's reason, and — for a reviewer — rejection with a reason. Renders nothing for a task
 * whose form asks for no evidence and whose line or order has none (the API takes files on any task).
 */
export function evidencePanel(taskKey: string, { editable }: { editable: boolean }) {
  const root = h('section', { class: 'evidence', 'data-testid': 'evidence' });
  const urls: string[] = [];
  let current: TaskEvidence | null = null;

  async function refresh() {
    try {
      current = await api<TaskEvidence>(`/tasks/${taskKey}/evidence`);
    } catch (e) {
      fill(root, h('div', { class: 'error-box' }, (e as Error).message));
      return;
    }
    render(current);
  }

  function render(data: TaskEvidence) {
    for (const url of urls.splice(0)) URL.revokeObjectURL(url);
    if (!data.requirement && data.files.length === 0) {
      fill(root);
      return;
    }
    const kinds = [...new Set([...(data.requirement?.kinds ?? []), ...data.files.map((f) => f.kind)])];
    const complete = data.missing.kinds.length === 0 && data.missing.count === 0;
    fill(
      root,
      h('h3', {}, t('evidence_title')),
      data.requirement
        ? h(
            'p',
            { class: complete ? 'evidence-status ok' : 'evidence-status missing', 'data-testid': 'evidence-status' },
            complete
              ? `✓ ${t('evidence_complete')}`
              : `${t('evidence_missing')}：${[...data.missing.kinds.map(kindName), data.missing.count > 0 ? `${data.missing.count} ${t('evidence_more_files')}` : null].filter(Boolean).join('、')}`,
          )
        : null,
      kinds.map((kind) => kindRow(kind, data)),
    );
  }

  function kindRow(kind: string, data: TaskEvidence) {
    const files = data.files.filter((f) => f.kind === kind);
    const missing = data.missing.kinds.includes(kind);
    // whoever works the task uploads; a reviewer judges what the crew uploaded
    const uploads = editable && !data.canReject;
    const picker = (capture: boolean) => {
      const input = h('input', {
        type: 'file',
        accept: PHOTO_KINDS.has(kind) || capture ? 'image/*' : 'image/*,application/pdf',
        multiple: true,
        class: 'visually-hidden',
        'data-kind': kind,
        ...(capture ? { capture: 'environment', 'data-capture': true } : {}),
        onchange: () => void send(input),
      });
      return h(
        'label',
        { class: capture ? 'button primary' : 'button' },
        capture ? t('evidence_take_photo') : t('evidence_choose_file'),
        input,
      );
    };
    async function send(input: HTMLInputElement) {
      const chosen = [...(input.files ?? [])];
      if (chosen.length === 0) return;
      toast(t('evidence_uploading'), 'info');
      try {
        await uploadFiles(taskKey, kind, chosen);
        toast(t('evidence_uploaded'), 'ok');
        await refresh();
      } catch (e) {
        toast(problemText(e), 'error');
      } finally {
        input.value = '';
      }
    }
    return h(
      'div',
      { class: `evidence-kind${missing ? ' missing' : ''}`, 'data-evidence-kind': kind },
      h(
        'div',
        { class: 'evidence-kind-head' },
        h('strong', {}, kindName(kind)),
        uploads ? h('span', { class: 'evidence-pickers' }, picker(true), picker(false)) : null,
      ),
      files.length === 0
        ? h('p', { class: 'muted small' }, t('evidence_none'))
        : h(
            'div',
            { class: 'evidence-gallery' },
            files.map((f) => figure(f, data.canReject)),
          ),
    );
  }

  function figure(file: Evidence, canReject: boolean) {
    const img = h('img', { alt: file.fileName, loading: 'lazy' });
    const thumb = file.thumbnailUrl
      ? h('button', { type: 'button', class: 'evidence-thumb', title: t('evidence_view'), onclick: () => void fullView(file) }, img)
      : h('button', { type: 'button', class: 'evidence-thumb doc', onclick: () => void fullView(file) }, '📄 PDF');
    if (file.thumbnailUrl) {
      blobUrl(file.thumbnailUrl)
        .then((url) => {
          urls.push(url);
          img.src = url;
        })
        .catch(() => img.replaceWith(h('span', { class: 'muted' }, '—')));
    }
    const rejectBox = h('div', { class: 'evidence-reject' });
    if (canReject && !file.rejected) {
      rejectBox.append(
        h(
          'button',
          {
            type: 'button',
            class: 'link danger',
            'data-action': 'reject-evidence',
            onclick: () => {
              const reason = h('textarea', {
                rows: 2,
                maxlength: 500,
                placeholder: t('evidence_reject_reason'),
                'data-field': 'reject-reason',
              });
              fill(
                rejectBox,
                reason,
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger',
                    'data-action': 'confirm-reject',
                    onclick: async () => {
                      try {
                        await api(`/evidence/${file.id}/reject`, { method: 'POST', body: { reason: reason.value, taskKey } });
                        toast(t('evidence_rejected_ok'), 'ok');
                        await refresh();
                      } catch (e) {
                        toast(problemText(e), 'error');
                      }
                    },
                  },
                  t('evidence_reject_confirm'),
                ),
              );
              reason.focus();
            },
          },
          t('evidence_reject'),
        ),
      );
    }
    return h(
      'figure',
      { class: `evidence-file${file.rejected ? ' rejected' : ''}`, 'data-evidence-id': file.id },
      thumb,
      h(
        'figcaption',
        {},
        h('span', { class: 'evidence-name' }, file.fileName),
        h('span', { class: 'muted small' }, `${file.uploadedBy} · ${formatTime(file.uploadedAt)}`),
        file.rejected
          ? h(
              'span',
              { class: 'evidence-rejected', 'data-testid': 'evidence-rejected' },
              `${t('evidence_rejected')}：${file.rejected.reason}`,
            )
          : null,
      ),
      rejectBox,
    );
  }

  /** The whole file over the page: the photo at full size, or the PDF to download. */
  async function fullView(file: Evidence) {
    let url: string;
    try {
      url = await blobUrl(file.contentUrl);
    } catch (e) {
      toast(problemText(e), 'error');
      return;
    }
    const close = () => {
      URL.revokeObjectURL(url);
      overlay.remove();
    };
    const overlay = h(
      'div',
      { class: 'evidence-overlay', role: 'dialog', 'aria-label': file.fileName, 'data-testid': 'evidence-full', onclick: close },
      file.mediaType.startsWith('image/')
        ? h('img', { src: url, alt: file.fileName })
        : h('a', { href: url, download: file.fileName, class: 'button primary' }, `${t('evidence_download')} ${file.fileName}`),
      h('button', { type: 'button', class: 'evidence-close', onclick: close }, '×'),
    );
    document.body.append(overlay);
  }

  void refresh();
  return {
    element: root,
    refresh,
    destroy() {
      for (const url of urls.splice(0)) URL.revokeObjectURL(url);
    },
  };
}
