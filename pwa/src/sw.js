// The service worker: precached app shell (Workbox), SPA navigation fallback, the
// outbox replay on Background Sync, and web push. API responses are never cached
// here — personal data lives only in the per-user IndexedDB database.
import { precacheAndRoute, cleanupOutdatedCaches, createHandlerBoundToURL } from 'workbox-precaching';
import { registerRoute, NavigationRoute } from 'workbox-routing';
import { createApi } from './api.js';
import { openUserStore, dbName } from './store.js';
import { replay, sendWith } from './outbox.js';
import { vapidKeyBytes, deviceLabel } from './push.js';
import { SERVER_PATHS } from './server-paths.js';
import { appPath } from './links.js';

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: SERVER_PATHS }));

// A new version waits until the person presses "reload" (never forced).
self.addEventListener('message', (e) => {
  if (e.data && e.data.type === 'SKIP_WAITING') self.skipWaiting();
});

/** sessionApi asks the server who is logged in, to get a fresh CSRF token. */
async function sessionApi() {
  const plain = createApi();
  const me = (await plain.get('/api/v1/me')).data;
  return { me, api: createApi({ getCsrf: () => me.csrfToken, getLang: () => me.language }) };
}

async function dbExists(name) {
  if (!indexedDB.databases) return true;
  return (await indexedDB.databases()).some((d) => d.name === name);
}

async function replayOutbox(userId) {
  // Never recreate a database that logout deleted.
  if (!(await dbExists(dbName(userId)))) return;
  const { me, api } = await sessionApi();
  if (me.id !== userId || me.sharedDevice) return;
  const store = await openUserStore(userId);
  try {
    const r = await replay(store, sendWith(api));
    // Also the pages this worker does not control yet (a first visit, before any reload):
    // they queued the actions just the same, and must show them as sent.
    const clients = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const c of clients) c.postMessage({ type: 'outbox-replayed', result: r });
    // Throwing asks the browser to retry the sync later.
    if (r.stoppedBy === 'network') throw new Error('outbox: still offline');
  } finally {
    store.close();
  }
}

self.addEventListener('sync', (e) => {
  if (!e.tag.startsWith('outbox:')) return;
  const userId = e.tag.slice('outbox:'.length);
  // The same lock as the page's, so a tab and the worker never replay at once
  // (the Idempotency-Key would make a double send harmless, but not free).
  const locks = self.navigator && self.navigator.locks;
  e.waitUntil(locks ? locks.request(`minside-outbox-${userId}`, () => replayOutbox(userId)) : replayOutbox(userId));
});

/**
 * Push payload (JSON): {title, body?, url?, tag?}. The title is lock-screen safe;
 * the body is usually absent so nothing sensitive shows on a locked phone.
 */
self.addEventListener('push', (e) => {
  let p = {};
  try { p = e.data ? e.data.json() : {}; } catch { p = { title: e.data ? e.data.text() : '' }; }
  const title = p.title || 'Min side';
  e.waitUntil(self.registration.showNotification(title, {
    body: p.body || '',
    tag: p.tag || undefined,
    icon: '/icons/icon-192.png',
    badge: '/icons/badge-96.png',
    data: { url: p.url || '/' },
  }));
});

self.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const raw = (e.notification.data && e.notification.data.url) || '/';
  // Only paths inside the portal, by the one link policy: a push must not send anyone elsewhere.
  const path = appPath(raw, self.location.origin);
  const url = new URL(path || '/', self.location.origin).href;
  e.waitUntil((async () => {
    const clients = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const c of clients) {
      if (new URL(c.url).origin === self.location.origin && 'focus' in c) {
        await c.focus();
        if ('navigate' in c) return c.navigate(url);
        return undefined;
      }
    }
    return self.clients.openWindow(url);
  })());
});

self.addEventListener('pushsubscriptionchange', (e) => {
  e.waitUntil((async () => {
    const { api } = await sessionApi();
    const { key } = (await api.get('/api/v1/push/vapid-public-key')).data;
    const sub = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: vapidKeyBytes(key) });
    await api.post('/api/v1/push/subscriptions', { ...sub.toJSON(), label: deviceLabel(self.navigator.userAgent) });
  })());
});
