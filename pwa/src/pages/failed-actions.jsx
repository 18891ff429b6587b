// Actions from the outbox that the server refused, shown where the person will see
// them (the overview) whatever page they were taken on.
import { useApp } from '../ui.jsx';

const KIND_IDS = {
  cancelBooking: 'ui.outbox.kind.cancel_booking', markRead: 'ui.outbox.kind.mark_read', markAllRead: 'ui.outbox.kind.mark_all_read',
  suggestionDismiss: 'ui.outbox.kind.suggestion', suggestionSnooze: 'ui.outbox.kind.suggestion',
  suggestionDone: 'ui.outbox.kind.suggestion', suggestionAct: 'ui.outbox.kind.suggestion',
  message: 'ui.outbox.kind.message',
  acknowledgeDocument: 'ui.outbox.kind.acknowledge_document',
  idea: 'ui.outbox.kind.idea', ideaSupport: 'ui.outbox.kind.idea_support',
};

export function FailedActions() {
  const { s, ctl, t } = useApp();
  const failed = (s.outbox || []).filter((a) => a.status === 'failed');
  if (failed.length === 0) return null;
  return (
    <section class="note note-error" aria-labelledby="h-failed">
      <h2 id="h-failed">{t('ui.outbox.failed_title')}</h2>
      <ul class="list">
        {failed.map((a) => (
          <li key={a.key} class="row">
            <span>
              {KIND_IDS[a.kind] ? t(KIND_IDS[a.kind]) : a.kind}: <span dir="auto">{a.error && a.error.message}</span>
            </span>
            <button type="button" class="btn" onClick={() => ctl.dismissAction(a.key)}>{t('ui.outbox.dismiss')}</button>
          </li>
        ))}
      </ul>
    </section>
  );
}
