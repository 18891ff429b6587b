// A report of a problem in the street (a dark street light, a pothole): what the form sends,
// how it waits in the outbox with its photos when there is no signal (multipart-outbox.js),
// which fields a refusal names, and where the reporter finds it again afterwards.
import { multipartAction, waiting } from './multipart-outbox.js';

export const REPORTS_PATH = '/api/v1/reports';
export const MAX_PHOTOS = 3;

/** GROUP_GLYPHS is the glyph of each service group the agency API accepts (docs/reporting.md). */
export const GROUP_GLYPHS = {
  roads: '🚧', lighting: '💡', waste: '🗑️', water: '💧', parks: '🌳', graffiti: '🎨',
  traffic: '🚦', buildings: '🏢', environment: '🍃', other: 'ℹ️',
};

/** groupGlyph is the glyph of a service's group. */
export const groupGlyph = (group) => GROUP_GLYPHS[group] || GROUP_GLYPHS.other;

/** micro rounds a coordinate to the micro-degrees the server keeps (about 10 cm). */
const micro = (x) => String(Math.round(x * 1e6) / 1e6);

/**
 * reportFields is the form of draft ({ service, description, answers, position, address }):
 * empty answers are left out (an unanswered optional question is no answer), a multichoice
 * answer repeats its field, a position goes as lat/lon.
 */
export function reportFields({ service, description, answers = {}, position = null, address = '' }) {
  const fields = { service, description: description.trim() };
  for (const [code, v] of Object.entries(answers)) {
    const values = (Array.isArray(v) ? v : [v]).map((x) => String(x).trim()).filter(Boolean);
    if (values.length) fields[`answers.${code}`] = Array.isArray(v) ? values : values[0];
  }
  if (position) { fields.lat = micro(position.lat); fields.lon = micro(position.lon); }
  if (address.trim()) fields.address = address.trim();
  return fields;
}

/** reportAction is what the outbox keeps for a report with its (already scaled) photos. */
export function reportAction(draft, photos = []) {
  return multipartAction({
    path: REPORTS_PATH, kind: 'report', fields: reportFields(draft),
    files: photos.slice(0, MAX_PHOTOS).map((blob) => ({ blob })), fileField: 'photos',
  });
}

/** waitingReports lists the reports still in the outbox (pending or failed), oldest first. */
export function waitingReports(actions) {
  return waiting(actions, 'report')
    .map((w) => ({ key: w.key, status: w.status, error: w.error, service: w.fields.service, description: w.fields.description, photos: w.files.length }));
}

/** followAction follows someone else's open report instead of sending the same again. */
export function followAction(id) {
  return { method: 'POST', path: `${REPORTS_PATH}/${encodeURIComponent(id)}/follow`, kind: 'reportFollow', targetId: id };
}

/**
 * checkReport finds what the server would refuse before anything is sent, as
 * { field: message id }: field is 'service', 'description', 'place', 'photos' or
 * 'answers.<code>' (the same keys as problemFields).
 */
export function checkReport(service, draft, photos = []) {
  const errors = {};
  if (!service) return { service: 'ui.report.error.service' };
  if (!draft.description.trim()) errors.description = 'ui.report.error.description';
  for (const q of service.questions || []) {
    const v = draft.answers[q.code];
    const empty = Array.isArray(v) ? v.length === 0 : !String(v ?? '').trim();
    if (q.required && empty) errors[`answers.${q.code}`] = 'ui.report.error.answer';
  }
  if (service.place === 'required' && !draft.position && !draft.address.trim()) errors.place = 'ui.report.error.place';
  if (service.photo === 'required' && photos.length === 0) errors.photos = 'ui.report.error.photo';
  return errors;
}

/** pointerField maps a problem's JSON pointer (/answers/fault, /photos/1, /lat) to a form field key. */
export function pointerField(pointer) {
  const parts = String(pointer || '').split('/').filter(Boolean);
  if (parts[0] === 'answers' && parts[1]) return `answers.${parts[1]}`;
  if (['lat', 'lon', 'address'].includes(parts[0])) return 'place';
  if (['service', 'description', 'photos'].includes(parts[0])) return parts[0];
  return null;
}

/** problemFields turns a 422 problem into { field: the server's localized text }. */
export function problemFields(problem) {
  const out = {};
  for (const e of (problem && problem.errors) || []) {
    const f = pointerField(e.pointer);
    if (f && !out[f]) out[f] = e.detail;
  }
  return out;
}

/** nearbyPath asks for open reports of service within 50 m of position. */
export function nearbyPath(service, position) {
  const q = new URLSearchParams({ service, lat: micro(position.lat), lon: micro(position.lon) });
  return `${REPORTS_PATH}/nearby?${q}`;
}

/** reportPath is where a report is read: with the private token of a report sent without login. */
export function reportPath(id, token) {
  const base = `${REPORTS_PATH}/${encodeURIComponent(id)}`;
  return token ? `${base}?${new URLSearchParams({ token })}` : base;
}

/** receiptLink is the page of a report just sent: the private follow link when sent without login. */
export function receiptLink(created) {
  if (created.followUrl) {
    const u = new URL(created.followUrl, 'http://x');
    return u.pathname + u.search;
  }
  return `/reports/${encodeURIComponent(created.id)}`;
}

/** GEO_ERRORS names the message of each GeolocationPositionError code (1 denied, 2 unavailable, 3 timeout). */
const GEO_ERRORS = { 1: 'ui.report.place.denied', 2: 'ui.report.place.unavailable', 3: 'ui.report.place.timeout' };

/** geolocationMessage is the message id for why no position came (err null: no Geolocation API). */
export function geolocationMessage(err) {
  if (!err) return 'ui.report.place.unsupported';
  return GEO_ERRORS[err.code] || 'ui.report.place.unavailable';
}

/**
 * currentPosition asks the device for its position once, only when called (the person pressed
 * the button): resolves { lat, lon, accuracy }, rejects with { messageId }.
 */
export function currentPosition(geo = globalThis.navigator && globalThis.navigator.geolocation) {
  return new Promise((resolve, reject) => {
    if (!geo) { reject({ messageId: geolocationMessage(null) }); return; }
    geo.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy }),
      (err) => reject({ messageId: geolocationMessage(err) }),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  });
}
