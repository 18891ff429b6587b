// A small dependency-free slippy map: raster tiles from the operator's template, pan by
// dragging or with the arrow keys, zoom with the buttons or + and −, markers placed by
// Web-Mercator math (geo.js), and the tile provider's credit. Loaded as its own chunk, only
// where a tile server is configured (config.map.tilesUrl). Positions are set through the
// style object (CSSOM), which the strict CSP allows, never a style attribute.
import { useEffect, useRef, useState } from 'preact/hooks';
import { tilesInView, toView, fromView, panBy, clampZoom, MIN_ZOOM, MAX_ZOOM } from './geo.js';
import './map.css';

/** How far one arrow key moves the map, in pixels. */
const KEY_PAN = 80;
/** A press that moves less than this is a click (pick a place), not a drag. */
const CLICK_SLOP = 5;

function useSize(ref) {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    const measure = () => setSize({ width: el.clientWidth, height: el.clientHeight });
    measure();
    if (typeof ResizeObserver !== 'function') return undefined;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return size;
}

/**
 * SlippyMap shows tiles around view.center at view.zoom and calls onView({center, zoom})
 * when the person moves it; markers are [{id, lat, lon, label}] and onMarker(id) is
 * called when one is chosen. With onPick({lat, lon}) a click (or Enter on the focused map,
 * which picks the centre under the crosshair) picks a place. t translates the controls.
 */
export function SlippyMap({ tilesUrl, attribution, view, onView, markers = [], selected, onMarker, onPick, picked, label, t }) {
  const frame = useRef(null);
  const drag = useRef(null);
  const { width, height } = useSize(frame);
  const { center, zoom } = view;
  const move = (c, z = zoom) => onView({ center: c, zoom: clampZoom(z) });

  function onPointerDown(e) {
    if (e.button !== 0 || e.target.closest('button')) return;
    drag.current = { x: e.clientX, y: e.clientY, start: center, moved: 0 };
    if (e.currentTarget.setPointerCapture) e.currentTarget.setPointerCapture(e.pointerId);
  }
  function onPointerMove(e) {
    const d = drag.current;
    if (!d) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    d.moved = Math.max(d.moved, Math.hypot(dx, dy));
    if (d.moved >= CLICK_SLOP) move(panBy(d.start, zoom, dx, dy));
  }
  function onPointerUp(e) {
    const d = drag.current;
    drag.current = null;
    if (!d || d.moved >= CLICK_SLOP || !onPick) return;
    const box = frame.current.getBoundingClientRect();
    onPick(fromView(e.clientX - box.left, e.clientY - box.top, center, zoom, width, height));
  }
  function onKeyDown(e) {
    const pans = { ArrowLeft: [KEY_PAN, 0], ArrowRight: [-KEY_PAN, 0], ArrowUp: [0, KEY_PAN], ArrowDown: [0, -KEY_PAN] };
    if (pans[e.key]) move(panBy(center, zoom, ...pans[e.key]));
    else if (e.key === '+' || e.key === '=') move(center, zoom + 1);
    else if (e.key === '-' || e.key === '_') move(center, zoom - 1);
    else if (onPick && (e.key === 'Enter' || e.key === ' ') && e.target === e.currentTarget) onPick({ ...center });
    else return;
    e.preventDefault();
  }

  const tiles = width && height ? tilesInView(tilesUrl, center, zoom, width, height) : [];
  const place = (lat, lon) => toView(lat, lon, center, zoom, width, height);
  const inside = (p) => p.x >= 0 && p.y >= 0 && p.x <= width && p.y <= height;
  const pin = picked ? place(picked.lat, picked.lon) : null;
  return (
    <div class="slippy" data-map="">
      <div
        ref={frame} class={onPick ? 'slippy-frame slippy-pick' : 'slippy-frame'} tabIndex={0} role="application"
        aria-label={label} aria-describedby="slippy-keys" aria-roledescription={t('ui.map.roledescription')}
        onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp} onPointerCancel={() => { drag.current = null; }}
        onKeyDown={onKeyDown}
      >
        {tiles.map((tile) => (
          <img key={tile.key} class="slippy-tile" src={tile.url} alt="" width="256" height="256" draggable={false} style={{ left: `${tile.left}px`, top: `${tile.top}px` }} />
        ))}
        {markers.map((m) => {
          const p = place(m.lat, m.lon);
          if (width && !inside(p)) return null;
          return (
            <button
              key={m.id} type="button" class={m.id === selected ? 'slippy-marker selected' : 'slippy-marker'} data-marker={m.id}
              aria-label={m.label} aria-pressed={m.id === selected} style={{ left: `${p.x}px`, top: `${p.y}px` }}
              onClick={() => onMarker && onMarker(m.id)}
            />
          );
        })}
        {pin && width && inside(pin) ? <span class="slippy-pin" data-picked="" style={{ left: `${pin.x}px`, top: `${pin.y}px` }} aria-hidden="true" /> : null}
        {onPick ? <span class="slippy-crosshair" aria-hidden="true" /> : null}
      </div>
      <div class="slippy-zoom">
        <button type="button" class="btn" data-action="zoom-in" aria-label={t('ui.map.zoom_in')} disabled={zoom >= MAX_ZOOM} onClick={() => move(center, zoom + 1)}>+</button>
        <button type="button" class="btn" data-action="zoom-out" aria-label={t('ui.map.zoom_out')} disabled={zoom <= MIN_ZOOM} onClick={() => move(center, zoom - 1)}>−</button>
      </div>
      <p id="slippy-keys" class="meta slippy-help">{onPick ? t('ui.map.help_pick') : t('ui.map.help_pan')}</p>
      <p class="slippy-credit" data-attribution="">{t('ui.map.tiles_by')} <bdi>{attribution}</bdi></p>
    </div>
  );
}

/**
 * MapPicker lets a person point at a place: a click or a tap on the map, or the arrow keys
 * and Enter, which picks the place under the crosshair in the middle. It calls
 * onPick({lat, lon}) and marks the picked place. For the report form:
 *
 *   const { MapPicker } = await import('../map/slippy-map.jsx'); // only when config.map.tilesUrl
 *   <MapPicker map={s.config.map} value={place} onPick={setPlace} t={t} label={t('…')} />
 *
 * map is the runtime config's map ({tilesUrl, attribution, center}); value the current
 * place or null. Without a tile server, offer the position from the device or an address.
 */
export function MapPicker({ map, value, onPick, t, label, zoom = 16 }) {
  const [view, setView] = useState({ center: value || map.center, zoom });
  return (
    <SlippyMap
      tilesUrl={map.tilesUrl} attribution={map.attribution} view={view} onView={setView}
      onPick={(p) => onPick({ lat: round6(p.lat), lon: round6(p.lon) })} picked={value}
      label={label || t('ui.map.pick_label')} t={t}
    />
  );
}

/** Micro-degrees, as the server stores a place (about 0.1 m). */
const round6 = (v) => Math.round(v * 1e6) / 1e6;
