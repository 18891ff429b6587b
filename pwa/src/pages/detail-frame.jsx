// The frame a case and an errand share: the title, the way back, the stored-copy and error notes,
// the status with agency and subject, the timeline, the documents and the message thread last.
// What is each one's own (next steps, cases, how a document is shown) is given by the page.
import { Page, Agency, When, Empty, ErrorNote, Loading, StaleNote, StatusBadge, Subject, useApp } from '../ui.jsx';

/**
 * DetailFrame shows resource r (from useResource) once it has data: intro(data), the timeline of
 * events(data), the documents(data) each as documentItem(doc, data), then thread. markAgency
 * names each event's agency (an errand's timeline mixes agencies).
 */
export function DetailFrame({ r, title, back, events, markAgency = false, intro, documents, documentItem, thread }) {
  const { s, t } = useApp();
  const d = r.data;
  return (
    <Page title={title}>
      <p><a href={back.href}>{back.text}</a></p>
      {r.stale && !s.online ? <StaleNote savedAt={r.savedAt} t={t} lang={s.lang} /> : null}
      <ErrorNote error={r.error} t={t} />
      {!d ? (r.loading ? <Loading t={t} /> : null) : (
        <>
          <div class="meta case-meta">
            {d.status ? <StatusBadge kind="cases" value={d.status} t={t} /> : null}
            <Agency agency={d.agency} />
            <Subject subject={d.subject} t={t} />
          </div>
          {intro ? intro(d) : null}
          <section class="section" aria-labelledby="h-timeline">
            <h2 id="h-timeline">{t('ui.cases.timeline')}</h2>
            {events(d).length === 0 ? <Empty>{t('ui.cases.no_events')}</Empty> : (
              <ol class="timeline">
                {events(d).map((ev) => (
                  <li key={ev.id}>
                    <p class="meta">
                      <When iso={ev.at} lang={s.lang} />
                      {markAgency ? <> · <bdi class="agency-mark">{ev.agency.name}</bdi></> : null}
                      {ev.status ? <> · {t(`ui.cases.status.${ev.status}`)}</> : null}
                    </p>
                    <h3 dir="auto">{ev.title}</h3>
                    {ev.body ? <p dir="auto">{ev.body}</p> : null}
                  </li>
                ))}
              </ol>
            )}
          </section>
          <section class="section" aria-labelledby="h-docs">
            <h2 id="h-docs">{t('ui.cases.documents')}</h2>
            {documents(d).length === 0 ? <Empty>{t('ui.cases.no_documents')}</Empty> : (
              <ul class="list">{documents(d).map((doc) => documentItem(doc, d))}</ul>
            )}
          </section>
          {thread}
        </>
      )}
    </Page>
  );
}
