// The conversation on a case or an errand: messages both ways with their receipts, the
// ones still waiting in the outbox (written offline, sent when the network returns), and
// a form to write one with attachments. On an errand the person picks which of its
// agencies the message is for (the lead first). A sensitive message read below the
// step-up level shows only who wrote it and when, with the login that opens it.
import { useState } from 'preact/hooks';
import { Empty, ErrorNote, When, WithheldNote, titleOf, useApp, useResource } from '../ui.jsx';
import { messageAction, threadPath, waitingMessages } from '../message-outbox.js';
import { scaleImages } from '../image-scale.js';

const ACCEPT = 'application/pdf,image/jpeg,image/png';

/** MessageThread is the thread of subject ({ kind: 'case' | 'errand', id }). */
export function MessageThread({ subject }) {
  const { s, ctl, t } = useApp();
  const r = useResource(threadPath(subject));
  const [text, setText] = useState('');
  const [files, setFiles] = useState([]);
  const [to, setTo] = useState('');
  const [fileKey, setFileKey] = useState(0); // remounts the file input to clear it
  const items = r.data ? r.data.items : [];
  const recipients = (r.data && r.data.recipients) || [];
  const waiting = waitingMessages(s.outbox || [], subject.id);

  async function send(e) {
    e.preventDefault();
    if (!text.trim()) return;
    const body = text, picked = files;
    setText(''); setFiles([]); setFileKey((k) => k + 1);
    // Photos are scaled down before the outbox keeps them: fewer bytes offline and on the way.
    const action = messageAction(subject, body, await scaleImages(picked), to);
    await ctl.act({ ...action, doneText: t('ui.messages.sent') });
  }

  return (
    <section class="section" aria-labelledby="h-messages">
      <h2 id="h-messages">{t('ui.messages.title')}</h2>
      <ErrorNote error={r.error} t={t} />
      {items.length === 0 && waiting.length === 0 ? <Empty>{t('ui.messages.none')}</Empty> : (
        <ol class="messages" data-testid="message-thread">
          {items.map((m) => (
            <li key={m.id} class={`message message-${m.from}`} data-withheld={m.withheld ? 'true' : null}>
              <p class="meta">
                <strong>{m.from === 'agency' ? <bdi>{m.agency ? m.agency.name : ''}</bdi> : t('ui.messages.from_you')}</strong>
                {' · '}<When iso={m.createdAt} lang={s.lang} />
                {m.from === 'citizen' && subject.kind === 'errand' && m.agency ? <> · {t('ui.messages.to')}: <bdi>{m.agency.name}</bdi></> : null}
              </p>
              {m.writtenBy ? <p class="meta">{t('ui.messages.written_by', { name: m.writtenBy })}</p> : null}
              {m.withheld ? (
                <>
                  <p><bdi>{titleOf(m, t)}</bdi></p>
                  <WithheldNote stepUpUrl={m.stepUpUrl} t={t} />
                </>
              ) : <p dir="auto" class="message-body">{m.body}</p>}
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
        {subject.kind === 'errand' && recipients.length > 1 ? (
          <>
            <label for="message-to">{t('ui.messages.to')}</label>
            <select id="message-to" value={to} onChange={(e) => setTo(e.currentTarget.value)}>
              {recipients.map((a, i) => <option key={a.slug} value={i === 0 ? '' : a.slug}>{a.name}</option>)}
            </select>
          </>
        ) : null}
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

/** CaseMessages is the thread of one case. */
export function CaseMessages({ caseId }) {
  return <MessageThread subject={{ kind: 'case', id: caseId }} />;
}
