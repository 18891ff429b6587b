// Shared fixture of the offline outbox tests (messages, ideas): a user's IndexedDB store and an
// api whose network is down until online() is called.
import 'fake-indexeddb/auto';
import { openUserStore } from '../src/store.js';
import { createApi } from '../src/api.js';

/** network is a fetch that fails (offline) until online() is called, then records every request
 * and answers 201 with answer. */
export function network(answer = { id: 'x1' }) {
  let up = false;
  const sent = [];
  const fetchImpl = async (path, init) => {
    if (!up) throw new TypeError('Failed to fetch');
    sent.push({ path, init });
    return new Response(JSON.stringify(answer), { status: 201, headers: { 'Content-Type': 'application/json' } });
  };
  return { fetchImpl, sent, online: () => { up = true; } };
}

/** offlineOutbox is a fresh user store and an api (CSRF token "csrf-1") over an offline network. */
export async function offlineOutbox(name, answer) {
  const store = await openUserStore(`${name}-${Math.random()}`);
  const net = network(answer);
  const api = createApi({ getCsrf: () => 'csrf-1', fetchImpl: net.fetchImpl });
  return { store, net, api };
}

/** namedFile is a Blob with a name, as a file input gives it. */
export function namedFile(bytes, type, name) {
  const file = new Blob([new Uint8Array(bytes)], { type });
  file.name = name;
  return file;
}
