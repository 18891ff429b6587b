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

  /** reload shows the queued actions as stored. */
  async function reload() {
    if (!device.store) return;
    const outbox = await device.store.listActions();
    if (!sameData(outbox, state.get().outbox)) state.set({ outbox });
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
   * sent or refused, and fresh data. dataVersion makes every list on screen fetch again,
   * also those the overview does not hold (my ideas, a thread's messages).
   */
  async function settle(r) {
    await reload();
    if (r.failed) device.announce(state.get().t('ui.outbox.failed', { count: r.failed }));
    if (r.sent) {
      state.set({ dataVersion: state.get().dataVersion + 1 });
      device.announce(state.get().t('ui.outbox.sent', { count: r.sent }));
      await refresh();
    }
  }

  /**
   * replayedElsewhere takes the result of a replay the service worker made (Background Sync
   * fires when the network returns, often before the page's own "online" run, which then
   * finds nothing left): the page must show it as if it had sent the actions itself.
   */
  async function replayedElsewhere(r) {
    if (stopped || !device.store) return;
    await settle(r || { sent: 0, failed: 0 });
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

  return { reload, run, act, submit, replayedElsewhere, dismissAction, stop };
}
