import { describe, it, expect, vi, afterEach } from 'vitest';
import { createOutboxRunner } from '../src/outbox-runner.js';
import { memoryStore } from '../src/store.js';
import { fakeApi, fakeDevice, offline, refused } from './controller-parts.js';

afterEach(() => vi.unstubAllGlobals());

function runner(script, { online = true, csrf = 'token' } = {}) {
  vi.stubGlobal('navigator', { onLine: online });
  const api = fakeApi(script);
  const device = fakeDevice(api, { me: { id: 'c1', csrfToken: csrf } });
  device.store = memoryStore('c1');
  const refresh = vi.fn(async () => {});
  return { api, device, refresh, outbox: createOutboxRunner(device, { refresh }) };
}

describe('the outbox runner', () => {
  it('sends an action at once when online, says it is done and refreshes', async () => {
    const { api, device, refresh, outbox } = runner({ 'POST /api/v1/bookings/b1/cancel': [{ status: 200, data: {} }] });
    await outbox.act({ path: '/api/v1/bookings/b1/cancel', kind: 'cancelBooking', targetId: 'b1', doneText: 'Cancelled' });
    expect(api.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /api/v1/bookings/b1/cancel']);
    expect(device.state.get().outbox).toEqual([]);
    expect(device.announced).toContain('Cancelled');
    expect(refresh).toHaveBeenCalledOnce();
  });

  it('queues an action offline and says so, sending nothing', async () => {
    const { api, device, outbox } = runner({}, { online: false });
    await outbox.act({ path: '/api/v1/notifications/n1/read', kind: 'markRead', targetId: 'n1' });
    expect(api.calls).toEqual([]);
    expect(device.state.get().outbox.map((a) => [a.targetId, a.status])).toEqual([['n1', 'pending']]);
    expect(device.announced).toEqual(['ui.outbox.queued']);
  });

  it('keeps an action whose send found no network, and marks the device offline', async () => {
    const { device, outbox } = runner({ 'POST /api/v1/notifications/n1/read': [offline()] });
    await outbox.act({ path: '/api/v1/notifications/n1/read', kind: 'markRead', targetId: 'n1', doneText: 'Read' });
    expect(device.state.get().online).toBe(false);
    expect(device.state.get().outbox.map((a) => a.status)).toEqual(['pending']);
    expect(device.announced).not.toContain('Read');
  });

  it('reports an action the server refused as failed', async () => {
    const { device, outbox } = runner({ 'POST /api/v1/bookings/b1/cancel': [refused(409)] });
    await outbox.act({ path: '/api/v1/bookings/b1/cancel', kind: 'cancelBooking', targetId: 'b1', doneText: 'Cancelled' });
    expect(device.state.get().outbox.map((a) => a.status)).toEqual(['failed']);
    expect(device.announced).toEqual(['ui.outbox.failed {"count":1}']);
  });

  it('sends nothing without the session token (a boot made offline), nor after stop', async () => {
    const { api, device, outbox } = runner({}, { csrf: null });
    await outbox.act({ path: '/api/v1/notifications/n1/read', kind: 'markRead', targetId: 'n1' });
    expect(api.calls).toEqual([]);
    device.state.set({ me: { id: 'c1', csrfToken: 'token' } });
    outbox.stop();
    await outbox.run();
    expect(api.calls).toEqual([]);
  });

  it('shows what the service worker sent while the page was open as the page\'s own send would', async () => {
    // The network returns: Background Sync lets the worker replay before the page's own run,
    // which then finds nothing left to send. Lists outside the overview (my ideas) still
    // have to show the sent idea, and the person still hears that it was sent.
    const { api, device, refresh, outbox } = runner({}, { online: false });
    await outbox.act({ path: '/api/v1/ideas', kind: 'idea', body: { multipart: { fields: { title: 'Lys' }, files: [] } } });
    const [queued] = device.state.get().outbox;
    await device.store.deleteAction(queued.key); // what the worker's replay did
    const before = device.state.get().dataVersion;
    await outbox.reload({ sent: 1, failed: 0, remaining: 0, stoppedBy: null });
    expect(api.calls).toEqual([]);
    expect(device.state.get().outbox).toEqual([]);
    expect(device.state.get().dataVersion).toBeGreaterThan(before);
    expect(device.announced).toContain('ui.outbox.sent {"count":1}');
    expect(refresh).toHaveBeenCalledOnce();
  });

  it('shows as sent what the worker sent before the page\'s own run, without being told', async () => {
    // A page the worker does not control yet (the first visit) never gets the worker's message:
    // when the network returns, the page's own run finds the idea gone from the outbox. It was
    // sent, so it must show as sent (my ideas fetched again), not silently vanish.
    const { api, device, refresh, outbox } = runner({}, { online: false });
    await outbox.act({ path: '/api/v1/ideas', kind: 'idea', body: { multipart: { fields: { title: 'Lys' }, files: [] } } });
    const [queued] = device.state.get().outbox;
    await device.store.deleteAction(queued.key); // what the worker's replay did
    const before = device.state.get().dataVersion;
    vi.stubGlobal('navigator', { onLine: true });
    await outbox.run();
    expect(api.calls).toEqual([]);
    expect(device.state.get().outbox).toEqual([]);
    expect(device.state.get().dataVersion).toBeGreaterThan(before);
    expect(device.announced).toContain('ui.outbox.sent {"count":1}');
    expect(refresh).toHaveBeenCalledOnce();
  });

  it('says a send once, whether the worker\'s message or the page\'s own run notices it first', async () => {
    const { device, refresh, outbox } = runner({}, { online: false });
    await outbox.act({ path: '/api/v1/ideas', kind: 'idea', body: { multipart: { fields: { title: 'Lys' }, files: [] } } });
    const [queued] = device.state.get().outbox;
    await device.store.deleteAction(queued.key);
    vi.stubGlobal('navigator', { onLine: true });
    await outbox.run();
    await outbox.reload({ sent: 1, failed: 0, remaining: 0, stoppedBy: null });
    expect(device.announced.filter((a) => a.startsWith('ui.outbox.sent'))).toEqual(['ui.outbox.sent {"count":1}']);
    expect(refresh).toHaveBeenCalledOnce();
  });

  it('says once what the worker tried and the server refused', async () => {
    const { device, outbox } = runner({}, { online: false });
    await outbox.act({ path: '/api/v1/ideas', kind: 'idea', body: { multipart: { fields: { title: '' }, files: [] } } });
    const [queued] = device.state.get().outbox;
    await device.store.putAction({ ...queued, status: 'failed', attempts: 1, error: { status: 422, message: 'Title' } });
    await outbox.reload({ sent: 0, failed: 1, remaining: 0, stoppedBy: null });
    await outbox.reload({ sent: 0, failed: 1, remaining: 0, stoppedBy: null });
    expect(device.announced.filter((a) => a.startsWith('ui.outbox.failed'))).toEqual(['ui.outbox.failed {"count":1}']);
    expect(device.state.get().outbox.map((a) => a.status)).toEqual(['failed']);
  });

  it('changes nothing shown when the service worker sent nothing', async () => {
    const { device, refresh, outbox } = runner({}, { online: false });
    await outbox.act({ path: '/api/v1/notifications/n1/read', kind: 'markRead', targetId: 'n1' });
    const before = device.state.get().dataVersion;
    await outbox.reload({ sent: 0, failed: 0, remaining: 1, stoppedBy: 'network' });
    expect(device.state.get().outbox.map((a) => a.status)).toEqual(['pending']);
    expect(device.state.get().dataVersion).toBe(before);
    expect(refresh).not.toHaveBeenCalled();
  });
});

describe('submit (a write whose answer the page shows)', () => {
  it('sends at once when online and hands back the answer, queuing nothing', async () => {
    const { api, device, outbox } = runner({ 'POST /api/v1/reports': [{ status: 201, data: { id: 'r1' } }] });
    const r = await outbox.submit({ path: '/api/v1/reports', kind: 'report', body: { multipart: { fields: {}, files: [] } } });
    expect(r).toEqual({ sent: { id: 'r1' } });
    expect(api.calls[0].opts.idempotencyKey).toBeTruthy();
    expect(device.state.get().outbox || []).toEqual([]);
  });

  it('keeps a send that found no network under the key it was tried with', async () => {
    const { api, device, outbox } = runner({ 'POST /api/v1/reports': [offline()] });
    const r = await outbox.submit({ path: '/api/v1/reports', kind: 'report', body: { multipart: { fields: {}, files: [] } } });
    expect(r).toEqual({ queued: true });
    const queued = device.state.get().outbox;
    expect(queued.map((a) => [a.kind, a.status])).toEqual([['report', 'pending']]);
    expect(queued[0].key).toBe(api.calls[0].opts.idempotencyKey);
    expect(device.state.get().online).toBe(false);
    expect(device.announced).toEqual(['ui.outbox.queued']);
  });

  it('queues without trying when the device is offline', async () => {
    const { api, device, outbox } = runner({}, { online: false });
    expect(await outbox.submit({ path: '/api/v1/reports', kind: 'report' })).toEqual({ queued: true });
    expect(api.calls).toEqual([]);
    expect(device.state.get().outbox).toHaveLength(1);
  });

  it('throws a refusal for the form and queues nothing', async () => {
    const { device, outbox } = runner({ 'POST /api/v1/reports': [refused(422)] });
    await expect(outbox.submit({ path: '/api/v1/reports', kind: 'report' })).rejects.toMatchObject({ status: 422 });
    expect(device.state.get().outbox || []).toEqual([]);
  });
});
