import { ApiProblem, api } from '../api.ts';
import { fill, h, toast } from '../dom.ts';
import { formatTime, lang, t, tr } from '../i18n.ts';
import type { Route } from '../main.ts';

/** GET /sms-templates (api/domain/notices/schemas.ts SmsTemplateSchema). */
interface Template {
  key: string;
  audience: 'customer' | 'crew' | 'response-center';
  moment: { zh: string; en: string };
  placeholders: { name: string; label: { zh: string; en: string }; sample: string }[];
  body: string;
  defaultBody: string;
  preview: string;
  updatedAt: string;
  updatedBy: string | null;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The preview as the server renders it: unknown placeholders are marked, not filled. */
function preview(body: string, template: Template): string {
  const samples = new Map(template.placeholders.map((p) => [p.name, p.sample]));
  return body.replace(PLACEHOLDER, (m, name: string) => samples.get(name) ?? `⚠${m}`);
}

/** SMS templates for process owners: the text of each notice, its placeholders, a live preview; PUT /sms-templates/:key. */
export async function render(root: HTMLElement, _route: Route) {
  const list = h('div', { class: 'sms-templates', 'data-testid': 'sms-templates' });
  root.append(h('section', { class: 'pad' }, h('h1', {}, t('sms_title')), h('p', { class: 'muted' }, t('sms_hint')), list));
  try {
    const templates = await api<Template[]>('/sms-templates');
    fill(list, templates.map(card));
  } catch (e) {
    fill(list, h('div', { class: 'error-box' }, (e as Error).message));
  }
}

function card(template: Template): HTMLElement {
  const textarea = h('textarea', {
    rows: 3,
    maxlength: 500,
    'data-testid': `sms-body-${template.key}`,
    'aria-label': template.key,
  }) as HTMLTextAreaElement;
  textarea.value = template.body;
  const previewBox = h('p', { class: 'sms-preview', 'data-testid': `sms-preview-${template.key}` });
  const problem = h('p', { class: 'error-text', role: 'alert' });
  const counter = h('small', { class: 'muted' });
  const meta = h('small', { class: 'muted' });
  const refresh = () => {
    const text = preview(textarea.value, template);
    fill(previewBox, text);
    // Chinese SMS: 70 characters in one message, 67 per part of a longer one.
    const parts = text.length <= 70 ? 1 : Math.ceil(text.length / 67);
    fill(counter, `${text.length} ${t('sms_chars')} · ${parts} ${t('sms_parts')}`);
  };
  const showMeta = (tpl: Template) =>
    fill(meta, `${t('sms_updated')}: ${formatTime(tpl.updatedAt)}${tpl.updatedBy ? ` · ${tpl.updatedBy}` : ''}`);
  textarea.addEventListener('input', () => {
    fill(problem);
    refresh();
  });
  const insert = (name: string) => {
    const at = textarea.selectionStart ?? textarea.value.length;
    textarea.value = `${textarea.value.slice(0, at)}{${name}}${textarea.value.slice(textarea.selectionEnd ?? at)}`;
    textarea.focus();
    refresh();
  };
  const save = async () => {
    try {
      const saved = await api<Template>(`/sms-templates/${encodeURIComponent(template.key)}`, {
        method: 'PUT',
        body: { body: textarea.value },
      });
      template.body = saved.body;
      showMeta(saved);
      fill(problem);
      toast(t('sms_saved'), 'ok');
    } catch (e) {
      const errors = e instanceof ApiProblem ? (e.body.errors as { message: string }[] | undefined) : undefined;
      fill(problem, errors?.map((x) => x.message).join('；') || (e as Error).message);
    }
  };
  refresh();
  showMeta(template);
  return h(
    'article',
    { class: 'card sms-template', 'data-key': template.key },
    h(
      'header',
      { class: 'sms-template-head' },
      h('strong', {}, template.moment[lang()]),
      h('span', { class: `chip audience-${template.audience}` }, tr(`sms_audience_${template.audience}`)),
      h('code', { class: 'muted' }, template.key),
    ),
    textarea,
    h(
      'div',
      { class: 'chips' },
      h('span', { class: 'muted' }, t('sms_placeholders'), '：'),
      template.placeholders.map((p) =>
        h(
          'button',
          { type: 'button', class: 'chip', title: p.label[lang()], onclick: () => insert(p.name) },
          `{${p.name}}`,
          ' ',
          h('small', {}, p.label[lang()]),
        ),
      ),
    ),
    h('div', { class: 'sms-preview-row' }, h('span', { class: 'muted' }, t('sms_preview'), '：'), previewBox, counter),
    problem,
    h(
      'footer',
      { class: 'row' },
      h('button', { type: 'button', class: 'primary', 'data-testid': `sms-save-${template.key}`, onclick: () => void save() }, t('save')),
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            textarea.value = template.defaultBody;
            refresh();
          },
        },
        t('sms_reset'),
      ),
      meta,
    ),
  );
}
