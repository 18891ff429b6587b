// The app's behaviour outside the views: boot, session, language, overview sync,
// outbox, live updates, service worker updates and logout. Views call these methods.
import { createApi, HttpError, NetworkError } from './api.js';
import { makeTranslator, isRTL } from './i18n.js';
import { bootCache, pickLanguage } from './boot-cache.js';
import { openUserStore, memoryStore, destroyUserStore } from './store.js';
import { enqueue, replay, sendWith, dismiss } from './outbox.js';
import { overviewKey, refreshOverview, applyLiveChange } from './sync.js';
import { disablePush } from './push.js';
import { sameData } from './state.js';

const FALLBACK_CONFIG = { languages: [{ code: 'nb', name: 'Norsk bokmål', dir: 'ltr' }], defaultLanguage: 'nb', mode: 'production' };

export function createController(state) {
  const api = createApi({ getCsrf: () => state.get().me?.csrfToken, getLang: () => state.get().lang });
  let store = null;
  let outboxStopped = false;
  let outboxRunning = null;
  let events = null;
  let swReg = null;
  let wantReload = false;
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('minside') : null;

  const announce = (text) => state.set({ status: { text, at: Date.now() } });

  let shownMessages = null;
  function applyLanguage(lang, messages) {
    if (lang === state.get().lang && shownMessages && sameData(shownMessages, messages)) return;
    shownMessages = messages;
    const cfg = state.get().config || FALLBACK_CONFIG;
    const entry = (cfg.languages || []).find((l) => l.code === lang);
    const dir = entry && entry.dir ? entry.dir : isRTL(lang) ? 'rtl' : 'ltr';
    document.documentElement.lang = lang;
    document.documentElement.dir = dir;
    state.set({ lang, dir, t: makeTranslator(messages || {}, lang) });
  }

  async function loadMessages(lang) {
    const cached = bootCache.messages(lang);
    if (cached) applyLanguage(lang, cached.messages);
    try {
      const res = await api.get(`/api/v1/i18n/${encodeURIComponent(lang)}`, { etag: cached ? cached.etag : undefined });
      if (res.notModified) return;
      bootCache.setMessages(lang, { messages: res.data.messages, etag: res.etag });
      applyLanguage(lang, res.data.messages);
    } catch (err) {
      if (!cached) applyLanguage(lang, {});
    }
  }

  async function openStoreFor(me) {
    if (store && store.userId === me.id && store.persistent === !me.sharedDevice) return store;
    if (store) store.close();
    if (me.sharedDevice) {
      // A shared device keeps nothing: drop anything an earlier private session left.
      if (bootCache.lastUser() === me.id) await destroyUserStore(me.id).catch(() => {});
      bootCache.setLastUser(null);
      store = memoryStore(me.id);
    } else {
      store = await openUserStore(me.id);
      bootCache.setLastUser(me.id);
    }
    return store;
  }

  async function showStoredOverview() {
    const me = state.get().me;
    const doc = store && me ? await store.getDoc(overviewKey(me)) : null;
    state.set({ overview: doc ? doc.data : null, overviewSavedAt: doc ? doc.savedAt : null });
  }

  async function reloadOutbox() {
    if (!store) return;
    const outbox = await store.listActions();
    if (!sameData(outbox, state.get().outbox)) state.set({ outbox });
  }

  /** boot renders stored data at once, then asks the server. */
  async function boot() {
    const cachedConfig = bootCache.config();
    state.set({ config: cachedConfig || FALLBACK_CONFIG });
    const browser = typeof navigator !== 'undefined' ? navigator.languages || [] : [];
    const firstLang = pickLanguage(cachedConfig || FALLBACK_CONFIG, { saved: bootCache.lang(), browser });
    const cachedMsgs = bootCache.messages(firstLang);
    applyLanguage(firstLang, cachedMsgs ? cachedMsgs.messages : {});

    // Offline head start: the last private user's stored me and overview.
    const lastUser = bootCache.lastUser();
    if (lastUser) {
      try {
        store = await openUserStore(lastUser);
        const meDoc = await store.getDoc('me');
        if (meDoc) {
          state.set({ me: meDoc.data, phase: 'ready' });
          await showStoredOverview();
          await reloadOutbox();
        }
      } catch { store = null; }
    }

    try {
      const res = await api.get('/api/v1/config');
      bootCache.setConfig(res.data);
      state.set({ config: sameData(res.data, state.get().config) ? state.get().config : res.data, online: true });
    } catch (err) {
      if (err instanceof NetworkError) state.set({ online: false });
    }
    const lang = pickLanguage(state.get().config, { saved: bootCache.lang(), browser });
    await loadMessages(lang);

    try {
      const res = await api.get('/api/v1/me');
      await startSession(res.data);
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) {
        state.set({ phase: 'loggedout', me: null, overview: null });
      } else if (!state.get().me) {
        state.set({ phase: err instanceof NetworkError ? 'offline' : 'error', online: !(err instanceof NetworkError) });
      } else {
        state.set({ online: !(err instanceof NetworkError) });
      }
    }
    addEventListener('online', () => { state.set({ online: true }); runOutbox().then(refresh); startEvents(); });
    addEventListener('offline', () => state.set({ online: false }));
    if (channel) channel.onmessage = (e) => { if (e.data === 'logout') forgetLocally().then(() => location.assign('/')); };
  }

  async function startSession(me) {
    const prev = state.get().me;
    const sameView = prev && prev.id === me.id && prev.actingAs?.id === me.actingAs?.id;
    if (prev && prev.id !== me.id) {
      // Someone else logged in on this device: never show, nor keep, the last person's data.
      state.set({ overview: null, overviewSavedAt: null, outbox: [] });
      if (store) { store.close(); store = null; }
      await destroyUserStore(prev.id).catch(() => {});
    }
    await openStoreFor(me);
    const { csrfToken, ...keep } = me;
    if (store.persistent) await store.putDoc('me', keep);
    state.set({ me: sameData(prev, me) ? prev : me, phase: 'ready', online: true });
    if (me.language && me.language !== state.get().lang && (state.get().config.languages || []).some((l) => l.code === me.language)) {
      bootCache.setLang(me.language);
      await loadMessages(me.language);
    }
    if (!state.get().overview || !sameView) await showStoredOverview();
    await reloadOutbox();
    await runOutbox();
    await refresh();
    startEvents();
  }

  /** refresh brings the overview up to date; offline it keeps the stored one. */
  async function refresh() {
    const me = state.get().me;
    if (!me || !store) return;
    try {
      const { overview, savedAt } = await refreshOverview(api, store, overviewKey(me));
      if (sameData(overview, state.get().overview)) {
        state.set({ overviewSavedAt: savedAt }, { quiet: true });
        state.set({ online: true });
      } else {
        state.set({ overview, overviewSavedAt: savedAt, online: true, dataVersion: state.get().dataVersion + 1 });
      }
    } catch (err) {
      if (err instanceof NetworkError) state.set({ online: false });
      else if (err instanceof HttpError && err.status === 401) state.set({ phase: 'loggedout' });
      else state.set({ overviewError: err });
    }
  }

  async function onLiveChange() {
    const me = state.get().me;
    if (!me || !store) return;
    try {
      const { overview, savedAt } = await applyLiveChange(api, store, overviewKey(me));
      state.set({ overview, overviewSavedAt: savedAt, dataVersion: state.get().dataVersion + 1 });
    } catch { /* the next refresh catches up */ }
  }

  function startEvents() {
    if (events || typeof EventSource !== 'function' || !state.get().me) return;
    let timer = null;
    events = new EventSource('/api/v1/events');
    events.addEventListener('change', () => { clearTimeout(timer); timer = setTimeout(onLiveChange, 300); });
  }
  function stopEvents() { if (events) { events.close(); events = null; } }

  /** runOutbox replays queued actions; one run at a time (Web Locks across tabs and the worker). */
  function runOutbox() {
    if (outboxStopped || !store || !state.get().me) return Promise.resolve();
    if (outboxRunning) return outboxRunning;
    const work = async () => {
      const r = await replay(store, sendWith(api), {
        isStopped: () => outboxStopped,
        onSent: () => state.set({ dataVersion: state.get().dataVersion + 1 }),
      });
      await reloadOutbox();
      if (r.failed) announce(state.get().t('ui.outbox.failed', { count: r.failed }));
      if (r.sent) { announce(state.get().t('ui.outbox.sent', { count: r.sent })); await refresh(); }
      if (r.stoppedBy === 'network') { state.set({ online: false }); registerSync(); }
    };
    const locked = navigator.locks
      ? () => navigator.locks.request(`minside-outbox-${store.userId}`, work)
      : work;
    outboxRunning = locked().finally(() => { outboxRunning = null; });
    return outboxRunning;
  }

  async function registerSync() {
    try {
      const reg = swReg || (navigator.serviceWorker && await navigator.serviceWorker.ready);
      if (reg && reg.sync && store && store.persistent) await reg.sync.register(`outbox:${store.userId}`);
    } catch { /* no Background Sync (Safari): we replay at start and on "online" */ }
  }

  /** act queues an action (cancel, mark read) and sends it now if it can. */
  async function act({ method = 'POST', path, body, kind, targetId, doneText }) {
    await enqueue(store, { method, path, body, kind, targetId });
    await reloadOutbox();
    if (navigator.onLine === false) {
      announce(state.get().t('ui.outbox.queued'));
      registerSync();
      return;
    }
    await runOutbox();
    const left = (state.get().outbox || []).find((a) => a.kind === kind && a.targetId === targetId);
    if (!left && doneText) announce(doneText);
  }

  async function dismissAction(key) { await dismiss(store, key); await reloadOutbox(); }

  async function actAs(citizenId) {
    const res = await api.put('/api/v1/me/acting-as', { citizenId: citizenId || null });
    state.set({ overview: null, overviewSavedAt: null });
    await startSession(res.data);
  }

  async function setLanguage(code) {
    bootCache.setLang(code);
    await loadMessages(code);
    if (state.get().me) {
      try {
        const cur = await api.get('/api/v1/me/preferences');
        await api.put('/api/v1/me/preferences', { ...cur.data, language: code });
      } catch { /* saved locally; the server keeps the old one until next time */ }
    }
    state.set({ dataVersion: state.get().dataVersion + 1 });
  }

  /** forgetLocally wipes everything personal on this device. */
  async function forgetLocally() {
    outboxStopped = true;
    stopEvents();
    const me = state.get().me;
    if (store) { store.close(); store = null; }
    if (me) await destroyUserStore(me.id).catch(() => {});
    const last = bootCache.lastUser();
    if (last && (!me || last !== me.id)) await destroyUserStore(last).catch(() => {});
    bootCache.setLastUser(null);
    if (typeof caches !== 'undefined') {
      for (const name of await caches.keys()) if (!name.includes('precache')) await caches.delete(name);
    }
  }

  async function logout() {
    announce(state.get().t('ui.logout.in_progress'));
    outboxStopped = true;
    await disablePush(api, swReg).catch(() => {});
    await forgetLocally();
    if (channel) channel.postMessage('logout');
    try {
      const res = await api.post('/auth/logout');
      location.assign((res.data && res.data.endSessionUrl) || '/');
    } catch {
      location.assign('/');
    }
  }

  function registerWorker() {
    if (!('serviceWorker' in navigator) || !import.meta.env.PROD) return;
    const sw = navigator.serviceWorker;
    sw.addEventListener('controllerchange', () => { if (wantReload) { wantReload = false; location.reload(); } });
    sw.addEventListener('message', (e) => {
      if (e.data && e.data.type === 'outbox-replayed') { reloadOutbox(); refresh(); }
    });
    // Register after the page has loaded, so precaching never competes with the first render.
    const register = () => sw.register('/sw.js', { scope: '/' }).then((reg) => {
      swReg = reg;
      const offer = (w) => state.set({ updateWorker: w });
      if (reg.waiting && sw.controller) offer(reg.waiting);
      reg.addEventListener('updatefound', () => {
        const w = reg.installing;
        if (w) w.addEventListener('statechange', () => { if (w.state === 'installed' && sw.controller) offer(w); });
      });
      document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') reg.update().catch(() => {}); });
    }).catch(() => {});
    if (document.readyState === 'complete') register();
    else addEventListener('load', register, { once: true });
  }

  function applyUpdate() {
    const w = state.get().updateWorker;
    if (!w) return;
    wantReload = true;
    w.postMessage({ type: 'SKIP_WAITING' });
  }

  return {
    api, boot, refresh, act, dismissAction, actAs, setLanguage, logout, registerWorker, applyUpdate, announce,
    getStore: () => store,
    swRegistration: () => swReg,
  };
}
