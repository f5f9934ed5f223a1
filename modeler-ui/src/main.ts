import './styles/app.css';
import { api } from './api.ts';
import { clearSession, currentUser, hasRole, type Role } from './auth.ts';
import { fill, h } from './dom.ts';
import { lang, setLang, t, tr, type Key } from './i18n.ts';

/** A page draws itself into `root` and returns what to do when it is left (stop polling, destroy a modeler). */
export type Cleanup = (() => void) | void;
export interface Route {
  params: string[];
  query: URLSearchParams;
}
type PageModule = { render(root: HTMLElement, route: Route): Promise<Cleanup> | Cleanup };

interface NavItem {
  path: string;
  label: Key;
  roles: Role[];
  load: () => Promise<PageModule>;
}

// Each page is its own chunk: the tracking page on a phone never downloads bpmn-js.
const PAGES: NavItem[] = [
  { path: 'my-orders', label: 'nav_myOrders', roles: ['customer'], load: () => import('./pages/my-orders.ts') },
  { path: 'tasks', label: 'nav_tasks', roles: ['clerk', 'admin'], load: () => import('./pages/tasks.ts') },
  {
    path: 'track',
    label: 'nav_track',
    roles: ['customer', 'clerk', 'admin', 'leader', 'process-owner'],
    load: () => import('./pages/tracking.ts'),
  },
  {
    path: 'instances',
    label: 'nav_instances',
    roles: ['clerk', 'process-owner', 'leader', 'admin'],
    load: () => import('./pages/instance.ts'),
  },
  { path: 'modeler', label: 'nav_modeler', roles: ['process-owner', 'admin'], load: () => import('./pages/modeler.ts') },
  { path: 'dashboard', label: 'nav_dashboard', roles: ['leader', 'process-owner', 'admin'], load: () => import('./pages/dashboard.ts') },
  { path: 'sms-templates', label: 'nav_smsTemplates', roles: ['process-owner', 'admin'], load: () => import('./pages/sms-templates.ts') },
];

const HOME: Record<Role, string> = {
  customer: 'track',
  clerk: 'tasks',
  'process-owner': 'modeler',
  leader: 'dashboard',
  admin: 'tasks',
};

const app = document.getElementById('app')!;
let cleanup: Cleanup;
let renderId = 0;

function parseHash(): { path: string; route: Route } {
  const raw = location.hash.replace(/^#\/?/, '');
  const [pathPart = '', queryPart = ''] = raw.split('?');
  const [path = '', ...params] = pathPart.split('/').map(decodeURIComponent);
  return { path, route: { params, query: new URLSearchParams(queryPart) } };
}

export function navigate(hash: string) {
  if (location.hash === hash) void render();
  else location.hash = hash;
}

function langSwitch() {
  return h(
    'button',
    {
      class: 'lang-switch',
      type: 'button',
      title: 'Language / 语言',
      'data-testid': 'lang-switch',
      onclick: () => {
        setLang(lang() === 'zh' ? 'en' : 'zh');
        void render();
      },
    },
    lang() === 'zh' ? 'English' : '中文',
  );
}

function shell(active: string): HTMLElement {
  const user = currentUser()!;
  const main = h('main', { class: 'page', id: 'page' });
  const nav = h(
    'nav',
    { class: 'nav' },
    PAGES.filter((p) => p.roles.includes(user.role)).map((p) =>
      h('a', { href: `#/${p.path}`, class: p.path === active ? 'active' : '', 'data-nav': p.path }, t(p.label)),
    ),
    // Operaton's Cockpit, Tasklist and Admin (same login) for bulk repair, migration and batch operations.
    hasRole('process-owner', 'admin')
      ? h('a', { href: '/operaton/app/cockpit/default/', target: '_blank', rel: 'noopener', title: t('consoleHint') }, t('console'), ' ↗')
      : null,
  );
  const header = h(
    'header',
    { class: 'topbar' },
    h(
      'a',
      { class: 'brand', href: `#/${HOME[user.role]}` },
      h('span', { class: 'logo' }, '◆'),
      h('span', { class: 'brand-name' }, t('appName')),
    ),
    nav,
    h(
      'div',
      { class: 'who' },
      langSwitch(),
      h('span', { class: 'user', title: user.groups.join(', ') }, user.name, h('small', {}, tr(`role_${user.role}`))),
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: () => {
            clearSession();
            navigate('#/login');
          },
        },
        t('logout'),
      ),
    ),
  );
  fill(app, header, main);
  return main;
}

async function render() {
  const id = ++renderId;
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en';
  document.title = t('appName');
  const { path, route } = parseHash();
  const user = currentUser();

  if (path === 'login' || !user) {
    if (path !== 'login') sessionStorage.setItem('tlp.after-login', location.hash);
    const page = await import('./pages/login.ts');
    if (id !== renderId) return;
    const root = h('main', { class: 'login-page' });
    fill(app, root);
    root.append(langSwitch());
    cleanup = page.render(root, route);
    return;
  }

  const item = PAGES.find((p) => p.path === path && hasRole(...p.roles));
  if (!item) {
    navigate(`#/${HOME[user.role]}`);
    return;
  }
  const main = shell(item.path);
  main.append(h('p', { class: 'muted pad' }, t('loading')));
  try {
    const page = await item.load();
    if (id !== renderId) return;
    main.replaceChildren();
    cleanup = await page.render(main, route);
    if (id !== renderId && typeof cleanup === 'function') cleanup();
  } catch (e) {
    fill(main, h('div', { class: 'error-box pad' }, `${t('error')}: ${(e as Error).message}`));
  }
}

/** Where a user lands after login: where they were sent away from, or their role's home page. */
export function afterLogin() {
  const target = sessionStorage.getItem('tlp.after-login');
  sessionStorage.removeItem('tlp.after-login');
  navigate(target && target !== '#/login' ? target : `#/${HOME[currentUser()!.role]}`);
}

window.addEventListener('hashchange', () => void render());
setLang(lang());
void render();

// Keep the session honest: a token the server no longer accepts sends the user to login (api.ts).
if (currentUser()) void api('/auth/me').catch(() => undefined);
