// The place step of a report: the device's position, asked for only when the person presses
// the button, a point on the map where the deployment has map tiles (the map is its own chunk,
// loaded only then), or the place in words. The map gives a position the way the button does,
// { lat, lon, source: 'map' }.
import { useState } from 'preact/hooks';
import { useApp } from '../ui.jsx';
import { currentPosition } from '../report-outbox.js';
import { useMapModule } from '../map/use-map.js';

/** formatPosition shows a position as degrees with five decimals (about a metre). */
export function formatPosition(p, lang) {
  const f = new Intl.NumberFormat(lang, { minimumFractionDigits: 5, maximumFractionDigits: 5 });
  return `${f.format(p.lat)}, ${f.format(p.lon)}`;
}

/**
 * PlaceStep: position (or null), onPosition(position | null), address, onAddress(text),
 * required (the service needs a place), error (text, linked to the step).
 */
export function PlaceStep({ position, onPosition, address, onAddress, required, error }) {
  const { s, t } = useApp();
  const map = s.config && s.config.map && s.config.map.tilesUrl ? s.config.map : null;
  const mapModule = useMapModule(Boolean(map));
  const [asking, setAsking] = useState(false);
  const [geoError, setGeoError] = useState(null);
  async function ask() {
    setAsking(true); setGeoError(null);
    try {
      onPosition({ ...(await currentPosition()), source: 'device' });
    } catch (e) {
      setGeoError(t(e.messageId || 'ui.report.place.unavailable'));
    } finally { setAsking(false); }
  }
  const described = ['report-place-help', error ? 'report-place-err' : '', geoError ? 'report-geo-err' : ''].filter(Boolean).join(' ');
  return (
    <fieldset class="fieldset" aria-describedby={described} aria-invalid={error ? 'true' : undefined} data-place-step="">
      <legend>{t('ui.report.place.legend')}{required ? ` (${t('ui.report.required')})` : ''}</legend>
      <p class="meta" id="report-place-help">{t('ui.report.place.help')}</p>
      <div class="row">
        <button type="button" class="btn" data-action="use-position" onClick={ask} disabled={asking} aria-describedby={geoError ? 'report-geo-err' : undefined}>
          {asking ? t('ui.report.place.asking') : t('ui.report.place.use_position')}
        </button>
        {position ? (
          <button type="button" class="btn" onClick={() => onPosition(null)}>{t('ui.report.place.forget')}</button>
        ) : null}
      </div>
      {position ? (
        <p data-position="" role="status">
          {t('ui.report.place.got', { Position: formatPosition(position, s.lang) })}
          {position.accuracy ? ` ${t('ui.report.place.accuracy', { Metres: Math.round(position.accuracy) })}` : ''}
        </p>
      ) : null}
      {geoError ? <p class="field-error" id="report-geo-err" role="alert">{geoError}</p> : null}
      {map && mapModule ? (
        <mapModule.MapPicker map={map} value={position} t={t}
          onPick={(p) => onPosition({ lat: p.lat, lon: p.lon, source: 'map' })} />
      ) : null}
      <label for="report-address">{t('ui.report.place.address')}</label>
      <input id="report-address" type="text" maxLength={200} autoComplete="street-address" value={address}
        onInput={(e) => onAddress(e.currentTarget.value)} aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? 'report-place-err' : undefined} />
      {error ? <p class="field-error" id="report-place-err">{error}</p> : null}
    </fieldset>
  );
}
