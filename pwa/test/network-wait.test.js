import { describe, it, expect, vi, afterEach } from 'vitest';
import { waitForNetwork } from '../src/network-wait.js';

// A window with what waitForNetwork uses: its online state, its events and vitest's timers.
function fakeWindow(onLine) {
  const listeners = new Set();
  return {
    navigator: { onLine },
    addEventListener: (name, fn) => { if (name === 'online') listeners.add(fn); },
    removeEventListener: (name, fn) => { if (name === 'online') listeners.delete(fn); },
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (id) => clearTimeout(id),
    goOnline() { this.navigator.onLine = true; for (const fn of [...listeners]) fn(); },
    listening: () => listeners.size,
  };
}

afterEach(() => vi.useRealTimers());

describe('a send without login waiting for the network', () => {
  it('is sent again when the network returns', () => {
    vi.useFakeTimers();
    const win = fakeWindow(false);
    const resend = vi.fn();
    const stop = waitForNetwork(win, resend, 5000);
    vi.advanceTimersByTime(60_000);
    expect(resend).not.toHaveBeenCalled(); // still offline: nothing to try
    win.goOnline();
    expect(resend).toHaveBeenCalledTimes(1);
    stop();
    expect(win.listening()).toBe(0);
  });

  it('is sent again when the network came back before the page listened for it', () => {
    // The failure is shown, the network returns and its 'online' event fires, and only then does
    // the page start to wait: the event is gone, the report must still go.
    vi.useFakeTimers();
    const win = fakeWindow(false);
    win.goOnline();
    const resend = vi.fn();
    const stop = waitForNetwork(win, resend, 5000);
    vi.advanceTimersByTime(4999);
    expect(resend).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(resend).toHaveBeenCalledTimes(1);
    stop();
  });

  it('tries nothing once it stopped waiting', () => {
    vi.useFakeTimers();
    const win = fakeWindow(true);
    const resend = vi.fn();
    waitForNetwork(win, resend, 5000)();
    vi.advanceTimersByTime(60_000);
    win.goOnline();
    expect(resend).not.toHaveBeenCalled();
  });
});
