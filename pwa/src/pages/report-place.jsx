// The place step of a report: the device's position, asked for only when the person presses
// the button, or the place in words. It is its own component so that a map picker (loaded as
// its own chunk where the deployment has map tiles) can be placed in the slot `picker`: it
// gets the same { position, onPosition } and gives a position the way the button does,
// { lat, lon, accuracy?, source: 'map' }.
import { useState } from 'preact/hooks';
import { useApp } from '../ui.jsx';
import { currentPosition } from '../report-outbox.js';

/** formatPosition shows a position as degrees with five decimals (about a metre). */
export function formatPosition(p, lang) {
  const f = new Intl.NumberFormat(lang, { minimumFractionDigits: 5, maximumFractionDigits: 5 });
  return `${f.format(p.lat)}, ${f.format(p.lon)}`;
}

/**
 * PlaceStep: position (or null), onPosition(position | null), address, onAddress(text),
 * required (the service needs a place), error (text, linked to the step), picker (an optional
 * map picker component; see above).
 */
export function PlaceStep({ position, onPosition, address, onAddress, required, error, picker: Picker }) {
  const { s, t } = useApp();
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
      {Picker ? <Picker position={position} onPosition={onPosition} /> : null}
      <label for="report-address">{t('ui.report.place.address')}</label>
      <input id="report-address" type="text" maxLength={200} autoComplete="street-address" value={address}
        onInput={(e) => onAddress(e.currentTarget.value)} aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? 'report-place-err' : undefined} />
      {error ? <p class="field-error" id="report-place-err">{error}</p> : null}
    </fieldset>
  );
}
