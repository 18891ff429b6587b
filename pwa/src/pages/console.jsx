// Agency console: an agency editor writes the agency's service tiles in several languages, with
// targeting, a live preview and the number of people it reaches, sends notices after a dry run,
// and writes rules for proactive suggestions (console-rules.jsx). Every text field carries its own lang and dir; errors are linked with aria-describedby and
// focus moves to the first one.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Page, Section, Agency, Empty, ErrorNote, Loading, useApp, useResource } from '../ui.jsx';
import { problemText } from '../api.js';
import { LANGS, MAIN_LANGS, RTL, Field, LangFields, errorsOf, focusFirstError } from './console-fields.jsx';
import { safeHref } from '../links.js';
import { isEditor } from '../roles.js';
import { TILE_ICONS, tileGlyph } from '../tile-icons.js';
import { RuleList } from './console-rules.jsx';

const ICONS = Object.keys(TILE_ICONS);
const CATEGORIES = ['cases', 'bookings', 'keys', 'messages', 'general'];


const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
const num = (s) => (s === '' || s == null ? undefined : Number(s));
const nonEmpty = (m) => Object.fromEntries(Object.entries(m || {}).filter(([, v]) => v && v.trim()));

function targetingOf(f) {
  const t = {
    minAge: num(f.minAge), maxAge: num(f.maxAge), childAgeMin: num(f.childAgeMin), childAgeMax: num(f.childAgeMax),
    districts: f.districts || [], openCaseKinds: list(f.openCaseKinds || ''),
  };
  for (const k of Object.keys(t)) if (t[k] === undefined || (Array.isArray(t[k]) && !t[k].length)) delete t[k];
  return t;
}

/** localInput turns an RFC 3339 time into a datetime-local value (the device's time zone), and back. */
const pad = (n) => String(n).padStart(2, '0');
function localInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
const fromLocalInput = (v) => (v ? new Date(v).toISOString() : undefined);

/** DistrictFields picks districts from the server's list; one the list lacks (an old tile's) stays shown. */
function DistrictFields({ prefix, chosen, onChange, errors, t }) {
  const r = useResource('/api/v1/console/districts', { persist: false });
  const known = r.data ? r.data.districts : [];
  const all = [...known, ...chosen.filter((d) => !known.includes(d))];
  const errs = Object.entries(errors).filter(([ptr]) => ptr.startsWith('/targeting/districts'));
  const errId = `${prefix}-districts-err`;
  const toggle = (d, on) => onChange(on ? [...chosen, d] : chosen.filter((x) => x !== d));
  return (
    <fieldset class="fieldset" aria-describedby={`${prefix}-districts-hint${errs.length ? ` ${errId}` : ''}`}>
      <legend>{t('ui.console.districts_legend')}</legend>
      <p class="meta" id={`${prefix}-districts-hint`}>{t('ui.console.districts_hint')}</p>
      <ErrorNote error={r.error} t={t} />
      <div class="console-grid">
        {all.map((d, i) => (
          <div class="check" key={d}>
            <input type="checkbox" id={`${prefix}-district-${i}`} checked={chosen.includes(d)} onChange={(e) => toggle(d, e.currentTarget.checked)} />
            <label for={`${prefix}-district-${i}`}>{d}</label>
          </div>
        ))}
      </div>
      {errs.length ? <p class="field-error" id={errId}>{errs.map(([, m]) => m).join(' ')}</p> : null}
    </fieldset>
  );
}

