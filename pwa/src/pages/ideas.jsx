// The idea channel: send the municipality an idea (a photo is optional), follow your own
// ideas with their status and the municipality's reason, and support other people's.
// A new idea and a support written offline wait in the outbox and are sent once.
import { useState } from 'preact/hooks';
import { Page, Empty, ErrorNote, Loading, MoreButton, StatusBadge, When, useApp, useMore, useResource } from '../ui.jsx';
import { ideaAction, supportAction, waitingIdeas, withPendingSupport } from '../idea-outbox.js';

export const AREAS = ['environment', 'transport', 'culture_leisure', 'health_care', 'schools_kindergartens', 'digital_services', 'other'];
const ACCEPT = 'image/jpeg,image/png';

/** ideasPath is the list's address for an order and an area ("" for every area). */
export function ideasPath(sort, area) {
  const q = new URLSearchParams({ sort });
  if (area) q.set('area', area);
  return `/api/v1/ideas?${q}`;
}

function Reason({ label, reason }) {
  if (!reason) return null;
  return <p><strong>{label}:</strong> <span lang={reason.lang} dir="auto">{reason.text}</span></p>;
}

function Idea({ idea, own }) {
  const { s, ctl, t } = useApp();
  const shown = withPendingSupport(idea, s.outbox);
  const hid = `idea-${idea.id}`;
  return (
    <li class="card" data-testid="idea" aria-labelledby={hid}>
      <h3 id={hid} class="card-title" dir="auto">{idea.title}</h3>
      <p class="meta">
        <span>{t(`ui.ideas.area.${idea.area}`)}</span>
        <span>{idea.mine ? t('ui.ideas.yours') : idea.district ? t('ui.ideas.by_district', { District: idea.district }) : t('ui.ideas.by_resident')}</span>
        <When iso={idea.createdAt} lang={s.lang} />
      </p>
      {own ? null : <p class="message-body" dir="auto">{idea.body}</p>}
      {idea.photoUrl ? <img src={idea.photoUrl} alt={t('ui.ideas.photo_alt', { Title: idea.title })} loading="lazy" class="idea-photo" /> : null}
      <p>{t('ui.ideas.status_label')}: <StatusBadge kind="ideas" value={idea.status} t={t} /></p>
      <Reason label={t('ui.ideas.reason')} reason={idea.statusReason} />
      {idea.hidden ? <Reason label={t('ui.ideas.hidden')} reason={idea.hiddenReason || { text: '', lang: s.lang }} /> : null}
      <div class="row">
        <span data-testid="support-count">{t('ui.ideas.support_count', { Count: shown.supportCount })}</span>
        {idea.mine ? null : (
          <button type="button" class={shown.supported ? 'btn' : 'btn btn-primary'} aria-pressed={shown.supported ? 'true' : 'false'}
            onClick={() => ctl.act(supportAction(idea.id, !shown.supported))}>
            {shown.supported ? t('ui.ideas.withdraw') : t('ui.ideas.support')}
          </button>
        )}
      </div>
    </li>
  );
}

function IdeaForm() {
  const { ctl, t } = useApp();
  const [draft, setDraft] = useState({ title: '', body: '', area: '' });
  const [photo, setPhoto] = useState(null);
  const [fileKey, setFileKey] = useState(0); // remounts the file input to clear it
  const set = (name) => (e) => setDraft({ ...draft, [name]: e.currentTarget.value });
  async function send(e) {
    e.preventDefault();
    if (!draft.title.trim() || !draft.body.trim() || !draft.area) return;
    const action = ideaAction(draft, photo);
    setDraft({ title: '', body: '', area: '' }); setPhoto(null); setFileKey((k) => k + 1);
    await ctl.act({ ...action, doneText: t('ui.ideas.sent') });
  }
  return (
    <section class="section" aria-labelledby="h-new-idea">
      <h2 id="h-new-idea">{t('ui.ideas.new')}</h2>
      <form class="message-form" onSubmit={send}>
        <label for="idea-title">{t('ui.ideas.field_title')}</label>
        <input id="idea-title" type="text" maxLength={120} value={draft.title} onInput={set('title')} required />
        <label for="idea-area">{t('ui.ideas.area_label')}</label>
        <select id="idea-area" value={draft.area} onChange={set('area')} required>
          <option value="">{t('ui.ideas.choose_area')}</option>
          {AREAS.map((a) => <option key={a} value={a}>{t(`ui.ideas.area.${a}`)}</option>)}
        </select>
        <label for="idea-body">{t('ui.ideas.field_body')}</label>
        <textarea id="idea-body" rows={5} maxLength={4000} value={draft.body} onInput={set('body')} required />
        <label for="idea-photo">{t('ui.ideas.field_photo')}</label>
        <input key={fileKey} id="idea-photo" type="file" accept={ACCEPT} onChange={(e) => setPhoto((e.currentTarget.files || [])[0] || null)} />
        <button type="submit" class="btn btn-primary">{t('ui.ideas.submit')}</button>
      </form>
    </section>
  );
}

