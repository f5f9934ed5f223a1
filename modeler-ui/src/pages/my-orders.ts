import '../styles/customer.css';
import { ApiProblem, api } from '../api.ts';
import { fill, h, toast } from '../dom.ts';
import { formatTime, t, tr } from '../i18n.ts';
import type { Route } from '../main.ts';

/**
 * 我的订单: a logged-in customer's orders and fault tickets, newest first, each linking to its
 * tracking page; an open home-broadband order can be cancelled here, with a reason and a second
 * confirmation (POST /orders/:id/cancel). Reads TMF622 GET …/productOrder and TMF621 GET
 * …/troubleTicket, which answer a customer's own only.
 */

const ORDERS = '/tmf-api/productOrderingManagement/v5/productOrder';
const TICKETS = '/tmf-api/troubleTicket/v5/troubleTicket';
const CLOSED = new Set(['completed', 'closed', 'failed', 'cancelled', 'rejected', 'assessingCancellation', 'pendingCancellation']);

/** What the list shows of a TMF622 ProductOrder. */
interface ProductOrderItem {
  id: string;
  state: string;
  description?: string;
  creationDate: string;
  cancellationReason?: string;
  productOrderItem: { productOffering?: { name?: string }; product?: { name?: string } }[];
}

/** What the list shows of a TMF621 TroubleTicket. */
interface TicketItem {
  id: string;
  name: string;
  description: string;
  status: string;
  statusChangeReason: string;
  creationDate: string;
}

export function render(root: HTMLElement, _route: Route) {
  const orders = h('ul', { class: 'my-list', 'data-testid': 'my-orders' });
  const tickets = h('ul', { class: 'my-list', 'data-testid': 'my-tickets' });
  root.classList.add('track-page');
  root.append(
    h(
      'div',
      { class: 'my-orders' },
      h('section', { class: 'track-card' }, h('h1', {}, t('myOrdersTitle')), orders),
      h('section', { class: 'track-card' }, h('h2', {}, t('myTicketsTitle')), tickets),
    ),
  );
  let stopped = false;

  const loadOrders = async () => {
    try {
      const list = await api<ProductOrderItem[]>(ORDERS, { query: { limit: 50 } });
      if (stopped) return;
      fill(orders, list.length ? list.map(orderItem) : h('li', { class: 'muted' }, t('myOrdersEmpty')));
    } catch (e) {
      fill(orders, h('li', { class: 'error-box' }, (e as Error).message));
    }
  };
  const loadTickets = async () => {
    try {
      const list = await api<TicketItem[]>(TICKETS, { query: { limit: 50 } });
      if (stopped) return;
      fill(tickets, list.length ? list.map(ticketItem) : h('li', { class: 'muted' }, t('myTicketsEmpty')));
    } catch (e) {
      fill(tickets, h('li', { class: 'error-box' }, (e as Error).message));
    }
  };

  const orderItem = (o: ProductOrderItem) => {
    const item = o.productOrderItem[0];
    const product = item?.product?.name ?? item?.productOffering?.name ?? o.description ?? '';
    const li = h(
      'li',
      { class: 'my-item', 'data-order': o.id, 'data-state': o.state },
      h(
        'div',
        { class: 'my-item-top' },
        h('a', { href: `#/track/${o.id}`, class: 'mono' }, o.id),
        h('span', { class: `state-pill state-${o.state}` }, tr(`state_${o.state}`, o.state)),
      ),
      h('div', {}, product),
      h('div', { class: 'muted small' }, t('myOrderedAt'), ' ', formatTime(o.creationDate)),
      o.cancellationReason ? h('div', { class: 'muted small' }, o.cancellationReason) : null,
    );
    const actions = h('div', { class: 'next-step-actions' }, h('a', { href: `#/track/${o.id}`, class: 'button' }, t('myTrack')));
    if (o.id.toUpperCase().startsWith('HB') && !CLOSED.has(o.state)) {
      actions.append(
        h('button', { type: 'button', 'data-action': 'cancel', onclick: () => askToCancel(o.id, li, actions) }, t('cancelOrder')),
      );
    }
    li.append(actions);
    return li;
  };

  const askToCancel = (id: string, li: HTMLElement, actions: HTMLElement) => {
    const reason = h('input', {
      name: 'reason',
      maxlength: 500,
      placeholder: t('cancelReasonPlaceholder'),
      'aria-label': t('cancelReason'),
    });
    const form = h(
      'form',
      {
        class: 'cancel-form',
        'data-testid': 'cancel-form',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          form.querySelectorAll('button').forEach((b) => (b.disabled = true));
          try {
            const text = reason.value.trim();
            await api(`/orders/${encodeURIComponent(id)}/cancel`, { method: 'POST', body: text ? { reason: text } : {} });
            toast(t('cancelSent'), 'ok');
            await loadOrders();
          } catch (err) {
            toast(err instanceof ApiProblem ? err.message : (err as Error).message, 'error');
            form.querySelectorAll('button').forEach((b) => (b.disabled = false));
          }
        },
      },
      h('p', { class: 'field-error' }, t('cancelWarning')),
      h('label', {}, t('cancelReason'), reason),
      h(
        'div',
        { class: 'next-step-actions' },
        h('button', { type: 'submit', class: 'danger', 'data-action': 'confirm-cancel' }, t('cancelConfirm')),
        h('button', { type: 'button', onclick: () => form.replaceWith(actions) }, t('cancelKeep')),
      ),
    );
    actions.replaceWith(form);
    reason.focus();
    void li;
  };

  const ticketItem = (tk: TicketItem) =>
    h(
      'li',
      { class: 'my-item', 'data-ticket': tk.id, 'data-state': tk.status },
      h(
        'div',
        { class: 'my-item-top' },
        h('a', { href: `#/track/${tk.id}`, class: 'mono' }, tk.id),
        h('span', { class: `state-pill state-${tk.status}` }, tr(`state_${tk.status}`, tk.status)),
      ),
      h('div', {}, tk.name),
      h('div', { class: 'muted small' }, tk.statusChangeReason),
      h('div', { class: 'muted small' }, formatTime(tk.creationDate)),
    );

  void loadOrders();
  void loadTickets();
  return () => {
    stopped = true;
  };
}
