import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest';
import { createOverviewSync } from '../src/overview-sync.js';
import { createLanguage } from '../src/language.js';
import { bootCache } from '../src/boot-cache.js';
import { fakeApi, fakeDevice, memoryStorage } from './controller-parts.js';

const config = { languages: [{ code: 'uk', name: 'Українська', dir: 'ltr' }], defaultLanguage: 'nb' };

beforeEach(() => {
  vi.stubGlobal('localStorage', memoryStorage());
  vi.stubGlobal('document', { documentElement: { lang: '', dir: '' } });
});
afterEach(() => vi.unstubAllGlobals());

describe('published messages reach an open page', () => {
  it('revalidates the shown language by its ETag when the live stream says messages changed', async () => {
    const listeners = {};
    vi.stubGlobal('EventSource', class { addEventListener(name, fn) { listeners[name] = fn; } close() {} });
    const api = fakeApi({ 'GET /api/v1/i18n/uk': [{ data: { messages: { 'ui.nav.overview': 'Огляд (нове)' } }, etag: 'W/"2"' }] });
    const device = fakeDevice(api, { me: { id: 'c1' }, lang: 'uk' });
    bootCache.setMessages('uk', { messages: { 'ui.nav.overview': 'Огляд' }, etag: 'W/"1"' });
    const language = createLanguage({ api, state: device.state, fallbackConfig: config });
    const sync = createOverviewSync(device, { onMessages: () => language.reload() });
    sync.startEvents();

    expect(listeners.messages).toBeTypeOf('function');
    await listeners.messages();
    await vi.waitFor(() => expect(device.state.get().t('ui.nav.overview')).toBe('Огляд (нове)'));
    expect(api.calls.map((c) => [c.path, c.opts.etag])).toEqual([['/api/v1/i18n/uk', 'W/"1"']]);
    expect(bootCache.messages('uk').etag).toBe('W/"2"');
  });

  it('a change event of the overview does not refetch messages', () => {
    const listeners = {};
    vi.stubGlobal('EventSource', class { addEventListener(name, fn) { listeners[name] = fn; } close() {} });
    let asked = 0;
    const sync = createOverviewSync(fakeDevice(fakeApi(), { me: { id: 'c1' } }), { onMessages: () => { asked++; } });
    sync.startEvents();
    expect(Object.keys(listeners).sort()).toEqual(['change', 'messages']);
    expect(asked).toBe(0);
  });
});
