// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { AppContext, useResource } from '../src/ui.jsx';
import { memoryStore } from '../src/store.js';

/** Shows what useResource holds for path, as the pages do. */
function Probe({ path }) {
  const r = useResource(path);
  return <p id="probe" data-loading={String(r.loading)} data-stale={String(r.stale)}>{r.data ? r.data.owner : ''}</p>;
}

function show(app, path = '/api/v1/me/ideas') {
  const root = document.createElement('div');
  const draw = (value) => render(<AppContext.Provider value={value}><Probe path={path} /></AppContext.Provider>, root);
  return { root, draw, probe: () => root.querySelector('#probe') };
}

/** settle lets the effect's awaits (store, api) run out. */
const settle = () => act(async () => { for (let i = 0; i < 10; i++) await Promise.resolve(); });

function apiAnswering(owner) {
  const calls = [];
  return { calls, get: async (path) => { calls.push(path); return { data: { owner: owner(), items: [] } }; } };
}

describe('useResource', () => {
  it('shows the stored copy at once, then the server\'s answer, and stores it', async () => {
    const store = memoryStore('mohammed');
    await store.putDoc('get:self:/api/v1/me/ideas', { owner: 'mohammed (stored)' });
    const api = apiAnswering(() => 'mohammed');
    const view = show({ s: { me: { id: 'mohammed' }, dataVersion: 0 }, ctl: { api, getStore: () => store }, t: (id) => id });
    await act(async () => view.draw({ s: { me: { id: 'mohammed' }, dataVersion: 0 }, ctl: { api, getStore: () => store }, t: (id) => id }));
    await settle();
    expect(view.probe().textContent).toBe('mohammed');
    expect((await store.getDoc('get:self:/api/v1/me/ideas')).data.owner).toBe('mohammed');
  });

  it('never shows nor keeps one person\'s stored copy for another who logged in on the device', async () => {
    // The page opened on the last person's database (the offline head start); the server
    // says someone else is logged in now.
    const kari = memoryStore('kari');
    await kari.putDoc('get:self:/api/v1/me/ideas', { owner: 'kari' });
    const api = apiAnswering(() => 'mohammed');
    const app = { s: { me: { id: 'mohammed' }, dataVersion: 0 }, ctl: { api, getStore: () => kari }, t: (id) => id };
    const view = show(app);
    const seen = [];
    const watch = new MutationObserver(() => seen.push(view.probe().textContent));
    await act(async () => view.draw(app));
    watch.observe(view.root, { subtree: true, childList: true, characterData: true });
    await settle();
    expect(view.probe().textContent).toBe('mohammed');
    expect(seen).not.toContain('kari');
    expect((await kari.getDoc('get:self:/api/v1/me/ideas')).data.owner).toBe('kari');
  });

  it('loads from the server when the device\'s database is closing (another person took over)', async () => {
    const closing = memoryStore('mohammed');
    const refuse = async () => { throw new Error("Failed to execute 'transaction' on 'IDBDatabase': The database connection is closing."); };
    closing.getDoc = refuse;
    closing.putDoc = refuse;
    const api = apiAnswering(() => 'mohammed');
    const app = { s: { me: { id: 'mohammed' }, dataVersion: 0 }, ctl: { api, getStore: () => closing }, t: (id) => id };
    const view = show(app);
    await act(async () => view.draw(app));
    await settle();
    expect(view.probe().textContent).toBe('mohammed');
    expect(view.probe().dataset.loading).toBe('false');
  });

  it('fetches again when another person (or whom one acts for) is shown', async () => {
    let who = 'kari';
    const api = apiAnswering(() => who);
    const store = memoryStore('kari');
    const view = show({});
    await act(async () => view.draw({ s: { me: { id: 'kari' }, dataVersion: 0 }, ctl: { api, getStore: () => store }, t: (id) => id }));
    await settle();
    expect(view.probe().textContent).toBe('kari');
    who = 'ola (acted for)';
    await act(async () => view.draw({ s: { me: { id: 'kari', actingAs: { id: 'ola' } }, dataVersion: 0 }, ctl: { api, getStore: () => store }, t: (id) => id }));
    // Until Ola's answer is in, Kari's own list is not shown as his.
    expect(view.probe().textContent).toBe('');
    expect(view.probe().dataset.loading).toBe('true');
    await settle();
    expect(view.probe().textContent).toBe('ola (acted for)');
    expect(api.calls).toHaveLength(2);
  });
});