function TargetingFields({ prefix, f, set, errors, t }) {
  const g = (k) => (v) => set({ ...f, [k]: v });
  return (
    <fieldset class="fieldset">
      <legend>{t('ui.console.targeting')}</legend>
      <div class="console-grid">
        <Field prefix={prefix} pointer="/targeting/minAge" type="number" label={t('ui.console.min_age')} value={f.minAge} onInput={g('minAge')} errors={errors} />
        <Field prefix={prefix} pointer="/targeting/maxAge" type="number" label={t('ui.console.max_age')} value={f.maxAge} onInput={g('maxAge')} errors={errors} />
        <Field prefix={prefix} pointer="/targeting/childAgeMin" type="number" label={t('ui.console.child_age_min')} value={f.childAgeMin} onInput={g('childAgeMin')} errors={errors} />
        <Field prefix={prefix} pointer="/targeting/childAgeMax" type="number" label={t('ui.console.child_age_max')} value={f.childAgeMax} onInput={g('childAgeMax')} errors={errors} />
      </div>
      <DistrictFields prefix={prefix} chosen={f.districts} onChange={g('districts')} errors={errors} t={t} />
      <Field prefix={prefix} pointer="/targeting/openCaseKinds" label={t('ui.console.case_kinds')} value={f.openCaseKinds} onInput={g('openCaseKinds')} errors={errors} />
    </fieldset>
  );
}

const emptyTile = { title: {}, description: {}, link: 'https://', icon: 'info', category: '', publishFrom: '', publishUntil: '', minAge: '', maxAge: '', childAgeMin: '', childAgeMax: '', districts: [], openCaseKinds: '' };

function formOf(tile) {
  const tg = tile.targeting || {};
  const s = (v) => (v == null ? '' : String(v));
  return {
    title: { ...tile.title }, description: { ...(tile.description || {}) }, link: tile.link, icon: tile.icon, category: tile.category || '',
    publishFrom: localInput(tile.publishFrom), publishUntil: localInput(tile.publishUntil),
    minAge: s(tg.minAge), maxAge: s(tg.maxAge), childAgeMin: s(tg.childAgeMin), childAgeMax: s(tg.childAgeMax),
    districts: tg.districts || [], openCaseKinds: (tg.openCaseKinds || []).join(', '),
  };
}

function bodyOf(f) {
  const b = {
    title: nonEmpty(f.title), description: nonEmpty(f.description), link: f.link, icon: f.icon, category: f.category, targeting: targetingOf(f),
    publishFrom: fromLocalInput(f.publishFrom), publishUntil: fromLocalInput(f.publishUntil),
  };
  if (!Object.keys(b.description).length) delete b.description;
  for (const k of ['publishFrom', 'publishUntil']) if (!b[k]) delete b[k];
  return b;
}