function MyIdeas() {
  const { s, t } = useApp();
  const r = useResource('/api/v1/me/ideas');
  const items = r.data ? r.data.items : [];
  const waiting = waitingIdeas(s.outbox);
  return (
    <section class="section" aria-labelledby="h-my-ideas">
      <h2 id="h-my-ideas">{t('ui.ideas.mine')}</h2>
      <ErrorNote error={r.error} t={t} />
      {r.loading && !r.data ? <Loading t={t} /> : items.length === 0 && waiting.length === 0 ? <Empty>{t('ui.ideas.mine_none')}</Empty> : (
        <ul class="cards" data-testid="my-ideas">
          {waiting.map((w) => (
            <li key={w.key} class="card" data-testid="idea-waiting">
              <p class="card-title" dir="auto">{w.title}</p>
              <p class="meta">{w.status === 'failed' ? t('ui.ideas.failed') : t('ui.ideas.waiting')}</p>
            </li>
          ))}
          {items.map((idea) => <Idea key={idea.id} idea={idea} own />)}
        </ul>
      )}
    </section>
  );
}

function AllIdeas() {
  const { t } = useApp();
  const [choice, setChoice] = useState({ sort: 'newest', area: '' });
  const [shown, setShown] = useState(choice);
  const path = ideasPath(shown.sort, shown.area);
  const r = useResource(path);
  const more = useMore(r, path);
  return (
    <section class="section" aria-labelledby="h-all-ideas">
      <h2 id="h-all-ideas">{t('ui.ideas.all')}</h2>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); setShown(choice); }}>
        <span class="field">
          <label for="ideas-sort">{t('ui.ideas.sort')}</label>
          <select id="ideas-sort" value={choice.sort} onChange={(e) => setChoice({ ...choice, sort: e.currentTarget.value })}>
            <option value="newest">{t('ui.ideas.sort_newest')}</option>
            <option value="supported">{t('ui.ideas.sort_supported')}</option>
          </select>
        </span>
        <span class="field">
          <label for="ideas-area">{t('ui.ideas.area_label')}</label>
          <select id="ideas-area" value={choice.area} onChange={(e) => setChoice({ ...choice, area: e.currentTarget.value })}>
            <option value="">{t('ui.ideas.area_all')}</option>
            {AREAS.map((a) => <option key={a} value={a}>{t(`ui.ideas.area.${a}`)}</option>)}
          </select>
        </span>
        <button type="submit" class="btn">{t('ui.ideas.show')}</button>
      </form>
      <ErrorNote error={r.error || more.error} t={t} />
      {r.loading && !r.data ? <Loading t={t} /> : more.items.length === 0 ? <Empty>{t('ui.ideas.none')}</Empty> : (
        <ul class="cards" data-testid="all-ideas">
          {more.items.map((idea) => <Idea key={idea.id} idea={idea} />)}
        </ul>
      )}
      <MoreButton more={more} t={t} />
    </section>
  );
}

export function Ideas() {
  const { t } = useApp();
  return (
    <Page title={t('ui.ideas.title')}>
      <p>{t('ui.ideas.intro')}</p>
      <IdeaForm />
      <MyIdeas />
      <AllIdeas />
    </Page>
  );
}
