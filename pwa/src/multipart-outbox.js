// What the outbox keeps for a write that carries files (a message with attachments, an idea
// with its photo, a report with its photos): the form fields and the files themselves (Blobs,
// which IndexedDB stores as they are), so a write made offline is sent whole when the network
// returns. The Idempotency-Key of the action makes a repeated send store it once.

/**
 * multipartAction is what enqueue stores: a POST to path of fields (a value that is an array
 * repeats its field) and files ({ blob, field? }), kept as kind for targetId.
 * fileField names the form field of files that do not name their own.
 */
export function multipartAction({ path, kind, targetId = null, fields = {}, files = [], fileField }) {
  return {
    method: 'POST',
    path,
    kind,
    targetId,
    body: {
      multipart: {
        fields,
        files: files.map((f) => ({ field: f.field || fileField, name: f.blob.name || f.name || 'file', type: f.blob.type, blob: f.blob })),
      },
    },
  };
}

/** isMultipart tells a body with files from a JSON one. */
export function isMultipart(body) {
  return Boolean(body && typeof body === 'object' && body.multipart);
}

/** toFormData builds the request body of a multipart action. */
export function toFormData({ fields = {}, files = [] }) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    for (const one of Array.isArray(v) ? v : [v]) fd.append(k, one);
  }
  for (const f of files) fd.append(f.field || 'attachments', f.blob, f.name);
  return fd;
}

/**
 * waiting lists the actions of kind (and of targetId, when given) still in the outbox (pending
 * or failed), oldest first, as { key, status, error, fields, files: [names] }.
 */
export function waiting(actions, kind, targetId) {
  return (actions || [])
    .filter((a) => a.kind === kind && (targetId === undefined || a.targetId === targetId) && isMultipart(a.body))
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((a) => ({
      key: a.key,
      status: a.status,
      error: a.error,
      fields: a.body.multipart.fields,
      files: a.body.multipart.files.map((f) => f.name),
    }));
}
