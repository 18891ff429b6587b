// Shared fakes for the controller's parts: a state, a scripted api, a device.
import { createState } from '../src/state.js';
import { HttpError, NetworkError } from '../src/api.js';

export const offline = () => new NetworkError(new TypeError('Failed to fetch'));
export const refused = (status) => new HttpError(status, { title: `HTTP ${status}` });

/** fakeApi answers each method+path prefix from a queue (an Error is thrown) and records calls. */
export function fakeApi(script = {}) {
  const calls = [];
  const request = async (method, path, opts = {}) => {
    calls.push({ method, path, opts });
    const key = Object.keys(script).find((k) => `${method} ${path}`.startsWith(k));
    if (!key) throw new Error(`unscripted ${method} ${path}`);
    const queue = script[key];
    const next = queue.length > 1 ? queue.shift() : queue[0];
    if (next instanceof Error) throw next;
    return next;
  };
  // The same shapes as api.js: get(path, opts), post/put(path, body, opts), del(path, opts).
  return {
    calls,
    request,
    get: (path, opts) => request('GET', path, opts),
    post: (path, body, opts) => request('POST', path, { ...opts, body }),
    put: (path, body, opts) => request('PUT', path, { ...opts, body }),
    del: (path, opts) => request('DELETE', path, opts),
  };
}

/** fakeDevice is what the parts share, with announcements recorded. */
export function fakeDevice(api, initial = {}) {
  const announced = [];
  const state = createState({
    online: true, phase: 'booting', me: null, overview: null, outbox: [], dataVersion: 0, lang: 'nb',
    t: (id, data) => (data ? `${id} ${JSON.stringify(data)}` : id), ...initial,
  });
  return { state, api, store: null, swReg: null, channel: null, announced, announce: (text) => announced.push(text) };
}

/** memoryStorage stands in for localStorage. */
export function memoryStorage() {
  const m = new Map();
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => m.set(k, String(v)),
    removeItem: (k) => m.delete(k),
    clear: () => m.clear(),
  };
}
