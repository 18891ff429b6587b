import { describe, it, expect, vi, afterEach } from 'vitest';
import { createWorkerClient } from '../src/worker-client.js';
import { fakeApi, fakeDevice } from './controller-parts.js';

afterEach(() => vi.unstubAllGlobals());

describe('the service worker client', () => {
  it('lets a waiting update take over only when asked', () => {
    const device = fakeDevice(fakeApi());
    const worker = createWorkerClient(device, { onOutboxReplayed: vi.fn() });
    worker.applyUpdate(); // nothing waiting: nothing to do
    const waiting = { postMessage: vi.fn() };
    device.state.set({ updateWorker: waiting });
    worker.applyUpdate();
    expect(waiting.postMessage).toHaveBeenCalledWith({ type: 'SKIP_WAITING' });
  });

  it('registers nothing outside a production build', () => {
    const register = vi.fn();
    vi.stubGlobal('navigator', { serviceWorker: { register, addEventListener: vi.fn() } });
    const device = fakeDevice(fakeApi());
    createWorkerClient(device, { onOutboxReplayed: vi.fn() }).register();
    expect(register).not.toHaveBeenCalled();
    expect(device.swReg).toBe(null);
  });
});
