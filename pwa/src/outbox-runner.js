// Citizen actions (cancel a booking, mark read) go through the device's outbox: queued
// first, sent when the session can send them, replayed after the network returns.
import { enqueue, replay, sendWith, dismiss, newKey } from './outbox.js';
import { NetworkError } from './api.js';
import { sameData } from './state.js';

/**
 * createOutboxRunner sends what device.store queues. refresh brings the overview up to
 * date after something was sent.
 */
export function createOutboxRunner(device, { refresh }) {
  const { api, state } = device;
  let stopped = false;
  let running = null;

  /**
   * readStore shows the queued actions as stored, and answers what changed since they were
   * last shown: actions that were pending and are gone (sent, by whoever sent them) or now failed.
   */
  async function readStore() {
    if (!device.store) return { sent: 0, failed: 0 };
    const shown = state.get().outbox || [];
    const outbox = await device.store.listActions();
    if (!sameData(outbox, shown)) state.set({ outbox });
    const now = new Map(outbox.map((a) => [a.key, a]));
    const wasPending = shown.filter((a) => a.status === 'pending');
    return {
      sent: wasPending.filter((a) => !now.has(a.key)).length,
      failed: wasPending.filter((a) => now.has(a.key) && now.get(a.key).status === 'failed').length,
    };
  }

  /** run replays queued actions; one run at a time (Web Locks across tabs and the worker). */
  function run() {
    // Without a CSRF token (offline boot) every send would be refused: wait for onOnline.
    if (stopped || !device.store || !state.get().me || !state.get().me.csrfToken) return Promise.resolve();
    if (running) return running;
    const store = device.store;
    const work = async () => {
      const r = await replay(store, sendWith(api), { isStopped: () => stopped });
      await settle(r);
      if (r.stoppedBy === 'network') { state.set({ online: false }); registerSync(); }
    };
    const locked = navigator.locks
      ? () => navigator.locks.request(`minside-outbox-${store.userId}`, work)
      : work;
    running = locked().finally(() => { running = null; });
    return running;
  }

  /**
   * settle shows the outcome of a replay, whoever made it: the queue as stored, what was
   * sent or refused, and fresh data. What changed is read from the store against what was
   * shown, so a send is said once, whether this page, another tab or the service worker
   * made it (Background Sync often replays first, and a page the worker does not control
   * yet never hears its message). r, this page's own replay, counts what the screen had not
   * shown yet. dataVersion makes every list on screen fetch again, also those the overview
   * does not hold (my ideas, a thread's messages).
   */
  async function settle(r = { sent: 0, failed: 0 }) {
    const changed = await readStore();
    const sent = Math.max(changed.sent, r.sent);
    const failed = Math.max(changed.failed, r.failed);
    if (failed) device.announce(state.get().t('ui.outbox.failed', { count: failed }));
    if (sent) {
      state.set({ dataVersion: state.get().dataVersion + 1 });
      device.announce(state.get().t('ui.outbox.sent', { count: sent }));
      await refresh();
    }
  }

  /**
   * reload shows the queue as stored, and what another party (a tab, the service worker)
   * sent or was refused meanwhile. It also answers the worker's "replayed" message, whose
   * counts it does not use: this page's own run may have shown the same sends already.
   */
  async function reload() {
    if (stopped) return;
    await settle();
  }

  async function registerSync() {
    try {
      const reg = device.swReg || (navigator.serviceWorker && await navigator.serviceWorker.ready);
      if (reg && reg.sync && device.store && device.store.persistent) await reg.sync.register(`outbox:${device.store.userId}`);
    } catch { /* no Background Sync (Safari): we replay at start and on "online" */ }
  }

  /** act queues an action and sends it now if it can. */
  async function act({ method = 'POST', path, body, kind, targetId, doneText }) {
    await enqueue(device.store, { method, path, body, kind, targetId });
    await reload();
    if (navigator.onLine === false) {
      device.announce(state.get().t('ui.outbox.queued'));
      registerSync();
      return;
    }
    await run();
    const left = (state.get().outbox || []).find((a) => a.kind === kind && a.targetId === targetId);
    if (!left && doneText) device.announce(doneText);
  }

  /**
   * submit sends an action now when it can and answers { sent: the server's data }, so the
   * page can show a receipt; without a network it waits in the outbox under the key it was
   * tried with (a lost answer must not make a second one) and answers { queued: true }.
   * A refusal (HttpError) is thrown for the form to show, and nothing is queued.
   */
  async function submit({ method = 'POST', path, body, kind, targetId = null }) {
    const key = newKey();
    if (navigator.onLine !== false && state.get().me && state.get().me.csrfToken) {
      try {
        const res = await api.request(method, path, { body, idempotencyKey: key });
        state.set({ dataVersion: state.get().dataVersion + 1 });
        return { sent: res.data };
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        state.set({ online: false });
      }
    }
    await enqueue(device.store, { method, path, body, kind, targetId, key });
    await reload();
    device.announce(state.get().t('ui.outbox.queued'));
    registerSync();
    return { queued: true };
  }

  async function dismissAction(key) { await dismiss(device.store, key); await reload(); }

  /** stop ends sending for good: the session is over on this device. */
  function stop() { stopped = true; }

  return { reload, run, act, submit, dismissAction, stop };
}
