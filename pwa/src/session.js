// Whose data this device shows: boot (stored data first, then the server's), starting a
// session, acting for someone, and ending it (logout, closing the account) so that nothing
// personal is left behind.
import { HttpError, NetworkError } from './api.js';
import { warmFormatters } from './i18n.js';
import { bootCache, pickLanguage } from './boot-cache.js';
import { openUserStore, memoryStore, destroyUserStore } from './store.js';
import { disablePush } from './push.js';
import { pendingLogout, isLoggedOutSession } from './logout-pending.js';
import { sameData } from './state.js';

export const FALLBACK_CONFIG = { languages: [{ code: 'nb', name: 'Norsk bokmål', dir: 'ltr' }], defaultLanguage: 'nb', mode: 'production' };

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

/**
 * createSession runs the session on device (api, state, store, channel, announce) with
 * the language, overview sync and outbox parts.
 */
export function createSession(device, { language, sync, outbox }) {
  const { api, state } = device;

  async function openStoreFor(me) {
    const store = device.store;
    if (store && store.userId === me.id && store.persistent === !me.sharedDevice) return store;
    if (store) store.close();
    if (me.sharedDevice) {
      // A shared device keeps nothing: drop anything an earlier private session left.
      if (bootCache.lastUser() === me.id) await destroyUserStore(me.id).catch(() => {});
      bootCache.setLastUser(null);
      device.store = memoryStore(me.id);
    } else {
      device.store = await openUserStore(me.id);
      bootCache.setLastUser(me.id);
    }
    return device.store;
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
    language.apply(firstLang, cachedMsgs ? cachedMsgs.messages : {});
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
        device.store = await openUserStore(lastUser);
        mark('minside:store-open');
        const meDoc = await device.store.getDoc('me');
        mark('minside:me-read');
        if (meDoc) {
          const shown = await sync.stored(meDoc.data);
          const actions = await device.store.listActions();
          state.set({ me: meDoc.data, phase: 'ready', ...shown, outbox: actions });
        }
      } catch { device.store = null; }
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
      messages = await language.fetchMessages(lang);
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
    Object.assign(patch, language.patch(lang, messages));
    if (me && await endedLoggedOutSession(me)) {
      Object.assign(patch, { phase: 'loggedout', me: null, overview: null });
      me = null;
    }
    if (me) await start(me, { early: overviewReq, patch });
    else state.set(patch);

    addEventListener('online', onOnline);
    addEventListener('offline', () => state.set({ online: false }));
    if (device.channel) device.channel.onmessage = (e) => { if (e.data === 'logout') forgetLocally().then(() => location.assign('/')); };
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
        await start(res.data);
      } catch (err) {
        if (err instanceof HttpError && err.status === 401) state.set({ phase: 'loggedout', me: null, overview: null });
        else if (err instanceof NetworkError) state.set({ online: false });
      }
      return;
    }
    await outbox.run();
    await sync.refresh();
    sync.startEvents();
  }

  /**
   * start shows the session's person and overview in one render: the copy kept on this
   * device, else the server's answer to the request boot already sent (early). patch
   * carries what else boot has to show (config, language) into that same render. Storing,
   * the changes feed, the outbox and live events come after the data is on screen.
   */
  async function start(me, { early, patch = {} } = {}) {
    me = await language.withUnsaved(me);
    const prev = state.get().me;
    const sameView = prev && prev.id === me.id && prev.actingAs?.id === me.actingAs?.id;
    if (prev && prev.id !== me.id) {
      // Someone else logged in on this device: never show, nor keep, the last person's data.
      state.set({ overview: null, overviewSavedAt: null, outbox: [] }, { quiet: true });
      if (device.store) { device.store.close(); device.store = null; }
      await destroyUserStore(prev.id).catch(() => {});
    }
    // Only the last private user's database can hold anything of theirs: for anyone else
    // opening one (the slowest step of a first visit) waits until the data is on screen.
    const kept = !me.sharedDevice && bootCache.lastUser() === me.id;
    if (kept) await openStoreFor(me);
    const view = { ...patch, me: sameData(prev, me) ? prev : me, phase: 'ready', online: true };
    if (me.language && me.language !== (view.lang || state.get().lang) && (state.get().config.languages || []).some((l) => l.code === me.language)) {
      bootCache.setLang(me.language);
      Object.assign(view, language.patch(me.language, await language.fetchMessages(me.language)));
    }
    let pending = early;
    if (!state.get().overview || !sameView) {
      if (kept) {
        Object.assign(view, await sync.stored(me));
        const actions = await device.store.listActions();
        if (!sameData(actions, state.get().outbox)) view.outbox = actions;
      }
      if (!view.overview) {
        pending = early || api.get('/api/v1/me/overview');
        Object.assign(view, await sync.answered(pending));
      }
    }
    state.set(view);

    const store = await openStoreFor(me);
    const { csrfToken, ...keep } = me;
    if (store.persistent) await store.putDoc('me', keep);
    await outbox.reload();
    if (state.get().outbox.some((a) => a.status === 'pending')) await outbox.run();
    // Live events first, then the changes feed: nothing written in between is missed.
    sync.startEvents();
    await sync.refresh(pending);
  }

  async function actAs(citizenId) {
    const res = await api.put('/api/v1/me/acting-as', { citizenId: citizenId || null });
    state.set({ overview: null, overviewSavedAt: null });
    await start(res.data);
  }

  /** forgetLocally wipes everything personal on this device. */
  async function forgetLocally() {
    outbox.stop();
    sync.stopEvents();
    const me = state.get().me;
    if (device.store) { device.store.close(); device.store = null; }
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
    device.announce(state.get().t('ui.logout.in_progress'));
    outbox.stop();
    const me = state.get().me;
    await disablePush(api, device.swReg).catch(() => {});
    await forgetLocally();
    if (device.channel) device.channel.postMessage('logout');
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
    outbox.stop();
    // The server already deleted the push subscriptions with the account; only the
    // browser's own subscription is left to drop.
    await disablePush({ del: async () => null }, device.swReg).catch(() => {});
    await forgetLocally();
    if (device.channel) device.channel.postMessage('logout');
    history.replaceState(null, '', '/');
    state.set({ phase: 'loggedout', me: null, overview: null, overviewSavedAt: null, outbox: [], path: '/', notice: note });
    device.announce(note);
    return note;
  }

  return { boot, actAs, logout, closeAccount };
}