function TileEditor({ slug, tile, onDone }) {
  const { ctl, t, s } = useApp();
  const [f, set] = useState(tile ? formOf(tile) : emptyTile);
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const [previewLang, setPreviewLang] = useState(s.lang || 'nb');
  const [preview, setPreview] = useState(null);
  const root = useRef(null);
  const base = `/api/v1/console/${encodeURIComponent(slug)}/tiles`;

  useEffect(() => {
    let live = true;
    const timer = setTimeout(async () => {
      try {
        const r = await ctl.api.post(`${base}/preview`, { tile: bodyOf(f), lang: previewLang });
        if (live) setPreview({ ...r.data, problems: null });
      } catch (err) {
        // Say why there is nothing to show, field by field, instead of an empty preview.
        const found = Object.entries(errorsOf(err)).map(([ptr, text]) => [ptr.replace(/^\/tile/, ''), text]);
        if (live) setPreview({ problems: found.length ? found : [['', problemText(err, t)]] });
      }
    }, 400);
    return () => { live = false; clearTimeout(timer); };
  }, [f, previewLang]);

  async function save(e) {
    e.preventDefault();
    setError(null);
    try {
      if (tile) await ctl.api.put(`${base}/${encodeURIComponent(tile.id)}`, { ...bodyOf(f), version: tile.version });
      else await ctl.api.post(base, bodyOf(f));
      setErrors({});
      ctl.announce(t('ui.console.saved'));
      onDone();
    } catch (err) {
      const found = errorsOf(err);
      setErrors(found);
      setError(err);
      if (Object.keys(found).length) setTimeout(() => focusFirstError('tile', found, root.current), 0);
    }
  }

  return (
    <form class="console-form" ref={root} onSubmit={save} noValidate>
      {Object.keys(errors).length ? <p class="note note-error" role="alert">{t('ui.console.fix_errors')}</p> : <ErrorNote error={error} t={t} />}
      <LangFields prefix="tile" langs={MAIN_LANGS} f={f} set={set} errors={errors} t={t}
        fields={[['title', t('ui.console.title_field')], ['description', t('ui.console.description'), true]]} />
      <details class="console-more" open={LANGS.some((l) => !MAIN_LANGS.includes(l) && (f.title[l] || errors[`/title/${l}`]))}>
        <summary>{t('ui.console.more_languages')}</summary>
        <LangFields prefix="tile" langs={LANGS.filter((l) => !MAIN_LANGS.includes(l))} f={f} set={set} errors={errors} t={t}
          fields={[['title', t('ui.console.title_field')], ['description', t('ui.console.description'), true]]} />
      </details>
      <Field prefix="tile" pointer="/link" type="url" label={t('ui.console.link')} value={f.link} onInput={(v) => set({ ...f, link: v })} errors={errors} />
      <div class="field">
        <label for="tile-icon">{t('ui.console.icon')}</label>
        <div class="console-icon">
          <span class="tile-glyph" aria-hidden="true">{tileGlyph(f.icon)}</span>
          <select id="tile-icon" value={f.icon} onChange={(e) => set({ ...f, icon: e.currentTarget.value })}>
            {ICONS.map((i) => <option key={i} value={i}>{`${TILE_ICONS[i]} ${i}`}</option>)}
          </select>
        </div>
      </div>
      <div class="console-grid">
        <Field prefix="tile" pointer="/publishFrom" type="datetime-local" label={t('ui.console.publish_from')} value={f.publishFrom} onInput={(v) => set({ ...f, publishFrom: v })} errors={errors} />
        <Field prefix="tile" pointer="/publishUntil" type="datetime-local" label={t('ui.console.publish_until')} value={f.publishUntil} onInput={(v) => set({ ...f, publishUntil: v })} errors={errors} />
      </div>
      <Field prefix="tile" pointer="/category" label={t('ui.console.category')} value={f.category} onInput={(v) => set({ ...f, category: v })} errors={errors} />
      <TargetingFields prefix="tile" f={f} set={set} errors={errors} t={t} />

      <section class="section" aria-labelledby="h-preview">
        <h3 id="h-preview">{t('ui.console.preview')}</h3>
        <div class="field">
          <label for="preview-lang">{t('ui.console.preview_lang')}</label>
          <select id="preview-lang" value={previewLang} onChange={(e) => setPreviewLang(e.currentTarget.value)}>
            {LANGS.map((l) => <option key={l} value={l}>{l}</option>)}
          </select>
        </div>
        {preview && preview.problems ? (
          <div class="note note-pending console-preview-invalid">
            <p>{t('ui.console.preview_invalid')}</p>
            <ul>{preview.problems.map(([ptr, text]) => <li key={ptr}>{ptr ? <code>{ptr}</code> : null} {text}</li>)}</ul>
          </div>
        ) : preview ? (
          <>
            <ul class="tiles">
              <li class="tile" lang={preview.tile.titleLang} dir={RTL.has(preview.tile.titleLang) ? 'rtl' : 'ltr'}>
                <span class="tile-glyph" role="img" aria-label={preview.tile.icon}>{tileGlyph(preview.tile.icon)}</span>
                <a href={safeHref(preview.tile.link) || undefined} class="card-title" dir="auto">{preview.tile.title}</a>
                <p dir="auto">{preview.tile.description}</p>
                <div class="meta"><Agency agency={preview.tile.agency} /></div>
              </li>
            </ul>
            <p class="console-reach" aria-live="polite">{t('ui.console.reach', { count: preview.reach })}</p>
          </>
        ) : null}
      </section>
      <div class="console-actions">
        <button type="submit" class="btn btn-primary">{t('ui.console.save')}</button>
        <button type="button" class="btn" onClick={onDone}>{t('ui.console.cancel')}</button>
      </div>
    </form>
  );
}

