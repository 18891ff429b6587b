// Cases: a filterable list with "load more", and one case with its timeline and documents.
import { useEffect, useState } from 'preact/hooks';
import { Page, Agency, When, Empty, ErrorNote, Loading, StaleNote, StatusBadge, Subject, WithheldNote, titleOf, useApp, useResource } from '../ui.jsx';
import { DetailFrame } from './detail-frame.jsx';
import { safeHref } from '../links.js';
import { docTypeText } from '../doc-type.js';
import { CaseMessages } from './case-messages.jsx';
import { acknowledgedLabel } from '../documents.js';
import { DocumentButton } from './needs-card.jsx';
import vocabularies from '../vocabularies.json';

/** CaseStatusFilter chooses one of the server's case statuses (vocabularies.json), or all. */
export function CaseStatusFilter({ value, onChange, t }) {
  return (
    <div class="filters">
      <label for="case-status">{t('ui.cases.filter_status')}</label>
      <select id="case-status" value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{t('ui.cases.all')}</option>
        {vocabularies.caseStatuses.map((v) => <option key={v} value={v}>{t(`ui.cases.status.${v}`)}</option>)}
      </select>
    </div>
  );
}

export function Cases() {
  const { s, ctl, t } = useApp();
  const [status, setStatus] = useState('');
  const first = useResource(`/api/v1/cases${status ? `?status=${status}` : ''}`);
  const [more, setMore] = useState({ items: [], cursor: null, error: null });
  useEffect(() => setMore({ items: [], cursor: null, error: null }), [status, first.data]);
  const items = first.data ? [...first.data.items, ...more.items] : [];
  const next = more.cursor || (more.items.length === 0 && first.data ? first.data.nextCursor : null);
  async function loadMore() {
    try {
      const q = new URLSearchParams({ cursor: next });
      if (status) q.set('status', status);
      const res = await ctl.api.get(`/api/v1/cases?${q}`);
      setMore((m) => ({ items: [...m.items, ...res.data.items], cursor: res.data.nextCursor, error: null, done: !res.data.nextCursor }));
    } catch (error) { setMore((m) => ({ ...m, error })); }
  }
  return (
    <Page title={t('ui.cases.title')}>
      <CaseStatusFilter value={status} onChange={setStatus} t={t} />
      {first.stale && !s.online ? <StaleNote savedAt={first.savedAt} t={t} lang={s.lang} /> : null}
      <ErrorNote error={first.error || more.error} t={t} />
      {first.loading && !first.data ? <Loading t={t} /> : items.length === 0 ? <Empty>{t('ui.cases.none')}</Empty> : (
        <ul class="cards">
          {items.map((c) => (
            <li key={c.id} class="card">
              <a class="card-title" href={`/cases/${encodeURIComponent(c.id)}`}><bdi>{titleOf(c, t)}</bdi></a>
              <div class="meta">
                {c.status ? <StatusBadge kind="cases" value={c.status} t={t} /> : null}
                <Agency agency={c.agency} />
                <Subject subject={c.subject} t={t} />
                {!c.seenAt ? <span class="badge badge-new">{t('ui.cases.new')}</span> : null}
              </div>
              {c.nextAction ? <p><bdi>{c.nextAction.text}</bdi>{c.nextAction.dueAt ? <> · {t('ui.common.due')}: <When iso={c.nextAction.dueAt} lang={s.lang} /></> : null}</p> : null}
              <p class="meta">{t('ui.cases.updated')}: <When iso={c.updatedAt} lang={s.lang} /></p>
            </li>
          ))}
        </ul>
      )}
      {next && !more.done ? <button type="button" class="btn" onClick={loadMore}>{t('ui.common.load_more')}</button> : null}
    </Page>
  );
}

export function CaseDetail({ id }) {
  const { s, t } = useApp();
  const r = useResource(`/api/v1/cases/${encodeURIComponent(id)}`);
  return (
    <DetailFrame r={r} title={r.data ? titleOf(r.data, t) : t('ui.cases.case')} back={{ href: '/cases', text: t('ui.cases.back') }}
      events={(c) => c.events} intro={(c) => <CaseNext c={c} />} documents={(c) => c.documents} thread={<CaseMessages caseId={id} />}
      documentItem={(d, c) => (
        <li key={d.id} data-document={d.id}>
          {d.withheld ? <><bdi>{t('ui.task.sensitive_from', { Agency: c.agency.name })}</bdi><WithheldNote stepUpUrl={d.stepUpUrl} t={t} /></> : null}
          {d.withheld ? null : safeHref(d.url) ? <a href={safeHref(d.url)} rel="noopener"><bdi>{d.name}</bdi></a> : <bdi>{d.name}</bdi>} <span class="meta">{docTypeText(d.type, t)}</span>
          {acknowledgedLabel(d) ? <p class="meta" data-acknowledged>{t(acknowledgedLabel(d))} <When iso={d.acknowledgement.at} lang={s.lang} /></p> : null}
          {!d.acknowledgement && d.requires ? <>
            {d.dueAt ? <p class="due">{t('ui.common.due')}: <When iso={d.dueAt} lang={s.lang} /></p> : null}
            <DocumentButton doc={d} />
          </> : null}
        </li>
      )} />
  );
}

/** CaseNext is the case's own part before its timeline: why it is withheld, what the citizen must do next. */
function CaseNext({ c }) {
  const { s, t } = useApp();
  const deepLink = safeHref(c.deepLink) ? <p><a href={safeHref(c.deepLink)} rel="noopener">{t('ui.cases.open_at_agency')}</a></p> : null;
  return (
    <>
      {c.withheld ? <WithheldNote stepUpUrl={c.stepUpUrl} t={t} /> : null}
      {c.nextAction ? (
        <div class="callout">
          <h2 id="h-next">{t('ui.cases.next_action')}</h2>
          <p><bdi>{c.nextAction.text}</bdi></p>
          {c.nextAction.dueAt ? <p>{t('ui.common.due')}: <When iso={c.nextAction.dueAt} lang={s.lang} /></p> : null}
          {deepLink}
        </div>
      ) : deepLink}
    </>
  );
}
