// One entry of "needs your action": a case, a booking, an agency's task, a draft to continue, or a
// document to acknowledge ("I have read") or sign.
// A sensitive item shown below the step-up login level has no title: it says only that
// something sensitive from the agency exists, and offers the step-up login.
import { useEffect } from 'preact/hooks';
import { Agency, When, Subject, useApp } from '../ui.jsx';
import { safeHref } from '../links.js';
import { isAgencyItem, unseenTasks } from '../tasks.js';
import { pendingTargets } from '../outbox.js';
import { ACK_KIND, acknowledgeAction, documentButton } from '../documents.js';
import { PendingNote } from './pending.jsx';

const reported = new Set();

/** dueText names the date line: when a booking starts, when a draft expires, else the deadline. */
const dueText = (it, t) => (it.kind === 'booking' ? t('ui.common.starts') : it.kind === 'draft' ? t('ui.task.expires') : t('ui.common.due'));

/** useReportSeen tells the server which tasks the overview showed (once per task and page load). */
export function useReportSeen(items) {
  const { s, ctl } = useApp();
  const ids = unseenTasks(items, reported);
  const key = ids.join(',');
  useEffect(() => {
    if (!ids.length || !s.online || !s.me || !s.me.csrfToken) return;
    ids.forEach((id) => {
      reported.add(id);
      ctl.api.post(`/api/v1/tasks/${encodeURIComponent(id)}/seen`, {}).catch(() => reported.delete(id));
    });
  }, [key, s.online]);
}

/** DocumentButton acknowledges or signs a document through the outbox (queued when offline). */
export function DocumentButton({ doc }) {
  const { s, ctl, t } = useApp();
  const action = pendingTargets(s.outbox || []).get(`${ACK_KIND}:${doc.id}`);
  if (action) return <PendingNote action={action} />;
  const b = documentButton(doc);
  if (!b) return null;
  if (b.stepUp) return <a class="btn" href={b.stepUp} data-action="step-up">{t(b.label)}</a>;
  return (
    <button type="button" class="btn btn-primary" data-action={doc.requires === 'sign' ? 'sign' : 'acknowledge'}
      onClick={() => ctl.act(acknowledgeAction(doc.id))}>{t(b.label)}</button>
  );
}

function DocumentCard({ it }) {
  const { s, t } = useApp();
  const href = it.link ? safeHref(it.link) : null;
  return (
    <li class="card card-action" data-item="document" data-id={it.id}>
      <p class="card-title"><bdi>{it.title}</bdi></p>
      <div class="meta"><Agency agency={it.agency} /><Subject subject={it.subject} t={t} /></div>
      <p>{t(it.requires === 'sign' ? 'ui.document.must_sign' : 'ui.document.must_acknowledge')}</p>
      {it.dueAt ? <p class="due">{t('ui.common.due')}: <When iso={it.dueAt} lang={s.lang} /></p> : null}
      {href ? <p><a href={href} rel="noopener" data-action="open-document">{t('ui.document.open')}</a></p> : null}
      <DocumentButton doc={it} />
    </li>
  );
}

export function NeedsCard({ it, href }) {
  const { s, t } = useApp();
  const agencyName = it.agency ? it.agency.name : '';
  if (it.kind === 'document' && !it.withheld) return <DocumentCard it={it} />;
  if (it.withheld) {
    const stepUp = it.stepUpUrl && it.stepUpUrl.startsWith('/auth/login?') ? it.stepUpUrl : null;
    return (
      <li class="card card-action card-sensitive" data-item={it.kind} data-sensitive="withheld">
        <p class="card-title"><bdi>{t('ui.task.sensitive_from', { Agency: agencyName })}</bdi></p>
        <div class="meta"><Agency agency={it.agency} /><Subject subject={it.subject} t={t} /></div>
        <p>{t('ui.task.sensitive_hint')}</p>
        {it.dueAt ? <p class="due">{dueText(it, t)}: <When iso={it.dueAt} lang={s.lang} /></p> : null}
        {stepUp ? <a class="btn" href={stepUp} data-action="step-up">{t('ui.task.step_up')}</a> : null}
      </li>
    );
  }
  const external = isAgencyItem(it) && it.link ? safeHref(it.link) : null;
  return (
    <li class="card card-action" data-item={it.kind} data-id={it.id}>
      {isAgencyItem(it)
        ? <p class="card-title"><bdi>{it.title}</bdi></p>
        : <a href={href} class="card-title"><bdi>{it.title}</bdi></a>}
      <div class="meta"><Agency agency={it.agency} /><Subject subject={it.subject} t={t} /></div>
      {it.nextAction ? <p><bdi>{it.nextAction}</bdi></p> : null}
      {it.dueAt ? <p class="due">{dueText(it, t)}: <When iso={it.dueAt} lang={s.lang} /></p> : null}
      {external ? (
        <a class="btn" href={external} rel="noopener" data-action={it.kind === 'draft' ? 'continue' : 'do-task'}>
          {t(it.kind === 'draft' ? 'ui.task.continue' : 'ui.task.open')}
        </a>
      ) : null}
    </li>
  );
}
