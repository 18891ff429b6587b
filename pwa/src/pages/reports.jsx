// "Mine meldinger": the reports a person sent or follows, with their status, and one report
// with its status, the municipality's note and its photos. The private link of a report sent
// without login (/reports/:id?token=…) opens the same page.
import { Page, Empty, ErrorNote, Loading, StaleNote, StatusBadge, When, useApp, useResource } from '../ui.jsx';
import { reportPath, waitingReports } from '../report-outbox.js';
import { formatPosition } from './report-place.jsx';

/** WaitingReports shows the reports this device holds until there is signal (or that the server refused). */
export function WaitingReports() {
  const { s, ctl, t } = useApp();
  const waiting = waitingReports(s.outbox);
  if (waiting.length === 0) return null;
  return (
    <section class="section" aria-labelledby="h-reports-waiting">
      <h2 id="h-reports-waiting">{t('ui.reports.waiting_title')}</h2>
      <ul class="cards">
        {waiting.map((w) => (
          <li key={w.key} class="card" data-report-waiting={w.status}>
            <p class="message-body" dir="auto">{w.description}</p>
            <p class="meta">
              <span class="badge badge-pending">{w.status === 'failed' ? t('ui.reports.not_sent') : t('ui.reports.waiting')}</span>
              {w.photos ? <span>{t('ui.reports.photo_count', { count: w.photos })}</span> : null}
            </p>
            {w.status === 'failed' ? (
              <>
                {w.error ? <p class="note note-error">{w.error.message}</p> : null}
                <button type="button" class="btn" onClick={() => ctl.dismissAction(w.key)}>{t('ui.reports.dismiss')}</button>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function ReportCard({ r }) {
  const { s, t } = useApp();
  const hid = `report-${r.id}`;
  return (
    <li class="card" data-report={r.id} aria-labelledby={hid}>
      <h3 id={hid} class="card-title"><a href={`/reports/${encodeURIComponent(r.id)}`} dir="auto">{r.serviceName}</a></h3>
      <p class="message-body" dir="auto">{r.description}</p>
      <p class="meta">
        <StatusBadge kind="reports" value={r.status} t={t} />
        <span>{r.reporter ? t('ui.reports.yours') : t('ui.reports.followed')}</span>
        <When iso={r.updatedAt} lang={s.lang} />
      </p>
    </li>
  );
}

export function MyReports() {
  const { s, t } = useApp();
  const r = useResource('/api/v1/me/reports');
  const items = r.data ? r.data.items : [];
  return (
    <Page title={t('ui.reports.title')} actions={<a class="btn btn-primary" href="/report">{t('ui.nav.report')}</a>}>
      <StaleNote savedAt={r.stale ? r.savedAt : null} t={t} lang={s.lang} />
      <WaitingReports />
      <ErrorNote error={r.error} t={t} />
      {r.loading && !r.data ? <Loading t={t} /> : items.length === 0 ? <Empty>{t('ui.reports.none')}</Empty> : (
        <ul class="cards" data-my-reports="">{items.map((x) => <ReportCard key={x.id} r={x} />)}</ul>
      )}
    </Page>
  );
}

/** answerText shows an answer with the service's labels for its choices, when they are known. */
function answerText(question, value) {
  const values = Array.isArray(value) ? value : [value];
  const label = (v) => (question && question.choices ? (question.choices.find((c) => c.key === v) || {}).label || v : v);
  return values.map(label).join(', ');
}

/** reportSteps is what happened to a report, oldest first: sent, then each status the agency gave. */
export function reportSteps(report) {
  const steps = [{ status: 'submitted', at: report.createdAt }];
  const given = report.history || [];
  if (given.length) return [...steps, ...given];
  // A report from before its history was kept shows where it stands now.
  if (report.status !== 'submitted') steps.push({ status: report.status, reason: report.statusReason, duplicateOf: report.duplicateOf, at: report.updatedAt });
  return steps;
}

/** History: when it was sent, and every status the municipality gave with its note. */
function History({ report }) {
  const { s, t } = useApp();
  return (
    <ol class="timeline" data-history="">
      {reportSteps(report).map((step, i) => (
        <li key={i} data-status={step.status}>
          <When iso={step.at} lang={s.lang} />{' '}
          {i === 0 ? t('ui.reports.sent') : <StatusBadge kind="reports" value={step.status} t={t} />}
          {step.reason ? <p data-status-reason="" dir="auto"><strong>{t('ui.reports.reason')}:</strong> {step.reason}</p> : null}
          {step.duplicateOf ? <p>{t('ui.reports.duplicate_of')} <a href={`/reports/${encodeURIComponent(step.duplicateOf)}`}>{t('ui.reports.other_report')}</a></p> : null}
        </li>
      ))}
    </ol>
  );
}

export function ReportDetail({ id }) {
  const { s, t } = useApp();
  const token = new URLSearchParams(location.search).get('token') || '';
  // A private link's answer is not kept on the device: the link is the credential.
  const r = useResource(reportPath(id, token), { persist: !token });
  const services = useResource('/api/v1/report-services');
  const report = r.data;
  const service = services.data ? services.data.items.find((sv) => report && sv.code === report.service) : null;
  const question = (code) => (service ? service.questions.find((q) => q.code === code) : null);
  return (
    <Page title={report ? report.serviceName : t('ui.reports.one')}>
      {s.me ? <p><a href="/reports">{t('ui.reports.back')}</a></p> : null}
      <StaleNote savedAt={r.stale ? r.savedAt : null} t={t} lang={s.lang} />
      <ErrorNote error={r.error} t={t} />
      {r.loading && !report ? <Loading t={t} /> : !report ? null : (
        <div data-report-detail={report.id}>
          <p class="meta"><StatusBadge kind="reports" value={report.status} t={t} /></p>
          <section class="section" aria-labelledby="h-report-status">
            <h2 id="h-report-status">{t('ui.reports.history')}</h2>
            <History report={report} />
          </section>
          <section class="section" aria-labelledby="h-report-what">
            <h2 id="h-report-what">{t('ui.reports.what')}</h2>
            <p class="message-body" dir="auto">{report.description}</p>
            <dl class="facts">
              {Object.entries(report.answers || {}).map(([code, v]) => (
                <div key={code}><dt dir="auto">{question(code) ? question(code).label : code}</dt><dd dir="auto">{answerText(question(code), v)}</dd></div>
              ))}
              {report.address ? <div><dt>{t('ui.reports.address')}</dt><dd dir="auto">{report.address}</dd></div> : null}
              {report.lat != null ? <div><dt>{t('ui.reports.position')}</dt><dd>{formatPosition({ lat: report.lat, lon: report.lon }, s.lang)}</dd></div> : null}
            </dl>
            {(report.photos || []).map((p, i) => (
              <img key={p.url} src={p.url} class="idea-photo" loading="lazy" width={p.width} height={p.height}
                alt={t('ui.reports.photo_alt', { Number: i + 1, Service: report.serviceName })} />
            ))}
          </section>
        </div>
      )}
    </Page>
  );
}
