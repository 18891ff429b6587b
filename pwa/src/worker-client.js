// The page's side of the service worker: register it once the page has loaded, offer a
// waiting update, reload when the update takes over, and pass on what the worker replayed.

/**
 * createWorkerClient keeps the registration in device.swReg (push and background sync use
 * it). onOutboxReplayed(result) runs when the worker replayed queued actions (see replay in outbox.js).
 */
export function createWorkerClient(device, { onOutboxReplayed }) {
  let wantReload = false;

  function register() {
    if (!('serviceWorker' in navigator) || !import.meta.env.PROD) return;
    const sw = navigator.serviceWorker;
    sw.addEventListener('controllerchange', () => { if (wantReload) { wantReload = false; location.reload(); } });
    sw.addEventListener('message', (e) => {
      if (e.data && e.data.type === 'outbox-replayed') onOutboxReplayed(e.data.result);
    });
    // Register after the page has loaded, so precaching never competes with the first render.
    const start = () => sw.register('/sw.js', { scope: '/' }).then((reg) => {
      device.swReg = reg;
      const offer = (w) => device.state.set({ updateWorker: w });
      if (reg.waiting && sw.controller) offer(reg.waiting);
      reg.addEventListener('updatefound', () => {
        const w = reg.installing;
        if (w) w.addEventListener('statechange', () => { if (w.state === 'installed' && sw.controller) offer(w); });
      });
      document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') reg.update().catch(() => {}); });
    }).catch(() => {});
    if (document.readyState === 'complete') start();
    else addEventListener('load', start, { once: true });
  }

  /** applyUpdate lets the waiting worker take over; the page reloads when it has. */
  function applyUpdate() {
    const w = device.state.get().updateWorker;
    if (!w) return;
    wantReload = true;
    w.postMessage({ type: 'SKIP_WAITING' });
  }

  return { register, applyUpdate };
}