function TileList({ slug }) {
  const { ctl, t } = useApp();
  const [version, setVersion] = useState(0);
  const [editing, setEditing] = useState(null); // null, 'new' or a tile
  const [error, setError] = useState(null);
  const r = useResource(`/api/v1/console/${encodeURIComponent(slug)}/tiles`, { persist: false, version });
  const tiles = r.data ? r.data.tiles : [];
  const done = () => { setEditing(null); setVersion((v) => v + 1); };

  async function setStatus(tile, action) {
    setError(null);
    try {
      await ctl.api.post(`/api/v1/console/${encodeURIComponent(slug)}/tiles/${encodeURIComponent(tile.id)}/${action}`, { version: tile.version });
      setVersion((v) => v + 1);
    } catch (err) {
      setError(err);
    }
  }

  if (editing) return <TileEditor slug={slug} tile={editing === 'new' ? null : editing} onDone={done} />;
  return (
    <>
      <ErrorNote error={r.error || error} t={t} />
      <button type="button" class="btn btn-primary" onClick={() => setEditing('new')}>{t('ui.console.new_tile')}</button>
      {r.loading && !r.data ? <Loading t={t} /> : tiles.length === 0 ? <Empty>{t('ui.console.none')}</Empty> : (
        <ul class="list console-tiles">
          {tiles.map((tile) => (
            <li key={tile.id}>
              <span class="tile-glyph" aria-hidden="true">{tileGlyph(tile.icon)}</span>{' '}
              <span class="card-title" dir="auto">{tile.title.nb || tile.title.en || Object.values(tile.title)[0]}</span>{' '}
              <span class={`badge badge-${tile.status}`}>{tile.status === 'published' ? t('ui.console.status_published') : t('ui.console.status_draft')}</span>
              <p class="meta">{t('ui.console.languages', { langs: Object.keys(tile.title).join(', ') })}</p>
              <div class="console-actions">
                <button type="button" class="btn" onClick={() => setEditing(tile)}>{t('ui.console.edit')}</button>
                {tile.status === 'published'
                  ? <button type="button" class="btn" onClick={() => setStatus(tile, 'unpublish')}>{t('ui.console.unpublish')}</button>
                  : <button type="button" class="btn" onClick={() => setStatus(tile, 'publish')}>{t('ui.console.publish')}</button>}
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

const emptyNotice = { title: {}, body: {}, link: '', category: 'general', urgency: 'normal', minAge: '', maxAge: '', childAgeMin: '', childAgeMax: '', districts: [], openCaseKinds: '' };

function NoticeComposer({ slug }) {
  const { ctl, t } = useApp();
  const [f, set] = useState(emptyNotice);
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const [reach, setReach] = useState(null);
  const [sent, setSent] = useState(null);
  const root = useRef(null);
  const change = (next) => { set(next); setReach(null); };
  const body = () => {
    const b = { title: nonEmpty(f.title), body: nonEmpty(f.body), category: f.category, urgency: f.urgency, targeting: targetingOf(f) };
    if (f.link) b.link = f.link;
    return b;
  };

  async function send(dryRun) {
    setError(null);
    setSent(null);
    try {
      const payload = dryRun ? { ...body(), dryRun: true } : { ...body(), dryRun: false, expectedReach: reach };
      const r = await ctl.api.post(`/api/v1/console/${encodeURIComponent(slug)}/notices`, payload);
      setErrors({});
      if (dryRun) setReach(r.data.reach);
      else { setSent(r.data.sent); setReach(null); ctl.announce(t('ui.console.sent', { count: r.data.sent })); }
    } catch (err) {
      const found = errorsOf(err);
      setErrors(found);
      setError(err);
      setReach(null);
      if (Object.keys(found).length) setTimeout(() => focusFirstError('notice', found, root.current), 0);
    }
  }

  return (
    <form class="console-form" ref={root} onSubmit={(e) => { e.preventDefault(); send(true); }} noValidate>
      {Object.keys(errors).length ? <p class="note note-error" role="alert">{t('ui.console.fix_errors')}</p> : <ErrorNote error={error} t={t} />}
      <LangFields prefix="notice" langs={MAIN_LANGS} f={f} set={change} errors={errors} t={t}
        fields={[['title', t('ui.console.title_field')], ['body', t('ui.console.notice_body'), true]]} />
      <details class="console-more">
        <summary>{t('ui.console.more_languages')}</summary>
        <LangFields prefix="notice" langs={LANGS.filter((l) => !MAIN_LANGS.includes(l))} f={f} set={change} errors={errors} t={t}
          fields={[['title', t('ui.console.title_field')], ['body', t('ui.console.notice_body'), true]]} />
      </details>
      <Field prefix="notice" pointer="/link" label={t('ui.console.link')} value={f.link} onInput={(v) => change({ ...f, link: v })} errors={errors} />
      <div class="field">
        <label for="notice-category">{t('ui.console.category')}</label>
        <select id="notice-category" value={f.category} onChange={(e) => change({ ...f, category: e.currentTarget.value })}>
          {CATEGORIES.map((cat) => <option key={cat} value={cat}>{t(`ui.notifications.category.${cat}`)}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="notice-urgency">{t('ui.console.urgency')}</label>
        <select id="notice-urgency" value={f.urgency} onChange={(e) => change({ ...f, urgency: e.currentTarget.value })}>
          <option value="low">{t('ui.console.urgency_low')}</option>
          <option value="normal">{t('ui.console.urgency_normal')}</option>
          <option value="high">{t('ui.console.urgency_high')}</option>
        </select>
      </div>
      <TargetingFields prefix="notice" f={f} set={change} errors={errors} t={t} />
      {reach === null ? (
        <div class="console-actions"><button type="submit" class="btn btn-primary">{t('ui.console.dry_run')}</button></div>
      ) : (
        <div class="console-confirm" role="group" aria-labelledby="notice-reach">
          <p id="notice-reach" aria-live="polite">{t('ui.console.will_reach', { count: reach })}</p>
          <div class="console-actions">
            <button type="button" class="btn btn-primary" onClick={() => send(false)} disabled={reach === 0}>{t('ui.console.confirm_send')}</button>
            <button type="button" class="btn" onClick={() => setReach(null)}>{t('ui.console.cancel')}</button>
          </div>
        </div>
      )}
      {sent !== null ? <p class="note" role="status">{t('ui.console.sent', { count: sent })}</p> : null}
    </form>
  );
}

export function Console() {
  const { s, t } = useApp();
  const r = useResource('/api/v1/console/agencies', { persist: false });
  const agencies = r.data ? r.data.agencies : [];
  const [slug, setSlug] = useState(null);
  const current = slug || (agencies[0] && agencies[0].slug);
  if (!isEditor(s.me)) return <Page title={t('ui.console.title')}><Empty>{t('ui.console.not_editor')}</Empty></Page>;
  return (
    <Page title={t('ui.console.title')}>
      <ErrorNote error={r.error} t={t} />
      {r.loading && !r.data ? <Loading t={t} /> : null}
      {agencies.length > 1 ? (
        <div class="field">
          <label for="console-agency">{t('ui.console.agency')}</label>
          <select id="console-agency" value={current} onChange={(e) => setSlug(e.currentTarget.value)}>
            {agencies.map((a) => <option key={a.slug} value={a.slug}>{a.name}</option>)}
          </select>
        </div>
      ) : null}
      {current ? (
        <>
          <Section id="h-console-tiles" title={t('ui.console.tiles')}><TileList key={current} slug={current} /></Section>
          <Section id="h-console-notice" title={t('ui.console.notice')}><NoticeComposer key={current} slug={current} /></Section>
          <Section id="h-console-rules" title={t('ui.console.rules')}><RuleList key={current} slug={current} /></Section>
        </>
      ) : null}
    </Page>
  );
}
