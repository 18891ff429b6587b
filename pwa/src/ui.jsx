// Small shared view pieces: page and section headings, times, agency names,
// stored-data loading, empty states. Everything styled by classes (strict CSP).
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { dataTime, formatDateTime, relativeAge } from './i18n.js';
import { NetworkError, problemText } from './api.js';

export const AppContext = createContext(null);
/** useApp gives {s: state, ctl: controller, t}. */
export function useApp() { return useContext(AppContext); }

export function Page({ title, children, actions }) {
  const { t } = useApp();
  // Each page has its own document title, so history and screen readers can tell them apart.
  useEffect(() => { document.title = `${title} – ${t('ui.app_name')}`; }, [title, t]);
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1} id="page-title">{title}</h1>
        {actions}
      </div>
      {children}
    </>
  );
}

export function Section({ id, title, children, more }) {
  return (
    <section class="section" aria-labelledby={id}>
      <div class="section-head">
        <h2 id={id}>{title}</h2>
        {more}
      </div>
      {children}
    </section>
  );
}

export function When({ iso, lang }) {
  if (!iso) return null;
  return <time dateTime={iso}>{formatDateTime(iso, lang)}</time>;
}

/** Agency text comes from agencies in any script: isolate its direction. */
export function Agency({ agency }) {
  if (!agency) return null;
  return <bdi class="agency">{agency.name}</bdi>;
}

export function Subject({ subject, t }) {
  if (!subject) return null;
  return <span class="subject">{t('ui.common.on_behalf_of')} <bdi>{subject.name}</bdi></span>;
}

export function Empty({ children }) {
  return <p class="empty">{children}</p>;
}

export function ErrorNote({ error, t }) {
  if (!error) return null;
  return <p class="note note-error" role="alert">{problemText(error, t)}</p>;
}

/** StaleNote says the data shown is a stored copy and how old it is. */
export function StaleNote({ savedAt, t, lang }) {
  if (!savedAt) return null;
  return (
    <p class="note note-offline">
      {t('ui.offline.showing_from', { time: dataTime(savedAt, Date.now(), lang), age: relativeAge(savedAt, Date.now(), lang) })}
    </p>
  );
}

export function StatusBadge({ kind, value, t }) {
  return <span class={`badge badge-${value}`}>{statusWord(t, kind, value)}</span>;
}

/** statusWord is a status in words: one message per (kind, status), the server's vocabularies
 * (pwa/src/vocabularies.json) naming which exist. */
export function statusWord(t, kind, value) {
  return t(`ui.${kind}.status.${value}`);
}

/**
 * useResource shows the stored copy of a GET at once (per-user IndexedDB, never
 * Cache Storage), then fetches it and stores the answer. Refetches on dataVersion and
 * when another person is shown (a new login on the device, acting for someone).
 * Only the shown person's own database is read or written: the page may have opened on the
 * last person's (the offline head start), which closes when the server names someone else.
 * A database that fails (closing, full) costs the stored copy, never the answer.
 */
export function useResource(path, { persist = true, version = 0 } = {}) {
  const { s, ctl } = useApp();
  const viewer = s.me ? s.me.id : '';
  const viewed = s.me && s.me.actingAs ? s.me.actingAs.id : 'self';
  const who = `${viewer}/${viewed}`;
  const [r, setR] = useState({ ...LOADING, who });
  useEffect(() => {
    if (!path) return undefined;
    let live = true;
    const store = ctl.getStore();
    const kept = persist && store && store.userId === viewer ? store : null;
    const key = `get:${viewed}:${path}`;
    (async () => {
      const doc = kept ? await kept.getDoc(key).catch(() => null) : null;
      if (doc && live) setR((p) => (p.who === who && p.data && !p.stale ? p : { ...LOADING, who, data: doc.data, savedAt: doc.savedAt, stale: true }));
      try {
        const res = await ctl.api.get(path);
        if (kept) await kept.putDoc(key, res.data).catch(() => {});
        if (live) setR({ data: res.data, error: null, loading: false, savedAt: null, stale: false, who });
      } catch (error) {
        if (live) setR((p) => ({ ...(p.who === who ? p : LOADING), who, error: p.who === who && p.data && error instanceof NetworkError ? null : error, loading: false }));
      }
    })();
    return () => { live = false; };
  }, [path, s.dataVersion, version, who]);
  // What was loaded for the person shown before is never shown for the next one.
  return r.who === who ? r : { ...LOADING, who };
}

const LOADING = { data: null, error: null, loading: true, savedAt: null, stale: false };

export function Loading({ t }) {
  return <p class="loading">{t('ui.common.loading')}</p>;
}

/**
 * useMore adds "show more" to a list resource: the first page comes from useResource
 * (stored for offline use), later pages are fetched with ?cursor= and kept in memory
 * only. It starts over whenever the first page changes.
 */
export function useMore(first, path) {
  const { ctl } = useApp();
  const [more, setMore] = useState({ items: [], cursor: null, done: false, error: null, busy: false });
  useEffect(() => setMore({ items: [], cursor: null, done: false, error: null, busy: false }), [path, first.data]);
  const items = first.data ? [...first.data.items, ...more.items] : [];
  const next = more.done ? null : more.cursor || (more.items.length === 0 && first.data ? first.data.nextCursor : null);
  async function loadMore() {
    if (!next || more.busy) return;
    setMore((m) => ({ ...m, busy: true }));
    try {
      const res = await ctl.api.get(`${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(next)}`);
      setMore((m) => ({ items: [...m.items, ...res.data.items], cursor: res.data.nextCursor, done: !res.data.nextCursor, error: null, busy: false }));
    } catch (error) { setMore((m) => ({ ...m, error, busy: false })); }
  }
  return { items, next, loadMore, error: more.error, busy: more.busy };
}

/** MoreButton is the "show more" button of a useMore list (absent when there is no more). */
export function MoreButton({ more, t }) {
  if (!more.next) return null;
  return (
    <p class="more">
      <button type="button" class="btn" data-action="load-more" disabled={more.busy} onClick={more.loadMore}>{t('ui.common.load_more')}</button>
    </p>
  );
}


/** titleOf is an item's title, or for one withheld below the step-up level the neutral "sensitive matter from <agency>". */
export function titleOf(item, t) {
  return item.withheld ? t('ui.task.sensitive_from', { Agency: item.agency ? item.agency.name : '' }) : item.title;
}

/** WithheldNote says why content is hidden (sensitive, below the step-up level) and offers the login that shows it. */
export function WithheldNote({ stepUpUrl, t }) {
  const stepUp = stepUpUrl && stepUpUrl.startsWith('/auth/login?') ? stepUpUrl : null;
  return (
    <div class="withheld" data-sensitive="withheld">
      <p class="meta">{t('ui.task.sensitive_hint')}</p>
      {stepUp ? <a class="btn" href={stepUp} data-action="step-up">{t('ui.task.step_up')}</a> : null}
    </div>
  );
}
