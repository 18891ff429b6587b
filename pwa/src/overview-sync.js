// Keeps the overview on screen current: the copy stored on this device, the server's
// answer, the changes feed, and live events that say something changed.
import { HttpError, NetworkError } from './api.js';
import { overviewKey, refreshOverview, applyLiveChange, sameContent } from './sync.js';

/** failedOverview is the state for an overview request that failed. */
export function failedOverview(err) {
  if (err instanceof NetworkError) return { online: false };
  if (err instanceof HttpError && err.status === 401) return { phase: 'loggedout' };
  return { overviewError: err };
}

/**
 * createOverviewSync works on device.store and device.state. onMessages runs when the live
 * stream says the UI messages changed (a translator published).
 */
export function createOverviewSync(device, { onMessages = () => {} } = {}) {
  const { api, state } = device;
  let events = null;

  /** stored is the state for the overview kept on this device for me (or none). */
  async function stored(me) {
    const doc = device.store && me ? await device.store.getDoc(overviewKey(me)) : null;
    return { overview: doc ? doc.data : null, overviewSavedAt: doc ? doc.savedAt : null };
  }

  /** answered is the state for an overview GET's answer, shown before it is stored. */
  async function answered(request) {
    try {
      const res = await request;
      return res.notModified ? {} : { overview: res.data, overviewSavedAt: Date.now(), online: true };
    } catch (err) {
      return failedOverview(err);
    }
  }

  /** current brings me's overview up to date and says what to show; offline it keeps the stored one. */
  async function current(me, early) {
    if (!me || !device.store) return {};
    try {
      const { overview, savedAt } = await refreshOverview(api, device.store, overviewKey(me), { early });
      if (sameContent(overview, state.get().overview)) return { overviewSavedAt: savedAt, online: true };
      return { overview, overviewSavedAt: savedAt, online: true, dataVersion: state.get().dataVersion + 1 };
    } catch (err) {
      return failedOverview(err);
    }
  }

  /** refresh brings the overview on screen up to date. */
  async function refresh(early) {
    const { overviewSavedAt, ...next } = await current(state.get().me, early);
    // Unchanged data: its new age is shown only offline, so store it without a render.
    if (overviewSavedAt && !('overview' in next)) state.set({ overviewSavedAt }, { quiet: true });
    state.set('overview' in next ? { ...next, overviewSavedAt } : next);
  }

  async function onLiveChange() {
    const me = state.get().me;
    if (!me || !device.store) return;
    try {
      const { overview, savedAt } = await applyLiveChange(api, device.store, overviewKey(me));
      state.set({ overview, overviewSavedAt: savedAt, dataVersion: state.get().dataVersion + 1 });
    } catch { /* the next refresh catches up */ }
  }

  /** startEvents listens for live changes; bursts are folded into one update. */
  function startEvents() {
    if (events || typeof EventSource !== 'function' || !state.get().me) return;
    let timer = null;
    events = new EventSource('/api/v1/events');
    events.addEventListener('change', () => { clearTimeout(timer); timer = setTimeout(onLiveChange, 300); });
    events.addEventListener('messages', () => onMessages());
  }
  function stopEvents() { if (events) { events.close(); events = null; } }

  return { stored, answered, refresh, startEvents, stopEvents };
}
