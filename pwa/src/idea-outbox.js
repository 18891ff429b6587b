// A new idea, with its optional photo, waits in the outbox like a message on a case:
// the photo (a Blob) is kept in IndexedDB with the action, and the Idempotency-Key
// makes a repeated send store the idea once. Supporting an idea is a queued action too.
import { multipartAction, waiting } from './multipart-outbox.js';

/** ideaAction is what enqueue stores for a new idea. */
export function ideaAction({ title, body, area }, photo = null) {
  return multipartAction({
    path: '/api/v1/ideas', kind: 'idea', fields: { title, body, area },
    files: photo ? [{ blob: photo }] : [], fileField: 'photo',
  });
}

/** supportAction supports (or, with support false, withdraws support from) an idea. */
export function supportAction(ideaId, support) {
  return {
    method: support ? 'PUT' : 'DELETE',
    path: `/api/v1/ideas/${encodeURIComponent(ideaId)}/support`,
    kind: 'ideaSupport',
    targetId: ideaId,
  };
}

/** waitingIdeas lists the new ideas still in the outbox (pending or failed), oldest first. */
export function waitingIdeas(actions) {
  return waiting(actions, 'idea')
    .map((w) => ({ key: w.key, status: w.status, title: w.fields.title, area: w.fields.area, photo: w.files.length > 0 }));
}

/**
 * withPendingSupport shows an idea as this device will leave it once its queued support
 * actions are sent: the last one decides, and the count moves with it.
 */
export function withPendingSupport(idea, actions) {
  const queued = (actions || []).filter((a) => a.kind === 'ideaSupport' && a.targetId === idea.id && a.status === 'pending');
  if (queued.length === 0) return idea;
  const support = queued[queued.length - 1].method === 'PUT';
  if (support === idea.supported) return idea;
  return { ...idea, supported: support, supportCount: Math.max(0, idea.supportCount + (support ? 1 : -1)), pending: true };
}

