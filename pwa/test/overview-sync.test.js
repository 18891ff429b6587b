import { describe, it, expect, vi, afterEach } from 'vitest';
import { createOverviewSync, failedOverview } from '../src/overview-sync.js';
import { memoryStore } from '../src/store.js';
import { overviewKey } from '../src/sync.js';
import { fakeApi, fakeDevice, offline, refused } from './controller-parts.js';

afterEach(() => vi.unstubAllGlobals());

const ov = (cursor, extra = {}) => ({ cursor, needsAction: [], upcoming: [], keys: [], notifications: { unread: 0, items: [] }, recent: [], tiles: [], people: [], ...extra });
const me = { id: 'c1', csrfToken: 't' };

describe('the overview sync', () => {
  it('shows the stored copy, then the server answer, and counts a new version', async () => {
    const api = fakeApi({
      'GET /api/v1/me/overview': [{ status: 200, data: ov('2', { tiles: [{ id: 't1' }] }), etag: '"b"' }],
      'GET /api/v1/changes': [{ data: { changes: [], cursor: '2', more: false } }],
    });
    const device = fakeDevice(api, { me });
    device.store = memoryStore('c1');
    await device.store.putDoc(overviewKey(me), ov('1'), '"a"', 1000);
    const sync = createOverviewSync(device);
    expect(await sync.stored(me)).toEqual({ overview: ov('1'), overviewSavedAt: 1000 });
    await sync.refresh();
    expect(device.state.get().overview.tiles).toEqual([{ id: 't1' }]);
    expect(device.state.get().dataVersion).toBe(1);
    expect((await device.store.getDoc(overviewKey(me))).etag).toBe('"b"');
  });

  it('keeps what it shows when the network is gone, and says it is offline', async () => {
    const api = fakeApi({ 'GET /api/v1/me/overview': [offline()] });
    const device = fakeDevice(api, { me, overview: ov('1') });
    device.store = memoryStore('c1');
    await createOverviewSync(device).refresh();
    expect(device.state.get().online).toBe(false);
    expect(device.state.get().overview).toEqual(ov('1'));
  });

  it('turns failures into what the page shows', () => {
    expect(failedOverview(offline())).toEqual({ online: false });
    expect(failedOverview(refused(401))).toEqual({ phase: 'loggedout' });
    expect(failedOverview(refused(500)).overviewError.status).toBe(500);
  });

  it('listens for live changes once, and stops', () => {
    const sources = [];
    vi.stubGlobal('EventSource', class { constructor(url) { this.url = url; this.closed = false; sources.push(this); } addEventListener() {} close() { this.closed = true; } });
    const sync = createOverviewSync(fakeDevice(fakeApi(), { me }));
    sync.startEvents();
    sync.startEvents();
    expect(sources.map((s) => s.url)).toEqual(['/api/v1/events']);
    sync.stopEvents();
    expect(sources[0].closed).toBe(true);
  });
});
