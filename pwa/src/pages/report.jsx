// "Meld fra": report a problem in the street from the phone, logged in or not. Pick what it
// is, answer the service's questions, say what is wrong, add up to three photos (scaled here
// before they are kept) and the place; see whether it is already reported nearby and follow
// that one instead. Without signal the report waits (logged in: in the outbox with its photos,
// kept on the device; without login: in the open form) and is sent once the network returns.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { Page, ErrorNote, Loading, StatusBadge, useApp, useResource } from '../ui.jsx';
import { HttpError, NetworkError } from '../api.js';
import { newKey } from '../outbox.js';
import { waitForNetwork } from '../network-wait.js';
import { scaleImages } from '../image-scale.js';
import { loginHref } from './public.jsx';
import { PlaceStep } from './report-place.jsx';
import { WaitingReports } from './reports.jsx';
import {
  MAX_PHOTOS, REPORTS_PATH, checkReport, followAction, groupGlyph, nearbyPath, problemFields, receiptLink, reportAction,
} from '../report-outbox.js';

const EMPTY = { service: '', description: '', answers: {}, position: null, address: '' };

/** fieldIdOf is the id of the control that a field key's error belongs to. */
function fieldIdOf(key, service) {
  if (key === 'service') return service ? `report-service-${service}` : 'report-services';
  if (key === 'place') return 'report-address';
  if (key.startsWith('answers.')) return `report-q-${key.slice(8)}`;
  return `report-${key}`;
}

function FieldError({ id, text }) {
  return text ? <p class="field-error" id={id}>{text}</p> : null;
}

function ServicePicker({ services, value, onPick, error }) {
  const { t } = useApp();
  return (
    <fieldset class="fieldset" id="report-services" aria-describedby={error ? 'report-service-err' : undefined}>
      <legend>{t('ui.report.service')}</legend>
      <ul class="service-choices">
        {services.map((sv) => (
          <li key={sv.code}>
            <label class="check service-choice" for={`report-service-${sv.code}`}>
              <input type="radio" name="service" id={`report-service-${sv.code}`} value={sv.code} checked={value === sv.code}
                aria-invalid={error ? 'true' : undefined} onChange={() => onPick(sv.code)} />
              <span class="service-glyph" aria-hidden="true">{groupGlyph(sv.group)}</span>
              <span lang={sv.lang} dir="auto">{sv.name}</span>
            </label>
          </li>
        ))}
      </ul>
      <FieldError id="report-service-err" text={error} />
    </fieldset>
  );
}

function Question({ q, value, onChange, error }) {
  const { t } = useApp();
  const id = `report-q-${q.code}`;
  const errId = `${id}-err`;
  const label = <>{q.label}{q.required ? ` (${t('ui.report.required')})` : ''}</>;
  const invalid = error ? 'true' : undefined;
  if (q.type === 'singlechoice' || q.type === 'multichoice') {
    const multi = q.type === 'multichoice';
    const chosen = multi ? (value || []) : value;
    return (
      <fieldset class="fieldset" aria-describedby={error ? errId : undefined}>
        <legend dir="auto">{label}</legend>
        {q.choices.map((c, i) => (
          <label key={c.key} class="check">
            <input type={multi ? 'checkbox' : 'radio'} name={id} id={i === 0 ? id : undefined} value={c.key} aria-invalid={invalid}
              checked={multi ? chosen.includes(c.key) : chosen === c.key}
              onChange={(e) => onChange(multi ? (e.currentTarget.checked ? [...chosen, c.key] : chosen.filter((k) => k !== c.key)) : c.key)} />
            <span dir="auto">{c.label}</span>
          </label>
        ))}
        <FieldError id={errId} text={error} />
      </fieldset>
    );
  }
  const type = q.type === 'number' ? 'number' : q.type === 'datetime' ? 'datetime-local' : 'text';
  return (
    <div class="field">
      <label for={id} dir="auto">{label}</label>
      <input id={id} type={type} value={value || ''} aria-invalid={invalid} aria-describedby={error ? errId : undefined}
        required={q.required} onInput={(e) => onChange(e.currentTarget.value)} />
      <FieldError id={errId} text={error} />
    </div>
  );
}

