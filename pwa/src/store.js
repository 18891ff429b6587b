// Personal data lives only here: one IndexedDB database per user (the name carries
// the user id), deleted at logout. A shared-device session gets the in-memory twin,
// so nothing personal outlives the tab.
import { openDB, deleteDB } from 'idb';

const VERSION = 1;

/** dbName is the per-user database name. */
export function dbName(userId) {
  return `minside-user-${userId}`;
}

/** openUserStore opens (creating if needed) the user's database. */
export async function openUserStore(userId) {
  const db = await openDB(dbName(userId), VERSION, {
    upgrade(d) {
      if (!d.objectStoreNames.contains('docs')) d.createObjectStore('docs');
      if (!d.objectStoreNames.contains('outbox')) d.createObjectStore('outbox', { keyPath: 'key' });
    },
  });
  return {
    persistent: true,
    userId,
    getDoc: (key) => db.get('docs', key),
    putDoc: (key, data, etag = null, savedAt = Date.now()) => db.put('docs', { data, etag, savedAt }, key),
    deleteDoc: (key) => db.delete('docs', key),
    listActions: async () => (await db.getAll('outbox')).sort((a, b) => a.createdAt - b.createdAt),
    putAction: (a) => db.put('outbox', a),
    deleteAction: (key) => db.delete('outbox', key),
    close: () => db.close(),
  };
}

/** memoryStore is the same interface kept in memory, for shared devices and tests. */
export function memoryStore(userId = 'memory') {
  const docs = new Map();
  const outbox = new Map();
  return {
    persistent: false,
    userId,
    getDoc: async (key) => docs.get(key),
    putDoc: async (key, data, etag = null, savedAt = Date.now()) => { docs.set(key, { data, etag, savedAt }); },
    deleteDoc: async (key) => { docs.delete(key); },
    listActions: async () => [...outbox.values()].sort((a, b) => a.createdAt - b.createdAt),
    putAction: async (a) => { outbox.set(a.key, { ...a }); },
    deleteAction: async (key) => { outbox.delete(key); },
    close: () => {},
  };
}

/** destroyUserStore deletes the user's database (logout). */
export async function destroyUserStore(userId) {
  await deleteDB(dbName(userId), { blocked() { /* other tabs close on the logout broadcast */ } });
}
