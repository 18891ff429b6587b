// One errand: the cases of several agencies about one matter, merged into one status, one
// timeline (each entry marked with its agency), one list of documents and one "what happens
// next" naming who waits for whom, and the thread with its agencies. Stored for offline use
// like a case (useResource). A sensitive case or document read below the step-up level is
// listed without its content, with the login that shows it.
import { When, Empty, WithheldNote, titleOf, useApp, useResource } from '../ui.jsx';
import { DetailFrame } from './detail-frame.jsx';
import { MessageThread } from './case-messages.jsx';
import { safeHref } from '../links.js';
import { docTypeText } from '../doc-type.js';

/** waitText says who waits for whom in one step of what happens next. */
export function waitText(step, t) {
  const agency = step.agency ? step.agency.name : '';
  if (step.waitingFor === 'citizen') return t('ui.errands.waits_for_you', { Agency: agency });
  if (step.waitingFor === 'third_party') return t('ui.errands.waits_for_party', { Agency: agency, Party: step.party || '' });
  return t('ui.errands.agency_works', { Agency: agency });
}

export function ErrandDetail({ id }) {
  const { t } = useApp();
  const r = useResource(`/api/v1/me/errands/${encodeURIComponent(id)}`);
  return (
    <DetailFrame r={r} title={r.data ? r.data.title : t('ui.errands.errand')} back={{ href: '/', text: t('ui.errands.back') }}
      events={(e) => e.timeline} markAgency intro={(e) => <ErrandNextAndCases e={e} />} documents={(e) => e.documents}
      thread={<MessageThread subject={{ kind: 'errand', id }} />}
      documentItem={(d) => (
        <li key={d.id}>
          {d.withheld ? <bdi>{titleOf(d, t)}</bdi> : safeHref(d.url) ? <a href={safeHref(d.url)} rel="noopener"><bdi>{d.name}</bdi></a> : <bdi>{d.name}</bdi>}{' '}
          <span class="meta">{docTypeText(d.type, t)} · <bdi>{d.agency.name}</bdi></span>
          {d.withheld ? <WithheldNote stepUpUrl={d.stepUpUrl} t={t} /> : null}
        </li>
      )} />
  );
}

/** ErrandNextAndCases is the errand's own part before its timeline: what happens next, and its cases. */
function ErrandNextAndCases({ e }) {
  const { s, t } = useApp();
  return (
    <>
      <section class="section callout" aria-labelledby="h-errand-next">
        <h2 id="h-errand-next">{t('ui.errands.next')}</h2>
        {e.next.length === 0 ? <Empty>{t('ui.errands.nothing_next')}</Empty> : (
          <ul class="list errand-next">
            {e.next.map((step, i) => (
              <li key={i} data-waiting-for={step.waitingFor}>
                <strong dir="auto">{waitText(step, t)}</strong>
                <p dir="auto">{step.text}</p>
                {step.dueAt ? <p class="meta">{t('ui.common.due')}: <When iso={step.dueAt} lang={s.lang} /></p> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="section" aria-labelledby="h-errand-cases">
        <h2 id="h-errand-cases">{t('ui.errands.cases')}</h2>
        <ul class="list">
          {e.cases.map((c) => (
            <li key={c.id}>
              <a href={`/cases/${encodeURIComponent(c.id)}`}><bdi>{titleOf(c, t)}</bdi></a>{' '}
              <span class="meta">{c.status ? <>{t(`ui.cases.status.${c.status}`)} · </> : null}<bdi>{c.agency.name}</bdi></span>
              {c.withheld ? <WithheldNote stepUpUrl={c.stepUpUrl} t={t} /> : null}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
