import 'fake-indexeddb/auto';
import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest';
import { createSession } from '../src/session.js';
import { createOverviewSync } from '../src/overview-sync.js';
import { createOutboxRunner } from '../src/outbox-runner.js';
import { createLanguage } from '../src/language.js';
import { bootCache } from '../src/boot-cache.js';
import { fakeApi, fakeDevice, memoryStorage, offline, refused } from './controller-parts.js';

const config = { languages: [{ code: 'nb', name: 'Norsk bokmål', dir: 'ltr' }], defaultLanguage: 'nb', mode: 'production' };
const ov = { cursor: '1', needsAction: [], upcoming: [], keys: [], notifications: { unread: 0, items: [] }, recent: [], tiles: [], people: [] };

let assigned;
beforeEach(() => {
  assigned = [];
  vi.stubGlobal('localStorage', memoryStorage());
  vi.stubGlobal('navigator', { onLine: true, languages: ['nb'] });
  vi.stubGlobal('location', { assign: (to) => assigned.push(to), pathname: '/', search: '' });
  vi.stubGlobal('addEventListener', () => {});
  vi.stubGlobal('document', { documentElement: { lang: '', dir: '' } });
  vi.stubGlobal('history', { replaceState: () => {} });
});
afterEach(() => vi.unstubAllGlobals());

function session(script) {
  const api = fakeApi({
    'GET /api/v1/config': [{ data: config }],
    'GET /api/v1/me/messages': [{ data: { lang: 'nb', messages: { 'ui.hello': 'Hei' } }, etag: '"m"' }],
    ...script,
  });
  const device = fakeDevice(api);
  const language = createLanguage({ api, state: device.state, fallbackConfig: config });
  const sync = createOverviewSync(device);
  const outbox = createOutboxRunner(device, { refresh: () => sync.refresh() });
  return { api, device, session: createSession(device, { language, sync, outbox }) };
}

describe('the session', () => {
  it('boots a logged-out visitor to the welcome page', async () => {
    const { device, session: s } = session({ 'GET /api/v1/me': [refused(401)], 'GET /api/v1/me/overview': [refused(401)] });
    await s.boot();
    expect(device.state.get().phase).toBe('loggedout');
    expect(device.state.get().me).toBe(null);
  });

  it('boots a logged-in citizen to the overview and keeps it on the device', async () => {
    const me = { id: 'c-boot', name: 'Kari', csrfToken: 'tok', language: 'nb' };
    const { device, session: s } = session({
      'GET /api/v1/me/overview': [{ status: 200, data: ov, etag: '"o"' }],
      'GET /api/v1/me': [{ data: me }],
      'GET /api/v1/changes': [{ data: { changes: [], cursor: '1', more: false } }],
    });
    await s.boot();
    expect(device.state.get().phase).toBe('ready');
    expect(device.state.get().overview).toEqual(ov);
    expect(bootCache.lastUser()).toBe('c-boot');
    expect((await device.store.getDoc('me')).data).toEqual({ id: 'c-boot', name: 'Kari', language: 'nb' }); // never the CSRF token
  });

  it('boots offline with nothing stored to the offline page', async () => {
    const { device, session: s } = session({
      'GET /api/v1/config': [offline()], 'GET /api/v1/me/messages': [offline()], 'GET /api/v1/i18n': [offline()],
      'GET /api/v1/me': [offline()], 'GET /api/v1/me/overview': [offline()],
    });
    await s.boot();
    expect(device.state.get().phase).toBe('offline');
  });

  it('logs out: wipes the device, ends the server session and leaves for the end-session page', async () => {
    const me = { id: 'c-out', csrfToken: 'tok' };
    const { api, device, session: s } = session({ 'POST /auth/logout': [{ data: { endSessionUrl: 'https://idp.example/logout' } }] });
    device.state.set({ me });
    bootCache.setLastUser('c-out');
    await s.logout();
    expect(bootCache.lastUser()).toBe(null);
    expect(api.calls.find((c) => c.path === '/auth/logout').opts.headers['X-CSRF-Token']).toBe('tok');
    expect(assigned).toEqual(['https://idp.example/logout']);
  });

  it('logging out offline wipes the device and remembers to end the session later', async () => {
    const me = { id: 'c-off', csrfToken: 'tok', sessionStartedAt: '2026-12-04T10:00:00Z' };
    const { device, session: s } = session({ 'POST /auth/logout': [offline()] });
    device.state.set({ me });
    await s.logout();
    expect(bootCache.logoutPending()).toEqual({ sessionStartedAt: '2026-12-04T10:00:00Z' });
    expect(assigned).toEqual(['/']);
  });
});
