// The app's behaviour outside the views, wired from one part per concern: the session
// (session.js), the overview kept current (overview-sync.js), queued actions
// (outbox-runner.js), the service worker (worker-client.js) and the language
// (language.js). Views call the methods returned here.
import { createApi } from './api.js';
import { createLanguage } from './language.js';
import { createSession, FALLBACK_CONFIG } from './session.js';
import { createOverviewSync } from './overview-sync.js';
import { createOutboxRunner } from './outbox-runner.js';
import { createWorkerClient } from './worker-client.js';

export function createController(state) {
  // What the parts share about this device: the open personal store, the worker's
  // registration, the channel to other tabs.
  const device = {
    state,
    api: createApi({ getCsrf: () => state.get().me?.csrfToken, getLang: () => state.get().lang }),
    store: null,
    swReg: null,
    channel: typeof BroadcastChannel === 'function' ? new BroadcastChannel('minside') : null,
    announce: (text) => state.set({ status: { text, at: Date.now() } }),
  };
  const sync = createOverviewSync(device, { onMessages: () => language.reload() });
  // The overview's ETag includes the language: a refresh fetches it anew, in the new one.
  const language = createLanguage({ api: device.api, state, fallbackConfig: FALLBACK_CONFIG, onChosen: () => sync.refresh() });
  const outbox = createOutboxRunner(device, { refresh: () => sync.refresh() });
  const worker = createWorkerClient(device, { onOutboxReplayed: outbox.reload });
  const session = createSession(device, { language, sync, outbox });

  return {
    api: device.api,
    boot: session.boot,
    refresh: () => sync.refresh(),
    act: outbox.act,
    submit: outbox.submit,
    dismissAction: outbox.dismissAction,
    actAs: session.actAs,
    setLanguage: language.choose,
    logout: session.logout,
    closeAccount: session.closeAccount,
    registerWorker: worker.register,
    applyUpdate: worker.applyUpdate,
    announce: device.announce,
    getStore: () => device.store,
    swRegistration: () => device.swReg,
  };
}
