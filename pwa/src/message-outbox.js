// A message written on a case or an errand, with its attachments, waits in the outbox
// like any other action: the files themselves (Blobs) are kept in IndexedDB with the
// action, so a message written offline is sent with its attachments when the network
// returns, once (its Idempotency-Key makes a repeated send store it once).
import { multipartAction, waiting } from './multipart-outbox.js';

/** threadPath is the API path of the thread of subject ({ kind: 'case' | 'errand', id }). */
export function threadPath(subject) {
  const id = encodeURIComponent(subject.id);
  return subject.kind === 'errand' ? `/api/v1/me/errands/${id}/messages` : `/api/v1/cases/${id}/messages`;
}

/**
 * messageAction is what enqueue stores for a message on subject ({ kind, id }); on an
 * errand, agency (a slug) names which of its agencies it is for ('' for the lead).
 */
export function messageAction(subject, text, files = [], agency = '') {
  const fields = { body: text };
  if (subject.kind === 'errand' && agency) fields.agency = agency;
  return multipartAction({
    path: threadPath(subject), kind: 'message', targetId: subject.id, fields,
    files: files.map((f) => ({ blob: f })), fileField: 'attachments',
  });
}

/** waitingMessages lists the messages on targetId (a case's or an errand's id) still in the outbox (pending or failed), oldest first. */
export function waitingMessages(actions, targetId) {
  return waiting(actions, 'message', targetId)
    .map((w) => ({ key: w.key, status: w.status, body: w.fields.body, attachments: w.files, error: w.error }));
}
