// The public page of open reports: what is already reported in an area and not yet fixed,
// so people need not report it again. No login, nothing about who reported. An area is a
// radius around the municipality's centre, around the person ("near me", asked only on
// a press), or, with a tile server configured, around the middle of the map, which is
// then loaded as its own chunk (map/slippy-map.jsx).
import { useEffect, useRef, useState } from 'preact/hooks';
import { Page, Section, Empty, ErrorNote, Loading, StatusBadge, statusWord, useApp } from '../ui.jsx';
import { relativeAge } from '../i18n.js';
import { bboxAround, distanceM, zoomForRadius } from '../map/geo.js';
import { byDistance, formatDistance } from '../map/places.js';
import { useMapModule } from '../map/use-map.js';
import './public-reports.css';

/** The area sizes offered, radius in metres; the largest is bounded by the server's 0.5°. */
const RADII = [500, 1000, 3000, 10000];
const DEFAULT_RADIUS = 3000;
/** How long the map rests before its new area is asked for. */
const MOVE_SETTLE_MS = 400;

function radiusText(t, r, lang) {
  return t('ui.public_reports.radius', { Distance: formatDistance(r, lang) });
}

/** useGeolocation asks for the device's position when locate() is called, never before. */
function useGeolocation() {
  const [geo, setGeo] = useState({ state: 'idle', position: null });
  function locate(onFound) {
    if (typeof navigator === 'undefined' || !navigator.geolocation) { setGeo({ state: 'unavailable', position: null }); return; }
    setGeo((g) => ({ ...g, state: 'locating' }));
    navigator.geolocation.getCurrentPosition(
      (p) => {
        const position = { lat: p.coords.latitude, lon: p.coords.longitude };
        setGeo({ state: 'found', position });
        onFound(position);
      },
      (err) => setGeo({ state: err && err.code === 1 ? 'denied' : 'unavailable', position: null }),
      { enableHighAccuracy: false, timeout: 15_000, maximumAge: 60_000 },
    );
  }
  return [geo, locate];
}

export function PublicReports() {
  const { s, ctl, t } = useApp();
  const map = (s.config && s.config.map) || null;
  const home = (map && map.center) || null;
  const tiles = !!(map && map.tilesUrl);
  const MapModule = useMapModule(tiles);
  const [radius, setRadius] = useState(DEFAULT_RADIUS);
  const [center, setCenter] = useState(home);
  const [view, setView] = useState(home ? { center: home, zoom: zoomForRadius(home, DEFAULT_RADIUS, 320) } : null);
  const [result, setResult] = useState({ items: null, truncated: false, error: null });
  const [selected, setSelected] = useState(null);
  const [geo, locate] = useGeolocation();
  const settle = useRef(null);

  // The runtime config arrives after the first render on a first visit.
  useEffect(() => {
    if (home && !center) {
      setCenter(home);
      setView({ center: home, zoom: zoomForRadius(home, radius, 320) });
    }
  }, [home && home.lat, home && home.lon]);

  useEffect(() => {
    if (!center) return undefined;
    let live = true;
    ctl.api.get(`/api/v1/public/reports?bbox=${bboxAround(center, radius)}`).then(
      (res) => { if (live) setResult({ items: res.data.items, truncated: res.data.truncated, error: null }); },
      (error) => { if (live) setResult((r) => ({ ...r, error })); },
    );
    return () => { live = false; };
  }, [center && center.lat, center && center.lon, radius, s.lang]);

  function goTo(c, r = radius) {
    setCenter(c);
    setView({ center: c, zoom: zoomForRadius(c, r, 320) });
  }
  function onView(v) {
    setView(v);
    clearTimeout(settle.current);
    settle.current = setTimeout(() => setCenter(v.center), MOVE_SETTLE_MS);
  }
  useEffect(() => () => clearTimeout(settle.current), []);
  function chooseRadius(r) {
    setRadius(r);
    if (center) setView({ center, zoom: zoomForRadius(center, r, 320) });
  }
  function showItem(id) {
    setSelected(id);
    const el = document.getElementById(`report-${id}`);
    if (el) { el.focus(); el.scrollIntoView({ block: 'nearest' }); }
  }

  const items = result.items ? byDistance(result.items, geo.position) : null;
  return (
    <Page title={t('ui.public_reports.title')}>
      <p class="lead">{t('ui.public_reports.lead')}</p>
      <p class="meta" data-privacy="">{t('ui.public_reports.privacy')}</p>
      <div class="area-picker">
        <div class="field">
          <label for="public-radius">{t('ui.public_reports.area')}</label>
          <select id="public-radius" value={radius} onChange={(e) => chooseRadius(Number(e.currentTarget.value))}>
            {RADII.map((r) => <option key={r} value={r}>{radiusText(t, r, s.lang)}</option>)}
          </select>
        </div>
        <div class="buttons">
          <button type="button" class="btn" data-action="near-me" disabled={geo.state === 'locating'} onClick={() => locate((p) => goTo(p))}>{t('ui.public_reports.near_me')}</button>
          {home ? <button type="button" class="btn" data-action="centre" onClick={() => goTo(home)}>{t('ui.public_reports.centre')}</button> : null}
        </div>
        <p class="meta" role="status" data-geo={geo.state}>
          {geo.state === 'locating' ? t('ui.public_reports.locating') : null}
          {geo.state === 'found' ? t('ui.public_reports.located') : null}
          {geo.state === 'denied' ? t('ui.public_reports.location_denied') : null}
          {geo.state === 'unavailable' ? t('ui.public_reports.location_unavailable') : null}
        </p>
      </div>
      {tiles && view ? (
        MapModule ? (
          <MapModule.SlippyMap
            tilesUrl={map.tilesUrl} attribution={map.attribution} view={view} onView={onView} t={t}
            markers={(items || []).map((r) => ({ id: r.id, lat: r.lat, lon: r.lon, label: `${r.serviceName} – ${statusWord(t, 'reports', r.status)}` }))}
            selected={selected} onMarker={showItem} label={t('ui.public_reports.map_label')}
          />
        ) : <Loading t={t} />
      ) : null}
      <Section id="h-public-reports" title={t('ui.public_reports.list_title')}>
        <ErrorNote error={result.error} t={t} />
        {!items ? (result.error ? null : <Loading t={t} />) : items.length === 0 ? <Empty>{t('ui.public_reports.none')}</Empty> : (
          <ul class="cards" data-public-reports="">
            {items.map((r) => (
              <li key={r.id} id={`report-${r.id}`} tabIndex={-1} class={r.id === selected ? 'card card-action' : 'card'} data-report={r.id} data-status={r.status}>
                <h3 class="card-title"><bdi>{r.serviceName}</bdi></h3>
                <div class="meta">
                  <StatusBadge kind="reports" value={r.status} t={t} />
                  <span>{t('ui.public_reports.reported', { Age: relativeAge(r.createdAt, Date.now(), s.lang) })}</span>
                  {r.distanceM !== undefined ? <span data-distance="">{t('ui.public_reports.distance', { Distance: formatDistance(r.distanceM, s.lang) })}</span> : null}
                </div>
                {r.address ? <p class="place"><bdi>{r.address}</bdi></p> : null}
                <p dir="auto">{r.description}</p>
              </li>
            ))}
          </ul>
        )}
        {result.truncated ? <p class="note">{t('ui.public_reports.truncated')}</p> : null}
      </Section>
    </Page>
  );
}
