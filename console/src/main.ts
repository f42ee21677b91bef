import { Api, ApiError, Capabilities, type Me } from './api.js';
import { canCall, type Ctx, type View } from './context.js';
import { h, notice, replace } from './dom.js';
import { activitiesView } from './views/activities.js';
import { alertView, alertsView } from './views/alerts.js';
import { connectionsView } from './views/connections.js';
import { filesView } from './views/files.js';
import { commandView, governanceView } from './views/governance.js';
import { policiesView, policyView } from './views/policies.js';
import { fileTimelineView, userTimelineView } from './views/timeline.js';

/** The key lives in this tab's sessionStorage only: closed tab, signed out. It never goes in a URL. */
const KEY_STORE = 'appwarden.key';
const BASE = '/console';

const ROUTES: Array<[RegExp, View, string]> = [
  [/^\/activities$/, activitiesView, 'activities'],
  [/^\/users\/([^/]+)$/, userTimelineView, 'activities'],
  [/^\/files$/, filesView, 'files'],
  [/^\/files\/([^/]+)\/([^/]+)\/(.+)$/, fileTimelineView, 'files'],
  [/^\/alerts$/, alertsView, 'alerts'],
  [/^\/alerts\/([^/]+)$/, alertView, 'alerts'],
  [/^\/governance$/, governanceView, 'governance'],
  [/^\/governance\/([^/]+)$/, commandView, 'governance'],
  [/^\/connections$/, connectionsView, 'connections'],
  [/^\/policies$/, policiesView, 'policies'],
  [/^\/policies\/([^/]+)$/, policyView, 'policies'],
];

const NAV: Array<[string, string, string]> = [
  ['activities', 'Activity', 'a'], ['alerts', 'Alerts', 'l'], ['governance', 'Governance', 'g'], ['files', 'Files', 'f'],
  ['connections', 'Connections', 'c'], ['policies', 'Policies', 'p'],
];

const root = document.getElementById('app')!;
let session: { api: Api; caps: Capabilities; me: Me } | null = null;
let leaving: Array<() => void> = [];
let renderId = 0;

function go(url: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  void render();
}

async function render(): Promise<void> {
  const id = ++renderId;
  for (const fn of leaving) fn();
  leaving = [];
  if (!session) return signIn();
  const path = location.pathname.slice(BASE.length) || '/';
  if (path === '/' || path === '') return go(`${BASE}/activities`, { replace: true });
  const route = ROUTES.find(([re]) => re.test(path));
  const main = h('main', { id: 'main', tabindex: -1, 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading…'));
  replace(root, shell(route?.[2] ?? ''), main);
  if (!route) return replace(main, notice('No such page.', 'error'));
  const [re, view] = route;
  const { api, caps, me } = session;
  const ctx: Ctx = {
    api, caps, me, go,
    params: (re.exec(path) ?? []).slice(1).map((p) => decodeURIComponent(p)),
    query: new URLSearchParams(location.search),
    setQuery(values, options) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(values)) if (v) q.set(k, v);
      const s = q.toString();
      go(`${location.pathname}${s ? `?${s}` : ''}`, options);
    },
    can: (method, p) => canCall(caps, me, method, p),
    onLeave: (fn) => leaving.push(fn),
  };
  try {
    const node = await view(ctx);
    if (id !== renderId) return;
    replace(main, node);
  } catch (err) {
    if (id !== renderId) return;
    if (err instanceof ApiError && err.status === 401) return signOut('Your key is no longer accepted: sign in again.');
    replace(main, notice(err instanceof ApiError ? `${err.message} (${err.code})` : String(err), 'error'));
  } finally {
    main.removeAttribute('aria-busy');
  }
}

function shell(active: string): HTMLElement {
  const me = session!.me;
  return h('header', { class: 'top' },
    h('a', { href: `${BASE}/activities`, class: 'brand' }, 'Appwarden'),
    h('nav', { 'aria-label': 'sections' }, NAV.map(([id, label, key]) => h('a', {
      href: `${BASE}/${id}`, class: id === active ? 'active' : '', 'aria-current': id === active ? 'page' : null, title: `g ${key}`,
    }, label))),
    h('span', { class: 'who', title: me.id }, me.name, ' · ', h('span', { class: 'role' }, me.role)),
    h('button', { type: 'button', class: 'link', onClick: () => signOut() }, 'Sign out'));
}

function signOut(message?: string): void {
  sessionStorage.removeItem(KEY_STORE);
  session = null;
  signIn(message);
}

function signIn(message?: string): void {
  const key = h('input', { type: 'password', name: 'key', id: 'key', autocomplete: 'off', required: true, placeholder: 'awk_…', autofocus: true });
  const out = h('div', { 'aria-live': 'polite' }, message ? notice(message, 'error') : null);
  // No action or method: the key is read by the script and never submitted anywhere (form-action 'none').
  const form = h('form', { class: 'signin' },
    h('h1', {}, 'Appwarden'),
    h('label', { for: 'key' }, 'API key'), key,
    h('p', { class: 'muted small' }, 'Kept in this tab only (sessionStorage) and sent as Authorization: Bearer.'),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'), out);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void start(key.value.trim()).catch((err: unknown) => {
      out.replaceChildren(notice(err instanceof ApiError && err.status === 401 ? 'This key is not valid (unknown, revoked or expired).' : String(err instanceof Error ? err.message : err), 'error'));
    });
  });
  replace(root, h('main', { class: 'signin-page' }, form));
  key.focus();
}

async function start(key: string): Promise<void> {
  const api = new Api(key);
  const [me, caps] = await Promise.all([api.get<Me>('/v1/me'), Capabilities.load()]);
  sessionStorage.setItem(KEY_STORE, key);
  session = { api, caps, me };
  await render();
}

// Same-origin console links are followed without reloading the page.
document.addEventListener('click', (e) => {
  const a = (e.target as Element).closest('a');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(`${BASE}/`)) return;
  e.preventDefault();
  go(url.pathname + url.search);
});
window.addEventListener('popstate', () => void render());

// Keys: / filters, g+letter a section, j/k the next/previous row, Enter opens it, Esc leaves a field.
let pendingG = false;
document.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement;
  const typing = ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
  if (e.key === 'Escape' && typing) return target.blur();
  if (typing || e.metaKey || e.ctrlKey || e.altKey || !session) return;
  if (pendingG) {
    pendingG = false;
    const section = NAV.find(([, , k]) => k === e.key);
    if (section) go(`${BASE}/${section[0]}`);
    return;
  }
  if (e.key === 'g') pendingG = true;
  else if (e.key === '/') {
    const input = document.querySelector<HTMLElement>('[data-filter] input, [data-filter] select');
    if (input) {
      e.preventDefault();
      input.focus();
    }
  } else if (e.key === 'j' || e.key === 'k') {
    const rows = [...document.querySelectorAll<HTMLElement>('tr.row')];
    const at = rows.indexOf(document.activeElement as HTMLElement);
    const next = rows[e.key === 'j' ? Math.min(rows.length - 1, at + 1) : Math.max(0, at - 1)];
    next?.focus();
  } else if (e.key === 'Enter' && !e.defaultPrevented && target.matches('tr.row')) {
    target.querySelector<HTMLAnchorElement>('a')?.click();
  }
});

const saved = sessionStorage.getItem(KEY_STORE);
if (saved) void start(saved).catch(() => signOut('Sign in again.'));
else signIn();
