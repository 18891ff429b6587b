// The inbox: all or unread; mark one or all read (queued offline through the outbox).
import { useState } from 'preact/hooks';
import { Page, Agency, When, Empty, ErrorNote, Loading, StaleNote, MoreButton, useApp, useMore, useResource } from '../ui.jsx';
import { pendingTargets } from '../outbox.js';
import { PendingNote } from './pending.jsx';
import { appPath } from '../links.js';

export function Notifications() {
  const { s, ctl, t } = useApp();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const path = `/api/v1/notifications${unreadOnly ? '?unread=1' : ''}`;
  const r = useResource(path);
  const more = useMore(r, path);
  const pending = pendingTargets(s.outbox || []);
  const allPending = pending.get('markAllRead:all');
  const items = more.items;
  const isRead = (n) => n.readAt || (allPending && allPending.status === 'pending') || (pending.get(`markRead:${n.id}`) || {}).status === 'pending';
  return (
    <Page title={t('ui.notifications.title')}>
      <div class="filters">
        <label class="check">
          <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.currentTarget.checked)} />
          {t('ui.notifications.unread_only')}
        </label>
        <button type="button" class="btn" disabled={!!allPending || items.every(isRead)}
          onClick={() => ctl.act({ path: '/api/v1/notifications/read-all', kind: 'markAllRead', targetId: 'all', doneText: t('ui.notifications.all_marked') })}>
          {t('ui.notifications.mark_all_read')}
        </button>
      </div>
      {allPending ? <PendingNote action={allPending} /> : null}
      {r.stale && !s.online ? <StaleNote savedAt={r.savedAt} t={t} lang={s.lang} /> : null}
      <ErrorNote error={r.error || more.error} t={t} />
      {r.loading && !r.data ? <Loading t={t} /> : items.length === 0 ? <Empty>{t('ui.notifications.none')}</Empty> : (
        <ul class="cards">
          {items.map((n) => {
            const action = pending.get(`markRead:${n.id}`);
            const read = isRead(n);
            return (
              <li key={n.id} class={read ? 'card' : 'card card-unread'}>
                <p class="meta">
                  {!read ? <span class="badge badge-new">{t('ui.notifications.unread')}</span> : null}
                  <span>{t(`ui.notifications.category.${n.category}`)}</span>
                  <Agency agency={n.agency} />
                  <When iso={n.createdAt} lang={s.lang} />
                </p>
                <h2 class="card-title" dir="auto">{appPath(n.link) ? <a href={appPath(n.link)}>{n.title}</a> : n.title}</h2>
                {n.body ? <p dir="auto">{n.body}</p> : null}
                {action ? <PendingNote action={action} /> : !read ? (
                  <button type="button" class="btn"
                    onClick={() => ctl.act({ path: `/api/v1/notifications/${encodeURIComponent(n.id)}/read`, kind: 'markRead', targetId: n.id, doneText: t('ui.notifications.marked') })}>
                    {t('ui.notifications.mark_read')}
                  </button>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      <MoreButton more={more} t={t} />
    </Page>
  );
}
