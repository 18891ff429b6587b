// How a queued action looks: waiting to be sent, or failed with the server's reason.
import { useApp } from '../ui.jsx';

export function PendingNote({ action }) {
  const { ctl, t } = useApp();
  if (action.status === 'failed') {
    return (
      <div class="note note-error">
        <p>{t('ui.outbox.action_failed')}: <span dir="auto">{action.error && action.error.message}</span></p>
        <button type="button" class="btn" onClick={() => ctl.dismissAction(action.key)}>{t('ui.outbox.dismiss')}</button>
      </div>
    );
  }
  return <p class="note note-pending">{t('ui.outbox.pending')}</p>;
}
