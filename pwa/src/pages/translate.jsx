// The translator console: for people with the translator role of a language. Progress
// per language; every message reachable by search (id, source or translation), filter and page;
// the nb source with its description and context, one field per CLDR plural category of the
// language, placeholders checked before saving (here and again by the server, whose 422 is shown
// at the form it names), a live preview through the same t() the app uses with every placeholder
// filled by a sample of its kind, a visible confirmation of each publish, the language file to
// commit into locales/, and who changed what.
//
// The whole language (≈370 messages: 176 KB of JSON, 32 KB gzipped) is fetched once and searched and paged
// here: search answers as the translator types, offline too, and the counts per filter come free.
import { useState } from 'preact/hooks';
import { Page, Section, When, Empty, ErrorNote, Loading, useApp, useResource } from '../ui.jsx';
import { problemText, HttpError } from '../api.js';
import { makeTranslator, isRTL } from '../i18n.js';
import { formProblems, sampleCounts, sampleData, findMessages, filterCounts, pageOf, FILTERS } from '../translate-check.js';

function Progress({ l, t, onOpen }) {
  return (
    <li class="card">
      <h2 class="card-title"><bdi lang={l.code} dir={l.dir}>{l.name}</bdi> ({l.code})</h2>
      <progress max={l.total} value={l.translated} aria-label={t('ui.translate.progress', { translated: l.translated, total: l.total })} />
      <p>{t('ui.translate.progress', { translated: l.translated, total: l.total })}</p>
      <p class="meta">{t('ui.translate.counts', { missing: l.missing, outdated: l.outdated, review: l.needsReview })}</p>
      {onOpen ? <p><button type="button" class="btn" onClick={() => onOpen(l.code)}>{t('ui.translate.open', { name: l.name })}</button></p> : null}
    </li>
  );
}

