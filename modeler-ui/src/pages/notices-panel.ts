import { api } from '../api.ts';
import { fill, h } from '../dom.ts';
import { formatTime, t, tr } from '../i18n.ts';

/** GET /notices?subject= (api/domain/notices/schemas.ts SmsNoticeSchema). */
interface Notice {
  id: string;
  template: string;
  audience: 'customer' | 'crew' | 'response-center';
  recipient: string;
  recipientName: string | null;
  body: string | null;
  status: string;
  statusReason: string | null;
  attempts: number;
  eventAt: string;
  nextAttemptAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
}

/**
 * The SMS of an order or ticket, for staff, beside its timeline: to whom, what, and how it went (held by the
 * rate limit, retried, opted out, delivered). Returns the panel and a function that reloads it.
 */
export function noticesPanel(subjectId: string): { element: HTMLElement; reload: () => Promise<void> } {
  const list = h('ul', { class: 'timeline notices' });
  const element = h('section', { class: 'track-card', 'data-testid': 'sms-notices' }, h('h2', {}, t('sms_notices')), list);
  const reload = async () => {
    try {
      const { notices } = await api<{ notices: Notice[] }>('/notices', { query: { subject: subjectId } });
      if (notices.length === 0) {
        fill(list, h('li', { class: 'muted' }, t('sms_noNotices')));
        return;
      }
      fill(
        list,
        [...notices]
          .reverse()
          .map((n) =>
            h(
              'li',
              { 'data-status': n.status, 'data-template': n.template },
              h('time', {}, formatTime(n.sentAt ?? n.eventAt)),
              h(
                'span',
                {},
                h('span', { class: `chip sms-status-${n.status}` }, tr(`sms_status_${n.status}`, n.status)),
                ' ',
                tr(`sms_audience_${n.audience}`),
                ' ',
                n.recipientName && n.audience !== 'customer' ? n.recipientName : '',
                ' ',
                h('span', { class: 'mono' }, n.recipient),
              ),
              n.body ? h('p', { class: 'sms-body' }, n.body) : null,
              n.statusReason || n.attempts > 1
                ? h(
                    'small',
                    { class: 'muted' },
                    [
                      n.statusReason,
                      n.attempts > 1 ? `${t('sms_attempts')} ${n.attempts}` : null,
                      n.nextAttemptAt ? `${t('sms_next')} ${formatTime(n.nextAttemptAt)}` : null,
                    ]
                      .filter(Boolean)
                      .join(' · '),
                  )
                : null,
            ),
          ),
      );
    } catch (e) {
      fill(list, h('li', { class: 'error-text' }, (e as Error).message));
    }
  };
  void reload();
  return { element, reload };
}
