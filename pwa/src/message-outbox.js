// A message written on a case or an errand, with its attachments, waits in the outbox
// like any other action: the files themselves (Blobs) are kept in IndexedDB with the
// action, so a message written offline is sent with its attachments when the network
// returns, once (its Idempotency-Key makes a repeated send store it once).

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
  return {
    method: 'POST',
    path: threadPath(subject),
    kind: 'message',
    targetId: subject.id,
    body: {
      multipart: {
        fields,
        files: files.map((f) => ({ name: f.name, type: f.type, blob: f })),
      },
    },
  };
}

/** isMultipart tells a message body from a JSON one. */
export function isMultipart(body) {
  return Boolean(body && typeof body === 'object' && body.multipart);
}

/** toFormData builds the request body of a message action. */
export function toFormData({ fields = {}, files = [] }) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const f of files) fd.append(f.field || 'attachments', f.blob, f.name); // an idea's photo names its field
  return fd;
}

/** waitingMessages lists the messages on targetId (a case's or an errand's id) still in the outbox (pending or failed), oldest first. */
export function waitingMessages(actions, targetId) {
  return actions
    .filter((a) => a.kind === 'message' && a.targetId === targetId)
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((a) => ({
      key: a.key,
      status: a.status,
      body: a.body.multipart.fields.body,
      attachments: a.body.multipart.files.map((f) => f.name),
      error: a.error,
    }));
}