function Editor({ msg, lang, dir, onSaved }) {
  const { ctl, t } = useApp();
  const [forms, setForms] = useState(() => Object.fromEntries(msg.plurals.map((c) => [c, (msg.forms || {})[c] || ''])));
  const [review, setReview] = useState(!!msg.needsReview);
  const [serverErrors, setServerErrors] = useState({});
  const [note, setNote] = useState(null);
  const [busy, setBusy] = useState(false);
  const problems = formProblems(msg, forms);
  const samples = sampleCounts(lang, msg.plurals);
  const fallbackCount = Object.values(samples)[0] ?? 1;
  const preview = makeTranslator({ [msg.id]: msg.plurals.length > 1 ? forms : forms.other }, lang);
  const base = `tr-${msg.id.replace(/\W/g, '-')}`;

  async function publish(e) {
    e.preventDefault();
    if (Object.keys(problems).length) {
      const first = document.getElementById(`${base}-${Object.keys(problems)[0]}`);
      if (first) first.focus();
      return;
    }
    setBusy(true); setServerErrors({}); setNote(null);
    try {
      const res = await ctl.api.put(`/api/v1/translate/${lang}/messages/${encodeURIComponent(msg.id)}`, { forms, needsReview: review });
      ctl.announce(t('ui.translate.published'));
      onSaved(res.data);
    } catch (err) {
      if (err instanceof HttpError && err.status === 422 && err.problem && err.problem.errors) {
        const byForm = {};
        for (const fe of err.problem.errors) byForm[(fe.pointer || '').split('/')[2] || msg.plurals[0]] = fe.detail || problemText(err, t);
        setServerErrors(byForm);
      }
      setNote({ ok: false, text: problemText(err, t) });
    } finally { setBusy(false); }
  }

  return (
    <form class="card translate-item" onSubmit={publish} noValidate aria-labelledby={`${base}-h`}>
      <h3 id={`${base}-h`} class="card-title"><code>{msg.id}</code> <span class={`badge badge-${msg.status}`}>{t(`ui.translate.filter_${msg.status}`)}</span></h3>
      <dl class="translate-source">
        <dt>{t('ui.translate.source')}</dt>
        <dd lang="nb">{Object.entries(msg.source).map(([cat, text]) => <p key={cat}>{msg.plurals.length > 1 ? <b>{cat}: </b> : null}{text}</p>)}</dd>
        <dt>{t('ui.translate.about')}</dt>
        <dd lang="en">{msg.description}</dd>
        <dt>{t('ui.translate.context')}</dt>
        <dd lang="en">{msg.context}</dd>
        {msg.placeholders && msg.placeholders.length ? <><dt>{t('ui.translate.placeholders')}</dt><dd><code>{msg.placeholders.map((p) => `{{.${p}}}`).join(' ')}</code></dd></> : null}
      </dl>
      {msg.plurals.map((cat) => {
        const id = `${base}-${cat}`;
        const problem = problems[cat];
        const server = serverErrors[cat];
        return (
          <div class="field" key={cat}>
            <label for={id}>{msg.plurals.length > 1 ? t('ui.translate.form', { form: cat }) : t('ui.translate.text_label')}</label>
            <textarea id={id} rows={2} lang={lang} dir={dir} value={forms[cat]} aria-invalid={problem || server ? 'true' : undefined}
              aria-describedby={problem || server ? `${id}-err` : undefined}
              onInput={(e) => setForms((f) => ({ ...f, [cat]: e.currentTarget.value }))} />
            {problem || server ? <p id={`${id}-err`} class="field-error">{server || (problem.key === 'required' ? t('ui.translate.required') : t('ui.translate.placeholders_wrong', { names: problem.names }))}</p> : null}
          </div>
        );
      })}
      <div class="check">
        <input type="checkbox" id={`${base}-review`} checked={review} onChange={(e) => setReview(e.currentTarget.checked)} />
        <label for={`${base}-review`}>{t('ui.translate.needs_review')}</label>
      </div>
      <section class="translate-preview" aria-label={t('ui.translate.preview')}>
        <h4>{t('ui.translate.preview')}</h4>
        <ul lang={lang} dir={dir}>
          {msg.plurals.map((cat) => (
            <li key={cat}>{preview(msg.id, sampleData(msg.placeholders, lang, samples[cat] ?? fallbackCount))}</li>
          ))}
        </ul>
      </section>
      <button type="submit" class="btn btn-primary" disabled={busy}>{t('ui.translate.publish')}</button>
      {note ? <p class={note.ok ? 'note note-ok' : 'note note-error'} role={note.ok ? 'status' : 'alert'}>{note.text}</p> : null}
    </form>
  );
}

// The confirmation of a publish stays on screen until closed (the live region only speaks it), and
// takes the focus: the form it came from is rebuilt with the new text, or leaves a "missing" list.
function Published({ msg, t, lang, dir, onClose }) {
  return (
    <div class="note note-ok translate-published" tabIndex={-1} id="translate-published">
      <p><b>{t('ui.translate.published')}</b> <code>{msg.id}</code>: <bdi lang={lang} dir={dir}>{Object.values(msg.forms || {}).join(' / ')}</bdi></p>
      <button type="button" class="btn" onClick={onClose}>{t('ui.translate.dismiss')}</button>
    </div>
  );
}

