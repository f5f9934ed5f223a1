import { ApiProblem, api } from '../api.ts';
import { saveSession, type User } from '../auth.ts';
import { h } from '../dom.ts';
import { t } from '../i18n.ts';
import { afterLogin, type Route } from '../main.ts';

const DEMO_USERS = [
  ['clerk.urumqi', 'demo-clerk-2026'],
  ['clerk.response', 'demo-clerk-2026'],
  ['customer.zhang', 'demo-customer-2026'],
  ['owner.process', 'demo-owner-2026'],
  ['leader.region', 'demo-leader-2026'],
  ['admin', 'demo-admin-2026'],
] as const;

interface Token {
  accessToken: string;
  expiresIn: number;
  user: User;
}

export function render(root: HTMLElement, _route: Route) {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary wide' }, t('login'));
  const form = h(
    'form',
    {
      class: 'login-card',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        message.textContent = '';
        submit.disabled = true;
        try {
          const token = await api<Token>('/auth/login', { method: 'POST', body: { username: username.value, password: password.value } });
          saveSession(token.accessToken, token.user, token.expiresIn);
          afterLogin();
        } catch (err) {
          message.textContent = err instanceof ApiProblem && err.status === 401 ? t('loginFailed') : (err as Error).message;
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('div', { class: 'login-brand' }, h('span', { class: 'logo big' }, '◆'), h('h1', {}, t('appName'))),
    h('p', { class: 'muted' }, '家集客长流程 · 订单中心 · 客响中心'),
    h('label', {}, t('username'), username),
    h('label', {}, t('password'), password),
    message,
    submit,
    h(
      'details',
      { class: 'demo-users' },
      h('summary', {}, t('demoUsers')),
      h(
        'ul',
        {},
        DEMO_USERS.map(([user, pass]) =>
          h(
            'li',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'link',
                onclick: () => {
                  username.value = user;
                  password.value = pass;
                },
              },
              user,
            ),
          ),
        ),
      ),
    ),
  );
  root.append(form);
}
