// A message written on a case, with its attachments, waits in the outbox like any
// other action: the files themselves (Blobs) are kept in IndexedDB with the action,
// so a message written offline is sent with its attachments when the network
// returns, once (its Idempotency-Key makes a repeated send store it once).

/** messageAction is what enqueue stores for a message on caseId. */
export function messageAction(caseId, text, files = []) {
  return {
    method: 'POST',
    path: `/api/v1/cases/${encodeURIComponent(caseId)}/messages`,
    kind: 'message',
    targetId: caseId,
    body: {
      multipart: {
        fields: { body: text },
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

/** waitingMessages lists the messages on caseId still in the outbox (pending or failed), oldest first. */
export function waitingMessages(actions, caseId) {
  return actions
    .filter((a) => a.kind === 'message' && a.targetId === caseId)
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((a) => ({
      key: a.key,
      status: a.status,
      body: a.body.multipart.fields.body,
      attachments: a.body.multipart.files.map((f) => f.name),
      error: a.error,
    }));
}
