// The conversation on a case: messages both ways with their receipts, the ones still
// waiting in the outbox (written offline, sent when the network returns), and a form
// to write one with attachments.
import { useState } from 'preact/hooks';
import { Empty, ErrorNote, When, useApp, useResource } from '../ui.jsx';
import { messageAction, waitingMessages } from '../message-outbox.js';
import { scaleImages } from '../image-scale.js';

const ACCEPT = 'application/pdf,image/jpeg,image/png';

export function CaseMessages({ caseId, agency }) {
  const { s, ctl, t } = useApp();
  const r = useResource(`/api/v1/cases/${encodeURIComponent(caseId)}/messages`);
  const [text, setText] = useState('');
  const [files, setFiles] = useState([]);
  const [fileKey, setFileKey] = useState(0); // remounts the file input to clear it
  const items = r.data ? r.data.items : [];
  const waiting = waitingMessages(s.outbox || [], caseId);

  async function send(e) {
    e.preventDefault();
    if (!text.trim()) return;
    const body = text, picked = files;
    setText(''); setFiles([]); setFileKey((k) => k + 1);
    // Photos are scaled down before the outbox keeps them: fewer bytes offline and on the way.
    const action = messageAction(caseId, body, await scaleImages(picked));
    await ctl.act({ ...action, doneText: t('ui.messages.sent') });
  }

  return (
    <section class="section" aria-labelledby="h-messages">
      <h2 id="h-messages">{t('ui.messages.title')}</h2>
      <ErrorNote error={r.error} t={t} />
      {items.length === 0 && waiting.length === 0 ? <Empty>{t('ui.messages.none')}</Empty> : (
        <ol class="messages" data-testid="message-thread">
          {items.map((m) => (
            <li key={m.id} class={`message message-${m.from}`}>
              <p class="meta">
                <strong>{m.from === 'agency' ? <bdi>{agency ? agency.name : ''}</bdi> : t('ui.messages.from_you')}</strong>
                {' · '}<When iso={m.createdAt} lang={s.lang} />
              </p>
              {m.writtenBy ? <p class="meta">{t('ui.messages.written_by', { name: m.writtenBy })}</p> : null}
              <p dir="auto" class="message-body">{m.body}</p>
              {m.attachments.length ? (
                <ul class="list">
                  {m.attachments.map((a) => <li key={a.id}><a href={a.url} download><bdi>{a.name}</bdi></a></li>)}
                </ul>
              ) : null}
              <p class="meta receipt">
                {m.seenAt
                  ? <>{m.from === 'agency' ? t('ui.messages.seen_by_you') : t('ui.messages.seen_by_agency')}: <When iso={m.seenAt} lang={s.lang} /></>
                  : m.from === 'agency' ? null : t('ui.messages.not_seen')}
              </p>
            </li>
          ))}
          {waiting.map((w) => (
            <li key={w.key} class="message message-citizen message-waiting" data-testid="message-waiting">
              <p class="meta"><strong>{t('ui.messages.from_you')}</strong> · {w.status === 'failed' ? t('ui.messages.failed') : t('ui.messages.waiting')}</p>
              <p dir="auto" class="message-body">{w.body}</p>
              {w.attachments.length ? <ul class="list">{w.attachments.map((n, i) => <li key={i}><bdi>{n}</bdi></li>)}</ul> : null}
            </li>
          ))}
        </ol>
      )}
      <form class="message-form" onSubmit={send}>
        <label for="message-text">{t('ui.messages.write')}</label>
        <textarea id="message-text" rows={4} maxLength={5000} value={text} onInput={(e) => setText(e.currentTarget.value)} required />
        <label for="message-files">{t('ui.messages.attach')}</label>
        <input key={fileKey} id="message-files" type="file" multiple accept={ACCEPT}
          onChange={(e) => setFiles(Array.from(e.currentTarget.files || []).slice(0, 5))} />
        <button type="submit" class="btn">{t('ui.messages.send')}</button>
      </form>
    </section>
  );
}
