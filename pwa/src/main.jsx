// Entry point: create state and controller, render the shell, start the router,
// boot (stored data first, then the server), register the service worker.
import { render } from 'preact';
import { createState } from './state.js';
import { createController } from './controller.js';
import { makeTranslator } from './i18n.js';
import { startRouter } from './router.js';
import { takeLoginRefusal, dropLogoutState } from './login-refusal.js';
import { App } from './app.jsx';
import './styles.css';

dropLogoutState(location, history);
const state = createState({
  phase: 'boot', path: location.pathname, config: null, lang: 'nb', dir: 'ltr', t: makeTranslator({}, 'nb'),
  me: null, overview: null, overviewSavedAt: null, online: navigator.onLine !== false, outbox: [],
  status: null, updateWorker: null, dataVersion: 0,
  loginRefusal: takeLoginRefusal(location, history), // shown until the first navigation
});
const ctl = createController(state);
ctl.navigate = startRouter((loc) => state.set({ path: loc.pathname, loginRefusal: null }));
render(<App state={state} ctl={ctl} />, document.getElementById('app'));
ctl.boot();
ctl.registerWorker();
