// One suggestion as the overview and the suggestions page show it: what to do, "why do I
// see this?" with the person's own values and the legal basis, and the choices (dismiss with
// an optional reason, snooze, done), which go through the outbox so they work offline.
import { useEffect, useState } from 'preact/hooks';
import { Agency, useApp } from '../ui.jsx';
import { safeHref } from '../links.js';
import { CHOICES, choice, snoozeDate, unshown, whyText } from '../suggestions.js';
import { PendingNote } from './pending.jsx';

const SNOOZE = [[7, 'week'], [30, 'month'], [90, 'quarter']]; // days, and the message naming them
const MAX_REASON = 500;

/** actionHref is where following the suggestion leads: the agency's link, or the portal's page. */
function actionHref(a) {
  if (a.type === 'renew_key') return '/keys';
  return safeHref(a.link) || (a.type === 'book' ? '/bookings' : null);
}

export function SuggestionCard({ sg }) {
  const { s, ctl, t } = useApp();
  const [mode, setMode] = useState(null); // null, 'dismiss' or 'snooze'
  const [reason, setReason] = useState('');
  const failed = (s.outbox || []).find((a) => a.targetId === sg.id && a.status === 'failed' && Object.values(CHOICES).includes(a.kind));
  const send = (name, body, doneKey) => ctl.act({ ...choice(name, sg.id, body), doneText: doneKey ? t(doneKey) : undefined });
  const href = actionHref(sg.action || {});
  const external = href && !href.startsWith('/');
  return (
    <li class="card" data-suggestion={sg.id}>
      <span class="card-title"><bdi>{sg.title}</bdi></span>
      {sg.body ? <p dir="auto">{sg.body}</p> : null}
      <div class="meta"><Agency agency={sg.agency} /></div>
      <details class="why">
        <summary>{t('ui.suggestions.why')}</summary>
        <p dir="auto" data-why="">{whyText(sg.why && sg.why.parts, s.lang)}</p>
        {sg.why && sg.why.legalBasis ? <p class="meta">{t('ui.suggestions.legal_basis')}: <bdi>{sg.why.legalBasis}</bdi></p> : null}
      </details>
      {failed ? <PendingNote action={failed} /> : null}
      <div class="choices">
        {href ? (
          <a class="btn btn-primary" href={href} data-action="follow" {...(external ? { target: '_blank', rel: 'noopener' } : {})}
            onClick={() => send('act')}>{(sg.action && sg.action.label) || t('ui.suggestions.open')}</a>
        ) : null}
        <button type="button" class="btn" data-action="dismiss" aria-expanded={mode === 'dismiss' ? 'true' : 'false'}
          onClick={() => setMode(mode === 'dismiss' ? null : 'dismiss')}>{t('ui.suggestions.dismiss')}</button>
        <button type="button" class="btn" data-action="snooze" aria-expanded={mode === 'snooze' ? 'true' : 'false'}
          onClick={() => setMode(mode === 'snooze' ? null : 'snooze')}>{t('ui.suggestions.snooze')}</button>
        <button type="button" class="btn" data-action="done" onClick={() => send('done', null, 'ui.suggestions.done_done')}>{t('ui.suggestions.done')}</button>
      </div>
      {mode === 'dismiss' ? (
        <form class="confirm" onSubmit={(e) => { e.preventDefault(); setMode(null); send('dismiss', reason.trim() ? { reason: reason.trim() } : null, 'ui.suggestions.dismissed_done'); }}>
          <label class="field" for={`reason-${sg.id}`}><span>{t('ui.suggestions.reason')}</span></label>
          <textarea id={`reason-${sg.id}`} name="reason" maxLength={MAX_REASON} rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          <p>
            <button type="submit" class="btn btn-primary" data-action="confirm-dismiss">{t('ui.suggestions.dismiss_confirm')}</button>
            <button type="button" class="btn" onClick={() => setMode(null)}>{t('ui.suggestions.keep')}</button>
          </p>
        </form>
      ) : null}
      {mode === 'snooze' ? (
        <div class="confirm" role="group" aria-label={t('ui.suggestions.snooze')}>
          {SNOOZE.map(([days, name]) => (
            <button key={days} type="button" class="btn" data-snooze={days}
              onClick={() => { setMode(null); send('snooze', { until: snoozeDate(days) }, 'ui.suggestions.snoozed_done'); }}>
              {t(`ui.suggestions.snooze_${name}`)}
            </button>
          ))}
        </div>
      ) : null}
    </li>
  );
}

// Ids already reported as shown in this page's life: each is told once.
const reported = new Set();

/** useReportShown tells the server, in one call apart from the overview's read, what was shown. */
export function useReportShown(list) {
  const { s, ctl } = useApp();
  const ids = unshown(list, reported);
  const key = ids.join(',');
  useEffect(() => {
    if (!ids.length || !s.online || !s.me || !s.me.csrfToken) return;
    ids.forEach((id) => reported.add(id));
    ctl.api.post('/api/v1/me/suggestions/shown', { ids: ids.slice(0, 100) }).catch(() => ids.forEach((id) => reported.delete(id)));
  }, [key, s.online]);
}