function Language({ lang, progress, onPublished }) {
  const { t } = useApp();
  const [filter, setFilter] = useState('missing');
  const [q, setQ] = useState('');
  const [page, setPage] = useState(0);
  const [version, setVersion] = useState(0);
  const [published, setPublished] = useState(null);
  const r = useResource(`/api/v1/translate/${lang}/messages?filter=all`, { persist: false, version });
  const h = useResource(`/api/v1/translate/${lang}/history`, { persist: false, version });
  const dir = isRTL(lang) ? 'rtl' : 'ltr';
  const all = r.data ? r.data.messages : [];
  const counts = filterCounts(all);
  const shown = pageOf(findMessages(all, { q, filter }), page);
  const refine = (set) => (v) => { set(v); setPage(0); };
  const goTo = (p) => {
    setPage(p);
    const el = document.getElementById('translate-results');
    if (el) el.focus();
  };
  const saved = (msg) => {
    setPublished(msg);
    setVersion((v) => v + 1);
    onPublished();
    setTimeout(() => { const el = document.getElementById('translate-published'); if (el) el.focus(); }, 0);
  };
  return (
    <>
      {progress ? <ul class="cards"><Progress l={progress} t={t} /></ul> : null}
      <p><a class="btn" href={`/api/v1/translate/${lang}/export`} download={`${lang}.toml`}>{t('ui.translate.export', { lang })}</a></p>
      {published ? <Published msg={published} t={t} lang={lang} dir={dir} onClose={() => setPublished(null)} /> : null}
      <div class="field" role="search">
        <label for="translate-q">{t('ui.translate.search')}</label>
        <input id="translate-q" type="search" class="wide" value={q} aria-describedby="translate-q-hint"
          onInput={(e) => refine(setQ)(e.currentTarget.value)} />
        <p id="translate-q-hint" class="meta">{t('ui.translate.search_hint')}</p>
      </div>
      <fieldset class="fieldset">
        <legend>{t('ui.translate.filter')}</legend>
        {FILTERS.map((f) => (
          <div class="check" key={f}>
            <input type="radio" name="translate-filter" id={`tf-${f}`} checked={filter === f} onChange={() => refine(setFilter)(f)} />
            <label for={`tf-${f}`}>{t(`ui.translate.filter_${f}`)} ({counts[f]})</label>
          </div>
        ))}
      </fieldset>
      <ErrorNote error={r.error} t={t} />
      <p id="translate-results" class="meta" tabIndex={-1} aria-live="polite">
        {r.data ? t('ui.translate.showing', { first: shown.from, last: shown.to, total: shown.total }) : null}
      </p>
      {r.loading && !r.data ? <Loading t={t} /> : shown.total === 0 ? <Empty>{t('ui.translate.none')}</Empty> : (
        <div class="cards">
          {shown.items.map((m) => <Editor key={`${m.id}-${version}`} msg={m} lang={lang} dir={dir} onSaved={saved} />)}
        </div>
      )}
      {shown.pages > 1 ? (
        <nav class="console-actions" aria-label={t('ui.translate.pages')}>
          <button type="button" class="btn" disabled={shown.page === 0} onClick={() => goTo(shown.page - 1)}>{t('ui.translate.previous')}</button>
          <span class="meta">{t('ui.translate.page', { page: shown.page + 1, pages: shown.pages })}</span>
          <button type="button" class="btn" disabled={shown.page >= shown.pages - 1} onClick={() => goTo(shown.page + 1)}>{t('ui.translate.next')}</button>
        </nav>
      ) : null}
      <Section id="translate-history" title={t('ui.translate.history')}>
        {h.data && h.data.changes.length ? (
          <ul class="list">
            {h.data.changes.map((c) => (
              <li key={c.id}><When iso={c.changedAt} lang={lang} /> · <bdi>{c.changedBy}</bdi> · <code>{c.messageId}</code>: <bdi lang={lang} dir={dir}>{Object.values(c.newForms).join(' / ')}</bdi></li>
            ))}
          </ul>
        ) : <Empty>{t('ui.translate.no_history')}</Empty>}
      </Section>
    </>
  );
}

export function Translate() {
  const { t } = useApp();
  const [lang, setLang] = useState(null);
  const [version, setVersion] = useState(0);
  const r = useResource('/api/v1/translate/languages', { persist: false, version });
  const langs = r.data ? r.data.languages : [];
  const chosen = lang && r.data && r.data.permitted.includes(lang) ? lang : null;
  const open = (code) => {
    setLang(code);
    const h1 = document.getElementById('page-title');
    if (h1) h1.focus();
  };
  return (
    <Page title={t('ui.translate.title')} actions={chosen ? <button type="button" class="btn" onClick={() => open(null)}>{t('ui.translate.all_languages')}</button> : null}>
      <ErrorNote error={r.error} t={t} />
      {r.loading && !r.data ? <Loading t={t} /> : chosen ? (
        <Language lang={chosen} progress={langs.find((l) => l.code === chosen)} onPublished={() => setVersion((v) => v + 1)} />
      ) : (
        <ul class="cards">{langs.filter((l) => l.permitted).map((l) => <Progress key={l.code} l={l} t={t} onOpen={open} />)}</ul>
      )}
    </Page>
  );
}
