// @vitest-environment jsdom
// MapPicker in a DOM: a click picks the place under the pointer, Enter the place under the
// crosshair, a drag moves the map and picks nothing; the picked place is marked.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { MapPicker } from '../src/map/slippy-map.jsx';
import { toView } from '../src/map/geo.js';

const map = { tilesUrl: 'https://tile.example/{z}/{x}/{y}.png', attribution: '© Test tiles', center: { lat: 59.9139, lon: 10.7522 } };
const t = (id) => id;
let root;

beforeEach(() => {
  // jsdom lays nothing out: give the map frame a phone-sized box.
  // (Element.prototype keeps its own getters; these shadow them and are removed after.)
  for (const [name, value] of [['clientWidth', 320], ['clientHeight', 240]]) {
    Object.defineProperty(HTMLElement.prototype, name, { configurable: true, get: () => value });
  }
  root = document.createElement('div');
  document.body.appendChild(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
  delete HTMLElement.prototype.clientWidth;
  delete HTMLElement.prototype.clientHeight;
});

function pointer(el, type, x, y) {
  el.dispatchEvent(new MouseEvent(type, { clientX: x, clientY: y, button: 0, bubbles: true }));
}

function mount(onPick, value = null) {
  act(() => { render(<MapPicker map={map} value={value} onPick={onPick} t={t} label="Where is it?" />, root); });
  return root.querySelector('.slippy-frame');
}

describe('MapPicker', () => {
  it('is a labelled, focusable map with tiles from the template and the credit line', () => {
    const frame = mount(() => {});
    expect(frame.getAttribute('aria-label')).toBe('Where is it?');
    expect(frame.tabIndex).toBe(0);
    const srcs = [...root.querySelectorAll('img.slippy-tile')].map((i) => i.getAttribute('src'));
    expect(srcs.length).toBeGreaterThan(1);
    expect(srcs.every((s) => /^https:\/\/tile\.example\/16\/\d+\/\d+\.png$/.test(s))).toBe(true);
    expect(root.querySelector('[data-attribution]').textContent).toContain('© Test tiles');
  });

  it('picks the place under a click, in micro-degrees', () => {
    const picks = [];
    const frame = mount((p) => picks.push(p));
    act(() => { pointer(frame, 'pointerdown', 260, 120); pointer(frame, 'pointerup', 260, 120); });
    expect(picks).toHaveLength(1);
    expect(picks[0].lat).toBeCloseTo(map.center.lat, 5);
    expect(picks[0].lon).toBeGreaterThan(map.center.lon); // right of the middle is east
    expect(Math.round(picks[0].lon * 1e6) / 1e6).toBe(picks[0].lon);
    // 100 px at zoom 16 and 60° N: about 0.0021° of longitude.
    expect(picks[0].lon - map.center.lon).toBeCloseTo(100 * 360 / (256 * 2 ** 16), 5);
  });

  it('picks the middle with Enter and moves with the arrow keys', () => {
    const picks = [];
    const frame = mount((p) => picks.push(p));
    act(() => { frame.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true })); });
    act(() => { frame.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })); });
    expect(picks).toHaveLength(1);
    expect(picks[0].lat).toBeGreaterThan(map.center.lat); // ArrowUp looks north
    expect(picks[0].lon).toBeCloseTo(map.center.lon, 6);
  });

  it('moves on a drag and picks nothing', () => {
    const picks = [];
    const frame = mount((p) => picks.push(p));
    const before = root.querySelector('img.slippy-tile').style.left;
    act(() => { pointer(frame, 'pointerdown', 100, 100); pointer(frame, 'pointermove', 160, 100); pointer(frame, 'pointerup', 160, 100); });
    expect(picks).toHaveLength(0);
    expect(root.querySelector('img.slippy-tile').style.left).not.toBe(before);
  });

  it('marks the picked place where it is', () => {
    const value = { lat: 59.914, lon: 10.753 };
    mount(() => {}, value);
    const pin = root.querySelector('[data-picked]');
    const want = toView(value.lat, value.lon, value, 16, 320, 240); // the view starts at the value
    expect(pin.style.left).toBe(`${want.x}px`);
    expect(pin.style.top).toBe(`${want.y}px`);
  });
});
