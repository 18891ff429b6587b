// The app's behaviour outside the views: boot, session, language, overview sync,
// outbox, live updates, service worker updates and logout. Views call these methods.
import { createApi, HttpError, NetworkError } from './api.js';
import { warmFormatters } from './i18n.js';
import { createLanguage } from './language.js';
import { bootCache, pickLanguage } from './boot-cache.js';
import { openUserStore, memoryStore, destroyUserStore } from './store.js';
import { enqueue, replay, sendWith, dismiss } from './outbox.js';
import { overviewKey, refreshOverview, applyLiveChange, sameContent } from './sync.js';
import { disablePush } from './push.js';
import { pendingLogout, isLoggedOutSession } from './logout-pending.js';
import { sameData } from './state.js';

const FALLBACK_CONFIG = { languages: [{ code: 'nb', name: 'Norsk bokmål', dir: 'ltr' }], defaultLanguage: 'nb', mode: 'production' };

/**
 * sentAhead marks a request whose answer is read later: its failure (offline, logged
 * out) is handled where it is awaited, not reported as an unhandled rejection meanwhile.
 */
function sentAhead(request) {
  request.catch(() => {});
  return request;
}

/** mark is a User Timing mark of a boot step (read by the e2e offline timing). */
const mark = (name) => { try { performance.mark(name); } catch { /* no User Timing */ } };

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

  const {
    patch: languagePatch, apply: applyLanguage, fetchMessages, choose: setLanguage, withUnsaved: withUnsavedLanguage,
  } = createLanguage({ api, state, fallbackConfig: FALLBACK_CONFIG });

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

  /** storedOverview is the state for the overview kept on this device for me (or none). */
  async function storedOverview(me) {
    const doc = store && me ? await store.getDoc(overviewKey(me)) : null;
    return { overview: doc ? doc.data : null, overviewSavedAt: doc ? doc.savedAt : null };
  }

  async function reloadOutbox() {
    if (!store) return;
    const outbox = await store.listActions();
    if (!sameData(outbox, state.get().outbox)) state.set({ outbox });
  }

  /**
   * boot renders stored data at once, then asks the server for everything the first
   * screen needs together (config, messages, the session, the overview): on a phone a
   * round trip costs about 150 ms, and one after the other they were most of the wait.
   * What arrives is shown in as few renders as it can be, since each render of the
   * whole app is a long task on a slow phone.
   */
  async function boot() {
    const cachedConfig = bootCache.config();
    state.set({ config: cachedConfig || FALLBACK_CONFIG });
    const browser = typeof navigator !== 'undefined' ? navigator.languages || [] : [];
    const saved = bootCache.lang();
    const firstLang = pickLanguage(cachedConfig || FALLBACK_CONFIG, { saved, browser });
    const cachedMsgs = bootCache.messages(firstLang);
    applyLanguage(firstLang, cachedMsgs ? cachedMsgs.messages : {});
    // Still before the first paint (main.jsx calls boot in the task that renders the shell).
    warmFormatters(firstLang);

    // These four are the preloads of index.html, already under way: asked for the same way
    // (no If-None-Match), the browser hands over their answers instead of asking again.
    const configReq = sentAhead(api.get('/api/v1/config'));
    const meReq = sentAhead(api.get('/api/v1/me'));
    // The server knows the language this person reads in (saved, else Accept-Language,
    // which carries firstLang); asking it saves waiting for /me before the messages.
    const myMessagesReq = sentAhead(api.get('/api/v1/me/messages'));

    // Offline head start: the last private user's stored me and overview.
    const lastUser = bootCache.lastUser();
    if (lastUser) {
      try {
        mark('minside:boot');
        store = await openUserStore(lastUser);
        mark('minside:store-open');
        const meDoc = await store.getDoc('me');
        mark('minside:me-read');
        if (meDoc) {
          const shown = await storedOverview(meDoc.data);
          const outbox = await store.listActions();
          state.set({ me: meDoc.data, phase: 'ready', ...shown, outbox });
        }
      } catch { store = null; }
    }
    const overviewReq = sentAhead(api.get('/api/v1/me/overview'));

    const patch = {};
    try {
      const res = await configReq;
      bootCache.setConfig(res.data);
      if (!sameData(res.data, state.get().config)) patch.config = res.data;
      patch.online = true;
    } catch (err) {
      if (err instanceof NetworkError) patch.online = false;
    }
    let lang, messages;
    try {
      const { data, etag } = await myMessagesReq;
      ({ lang, messages } = data);
      bootCache.setMessages(lang, { messages, etag });
      bootCache.setLang(lang);
    } catch {
      lang = pickLanguage(patch.config || state.get().config, { saved, browser });
      messages = await fetchMessages(lang);
    }

    let me = null;
    try {
      me = (await meReq).data;
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) {
        bootCache.setLogoutPending(null); // whatever was logged out offline has ended
        Object.assign(patch, { phase: 'loggedout', me: null, overview: null });
      } else if (!state.get().me) {
        Object.assign(patch, { phase: err instanceof NetworkError ? 'offline' : 'error', online: !(err instanceof NetworkError) });
      } else {
        patch.online = !(err instanceof NetworkError);
      }
    }
    if (patch.config) state.set({ config: patch.config }, { quiet: true });
    Object.assign(patch, languagePatch(lang, messages));
    if (me && await endedLoggedOutSession(me)) {
      Object.assign(patch, { phase: 'loggedout', me: null, overview: null });
      me = null;
    }
    if (me) await startSession(me, { early: overviewReq, patch });
    else state.set(patch);

    addEventListener('online', onOnline);
    addEventListener('offline', () => state.set({ online: false }));
    if (channel) channel.onmessage = (e) => { if (e.data === 'logout') forgetLocally().then(() => location.assign('/')); };
  }

  /**
   * onOnline resumes after the network returns. A boot that happened offline shows the
   * stored me, which never holds the CSRF token: ask the server for the session first,
   * or every queued action would be refused (and wrongly marked failed).
   */
  async function onOnline() {
    state.set({ online: true });
    if (bootCache.logoutPending()) {
      try {
        const me = (await api.get('/api/v1/me')).data;
        if (await endedLoggedOutSession(me)) return;
      } catch (err) {
        if (err instanceof HttpError && err.status === 401) bootCache.setLogoutPending(null);
        return;
      }
    }
    if (state.get().me && !state.get().me.csrfToken) {
      try {
        const res = await api.get('/api/v1/me');
        await startSession(res.data);
      } catch (err) {
        if (err instanceof HttpError && err.status === 401) state.set({ phase: 'loggedout', me: null, overview: null });
        else if (err instanceof NetworkError) state.set({ online: false });
      }
      return;
    }
    await runOutbox();
    await refresh();
    startEvents();
  }

  /**
   * startSession shows the session's person and overview in one render: the copy kept on
   * this device, else the server's answer to the request boot already sent (early). patch
   * carries what else boot has to show (config, language) into that same render. Storing,
   * the changes feed, the outbox and live events come after the data is on screen.
   */
  async function startSession(me, { early, patch = {} } = {}) {
    me = await withUnsavedLanguage(me);
    const prev = state.get().me;
    const sameView = prev && prev.id === me.id && prev.actingAs?.id === me.actingAs?.id;
    if (prev && prev.id !== me.id) {
      // Someone else logged in on this device: never show, nor keep, the last person's data.
      state.set({ overview: null, overviewSavedAt: null, outbox: [] }, { quiet: true });
      if (store) { store.close(); store = null; }
      await destroyUserStore(prev.id).catch(() => {});
    }
    // Only the last private user's database can hold anything of theirs: for anyone else
    // opening one (the slowest step of a first visit) waits until the data is on screen.
    const kept = !me.sharedDevice && bootCache.lastUser() === me.id;
    if (kept) await openStoreFor(me);
    const view = { ...patch, me: sameData(prev, me) ? prev : me, phase: 'ready', online: true };
    if (me.language && me.language !== (view.lang || state.get().lang) && (state.get().config.languages || []).some((l) => l.code === me.language)) {
      bootCache.setLang(me.language);
      Object.assign(view, languagePatch(me.language, await fetchMessages(me.language)));
    }
    let pending = early;
    if (!state.get().overview || !sameView) {
      if (kept) {
        const shown = await storedOverview(me);
        Object.assign(view, shown);
        const outbox = await store.listActions();
        if (!sameData(outbox, state.get().outbox)) view.outbox = outbox;
      }
      if (!view.overview) {
        pending = early || api.get('/api/v1/me/overview');
        Object.assign(view, await answeredOverview(pending));
      }
    }
    state.set(view);

    await openStoreFor(me);
    const { csrfToken, ...keep } = me;
    if (store.persistent) await store.putDoc('me', keep);
    await reloadOutbox();
    if (state.get().outbox.some((a) => a.status === 'pending')) await runOutbox();
    // Live events first, then the changes feed: nothing written in between is missed.
    startEvents();
    await refresh(pending);
  }

  /** answeredOverview is the state for an overview GET's answer, shown before it is stored. */
  async function answeredOverview(request) {
    try {
      const res = await request;
      return res.notModified ? {} : { overview: res.data, overviewSavedAt: Date.now(), online: true };
    } catch (err) {
      return failedOverview(err);
    }
  }

  function failedOverview(err) {
    if (err instanceof NetworkError) return { online: false };
    if (err instanceof HttpError && err.status === 401) return { phase: 'loggedout' };
    return { overviewError: err };
  }

  /** overviewState brings me's overview up to date and says what to show; offline it keeps the stored one. */
  async function overviewState(me, early) {
    if (!me || !store) return {};
    try {
      const { overview, savedAt } = await refreshOverview(api, store, overviewKey(me), { early });
      if (sameContent(overview, state.get().overview)) return { overviewSavedAt: savedAt, online: true };
      return { overview, overviewSavedAt: savedAt, online: true, dataVersion: state.get().dataVersion + 1 };
    } catch (err) {
      return failedOverview(err);
    }
  }

  /** refresh brings the overview on screen up to date. */
  async function refresh(early) {
    const { overviewSavedAt, ...next } = await overviewState(state.get().me, early);
    // Unchanged data: its new age is shown only offline, so store it without a render.
    if (overviewSavedAt && !('overview' in next)) state.set({ overviewSavedAt }, { quiet: true });
    state.set('overview' in next ? { ...next, overviewSavedAt } : next);
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
    // Without a CSRF token (offline boot) every send would be refused: wait for onOnline.
    if (outboxStopped || !store || !state.get().me || !state.get().me.csrfToken) return Promise.resolve();
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
    bootCache.setLangUnsaved(null);
    if (typeof caches !== 'undefined') {
      for (const name of await caches.keys()) if (!name.includes('precache')) await caches.delete(name);
    }
  }

  async function logout() {
    announce(state.get().t('ui.logout.in_progress'));
    outboxStopped = true;
    const me = state.get().me;
    await disablePush(api, swReg).catch(() => {});
    await forgetLocally();
    if (channel) channel.postMessage('logout');
    try {
      await endServerSession(me && me.csrfToken);
    } catch (err) {
      // No answer (offline), or refused for want of the CSRF token a boot made offline
      // lacks: the device is wiped, the session still lives on the server.
      if (me && !(err instanceof HttpError && err.status === 401)) bootCache.setLogoutPending(pendingLogout(me));
      location.assign('/');
    }
  }

  /**
   * endedLoggedOutSession ends the session the server answered with (me) if it is the
   * one logged out offline, and reports whether it was; a later login is kept (and the
   * pending logout forgotten). Once the server has ended it, the page leaves as after
   * any logout; while the server cannot be reached, it stays pending.
   */
  async function endedLoggedOutSession(me) {
    const pending = bootCache.logoutPending();
    if (!pending) return false;
    if (!isLoggedOutSession(pending, me)) {
      bootCache.setLogoutPending(null);
      return false;
    }
    try {
      await endServerSession(me.csrfToken);
      bootCache.setLogoutPending(null);
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) bootCache.setLogoutPending(null);
    }
    return true;
  }

  /** endServerSession ends the session on the server, then leaves as every logout does. */
  async function endServerSession(csrfToken) {
    const res = await api.post('/auth/logout', undefined, csrfToken ? { headers: { 'X-CSRF-Token': csrfToken } } : {});
    location.assign((res.data && res.data.endSessionUrl) || '/');
  }

  /**
   * closeAccount deletes the account on the server (DELETE /api/v1/me {confirm: true}),
   * then wipes this device like logout. Returns the server's note (agencies keep what
   * they hold), shown on the logged-out page. Throws when the server refused.
   */
  async function closeAccount() {
    const res = await api.del('/api/v1/me', { body: { confirm: true } });
    const note = (res.data && res.data.message) || state.get().t('ui.close_account.done');
    outboxStopped = true;
    // The server already deleted the push subscriptions with the account; only the
    // browser's own subscription is left to drop.
    await disablePush({ del: async () => null }, swReg).catch(() => {});
    await forgetLocally();
    if (channel) channel.postMessage('logout');
    history.replaceState(null, '', '/');
    state.set({ phase: 'loggedout', me: null, overview: null, overviewSavedAt: null, outbox: [], path: '/', notice: note });
    announce(note);
    return note;
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
    api, boot, refresh, act, dismissAction, actAs, setLanguage, logout, closeAccount, registerWorker, applyUpdate, announce,
    getStore: () => store,
    swRegistration: () => swReg,
  };
}