function Photos({ photos, onPhotos, required, error }) {
  const { t } = useApp();
  const [busy, setBusy] = useState(false);
  const [inputKey, setInputKey] = useState(0); // remounts the file input to clear it
  async function add(e) {
    const picked = [...(e.currentTarget.files || [])].slice(0, MAX_PHOTOS - photos.length);
    setBusy(true);
    const scaled = await scaleImages(picked);
    setBusy(false); setInputKey((k) => k + 1);
    onPhotos([...photos, ...scaled].slice(0, MAX_PHOTOS));
  }
  const full = photos.length >= MAX_PHOTOS;
  return (
    <div class="field">
      <label for="report-photos">{t('ui.report.photos', { Max: MAX_PHOTOS })}{required ? ` (${t('ui.report.required')})` : ''}</label>
      <input key={inputKey} id="report-photos" type="file" accept="image/*" capture="environment" multiple disabled={full || busy}
        aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'report-photos-err' : undefined} onChange={add} />
      {busy ? <p class="meta" role="status">{t('ui.report.photos_scaling')}</p> : null}
      {photos.length ? (
        <ul class="list" data-photos="">
          {photos.map((p, i) => (
            <li key={`${p.name}-${i}`} class="row">
              <span dir="auto">{p.name}</span>
              <button type="button" class="btn" onClick={() => onPhotos(photos.filter((_, j) => j !== i))}>
                {t('ui.report.photo_remove', { Name: p.name })}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <FieldError id="report-photos-err" text={error} />
    </div>
  );
}

/** Nearby lists open reports of the same service near the position: follow one instead of sending again. */
function Nearby({ service, position }) {
  const { s, ctl, t } = useApp();
  const [items, setItems] = useState([]);
  const [followed, setFollowed] = useState({});
  const [error, setError] = useState(null);
  useEffect(() => {
    let live = true;
    setItems([]);
    ctl.api.get(nearbyPath(service, position)).then((r) => { if (live) setItems(r.data.items || []); }, () => {});
    return () => { live = false; };
  }, [service, position && position.lat, position && position.lon]);
  if (items.length === 0) return null;
  async function follow(id) {
    setError(null);
    try {
      const r = await ctl.submit(followAction(id));
      setFollowed({ ...followed, [id]: r.sent ? 'sent' : 'queued' });
    } catch (err) { setError(err); }
  }
  return (
    <section class="section note" aria-labelledby="h-nearby" data-nearby="">
      <h2 id="h-nearby">{t('ui.report.nearby.title')}</h2>
      <p>{t('ui.report.nearby.lead')}</p>
      {s.me ? null : (
        <p data-login-to-follow="">
          {t('ui.report.nearby.login_to_follow')} <a href={loginHref(s.config && s.config.loginUrl, '/report', false)}>{t('ui.welcome.login')}</a>
        </p>
      )}
      <ErrorNote error={error} t={t} />
      <ul class="cards">
        {items.map((r) => (
          <li key={r.id} class="card" data-nearby-report={r.id}>
            <p class="message-body" dir="auto">{r.description}</p>
            <p class="meta">
              <StatusBadge kind="reports" value={r.status} t={t} />
              <span>{t('ui.report.nearby.distance', { Metres: Math.round(r.distanceM) })}</span>
            </p>
            {!s.me ? null : followed[r.id] ? (
              <p role="status" data-followed="">
                {followed[r.id] === 'sent' ? t('ui.report.nearby.following') : t('ui.report.nearby.follow_queued')}{' '}
                {followed[r.id] === 'sent' ? <a href={`/reports/${encodeURIComponent(r.id)}`}>{t('ui.report.open')}</a> : null}
              </p>
            ) : (
              <button type="button" class="btn btn-primary" data-action="follow" onClick={() => follow(r.id)}>{t('ui.report.nearby.follow')}</button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Receipt({ receipt, onAgain }) {
  const { t } = useApp();
  const link = receipt.created ? receiptLink(receipt.created) : null;
  return (
    <section class="section" aria-labelledby="h-receipt" data-receipt={receipt.queued ? 'queued' : 'sent'}>
      <h2 id="h-receipt" tabIndex={-1}>{receipt.queued ? t('ui.report.receipt.queued_title') : t('ui.report.receipt.title')}</h2>
      {receipt.queued ? <p>{t('ui.report.receipt.queued')}</p> : <p>{t('ui.report.receipt.lead')}</p>}
      {link && receipt.created.followUrl ? (
        <div class="field">
          <label for="report-follow-link">{t('ui.report.receipt.private_link')}</label>
          <input id="report-follow-link" type="text" readOnly value={receipt.created.followUrl} aria-describedby="report-follow-help"
            onFocus={(e) => e.currentTarget.select()} />
          <p class="meta" id="report-follow-help">{t('ui.report.receipt.private_help')}</p>
        </div>
      ) : null}
      <p class="row">
        {link ? <a class="btn btn-primary" href={link} data-receipt-link="">{t('ui.report.open')}</a> : <a class="btn btn-primary" href="/reports">{t('ui.reports.title')}</a>}
        <button type="button" class="btn" onClick={onAgain}>{t('ui.report.again')}</button>
      </p>
    </section>
  );
}

function ReportForm({ services, onDone }) {
  const { s, ctl, t } = useApp();
  const [draft, setDraft] = useState(EMPTY);
  const [photos, setPhotos] = useState([]);
  const [errors, setErrors] = useState({});
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(null); // the Idempotency-Key of a send without login, kept across retries
  const form = useRef(null);
  const service = services.find((sv) => sv.code === draft.service) || null;
  const set = (patch) => { setDraft((d) => ({ ...d, ...patch })); key.current = null; };
  const err = (k) => (errors[k] ? (errors[k].startsWith('ui.') ? t(errors[k]) : errors[k]) : null);

  function showErrors(found) {
    setErrors(found);
    const first = Object.keys(found)[0];
    const el = first && form.current && form.current.querySelector(`#${fieldIdOf(first, draft.service)}`);
    if (el) el.focus();
  }

  async function send(e) {
    e.preventDefault();
    setFailure(null);
    const found = checkReport(service, draft, photos);
    if (Object.keys(found).length) { showErrors(found); return; }
    setErrors({});
    setBusy(true);
    const action = reportAction(draft, photos);
    try {
      if (s.me) {
        const r = await ctl.submit(action);
        onDone(r.queued ? { queued: true } : { created: r.sent });
      } else {
        key.current ||= newKey();
        const r = await ctl.api.request('POST', REPORTS_PATH, { body: action.body, idempotencyKey: key.current });
        onDone({ created: r.data });
      }
    } catch (error) {
      if (error instanceof HttpError && error.status === 422) showErrors(problemFields(error.problem));
      setFailure(error);
    } finally { setBusy(false); }
  }

  // Without login there is no outbox: a report that found no network is sent again, with the
  // same key, when the network returns (waitForNetwork). The wait starts before the note about
  // it is painted, so an 'online' event right after the note is not missed.
  const waitingForNetwork = failure instanceof NetworkError && !s.me;
  const resend = useRef(null);
  resend.current = () => form.current && form.current.requestSubmit();
  useLayoutEffect(() => {
    if (!waitingForNetwork) return undefined;
    return waitForNetwork(window, () => resend.current());
  }, [waitingForNetwork]);

  const summary = Object.keys(errors).length > 0;
  return (
    <form ref={form} class="message-form report-form" onSubmit={send} noValidate>
      {summary ? <p class="note note-error" role="alert">{t('ui.report.error.summary')}</p> : null}
      {waitingForNetwork ? <p class="note note-error" role="alert" data-anonymous-offline="">{t('ui.report.offline_anonymous')}</p> : <ErrorNote error={failure} t={t} />}
      <ServicePicker services={services} value={draft.service} onPick={(code) => set({ service: code, answers: {} })} error={err('service')} />
      {service ? <p class="meta" lang={service.lang} dir="auto">{service.description}</p> : null}
      {service ? service.questions.map((q) => (
        <Question key={q.code} q={q} value={draft.answers[q.code]} error={err(`answers.${q.code}`)}
          onChange={(v) => set({ answers: { ...draft.answers, [q.code]: v } })} />
      )) : null}
      <label for="report-description">{t('ui.report.description')} ({t('ui.report.required')})</label>
      <textarea id="report-description" rows={4} maxLength={2000} value={draft.description} aria-invalid={errors.description ? 'true' : undefined}
        aria-describedby={errors.description ? 'report-description-err' : undefined} onInput={(e) => set({ description: e.currentTarget.value })} />
      <FieldError id="report-description-err" text={err('description')} />
      {service && service.photo === 'none' ? null : (
        <Photos photos={photos} onPhotos={(p) => { setPhotos(p); key.current = null; }} required={service && service.photo === 'required'} error={err('photos')} />
      )}
      <PlaceStep position={draft.position} onPosition={(position) => set({ position })} address={draft.address}
        onAddress={(address) => set({ address })} required={!service || service.place === 'required'} error={err('place')} />
      {service && draft.position ? <Nearby service={service.code} position={draft.position} /> : null}
      <button type="submit" class="btn btn-primary btn-large" disabled={busy}>{t('ui.report.submit')}</button>
    </form>
  );
}

export function Report() {
  const { s, t } = useApp();
  const r = useResource('/api/v1/report-services');
  const [receipt, setReceipt] = useState(null);
  const [round, setRound] = useState(0); // a new round starts an empty form
  useEffect(() => { if (receipt) { const h = document.getElementById('h-receipt'); if (h) h.focus(); } }, [receipt]);
  const services = r.data ? r.data.items : [];
  return (
    <Page title={t('ui.report.title')}>
      <p>{t('ui.report.intro')}</p>
      {s.me ? <p><a href="/reports">{t('ui.reports.title')}</a></p> : <p class="meta">{t('ui.report.anonymous_note')}</p>}
      <WaitingReports />
      <ErrorNote error={r.error} t={t} />
      {receipt ? <Receipt receipt={receipt} onAgain={() => { setReceipt(null); setRound((n) => n + 1); }} />
        : r.loading && !r.data ? <Loading t={t} />
        : <ReportForm key={round} services={services} onDone={setReceipt} />}
    </Page>
  );
}
