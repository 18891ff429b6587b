// Actions taken while offline (cancel a booking, mark read) wait here with an
// Idempotency-Key, and are replayed in order. Only network failures are retried:
// an HTTP error answer is final and marks the action failed for the person to see.
import { NetworkError, HttpError } from './api.js';

/** newKey is the Idempotency-Key of one action. */
export function newKey() {
  return globalThis.crypto.randomUUID();
}

/**
 * enqueue stores an action as pending and returns it. key is the Idempotency-Key of a send
 * already tried: its replay must be recognised as the same request.
 */
export async function enqueue(store, { method = 'POST', path, body, kind, targetId = null, key = newKey() }, now = Date.now()) {
  const action = { key, method, path, body, kind, targetId, createdAt: now, status: 'pending', attempts: 0, error: null };
  await store.putAction(action);
  return action;
}

/**
 * replay sends pending actions oldest first through send(action) and stops at the
 * first network failure (keeping order), or when the session is gone (401: try
 * again after the next login). Returns what happened.
 * onSent(action, data) lets the caller fold the server's answer into its data.
 */
export async function replay(store, send, { onSent, isStopped = () => false } = {}) {
  const result = { sent: 0, failed: 0, remaining: 0, stoppedBy: null };
  const actions = await store.listActions();
  const pending = actions.filter((a) => a.status === 'pending');
  for (let i = 0; i < pending.length; i++) {
    if (isStopped()) { result.stoppedBy = 'stopped'; result.remaining = pending.length - i; break; }
    const action = pending[i];
    try {
      const res = await send(action);
      await store.deleteAction(action.key);
      result.sent++;
      if (onSent) await onSent(action, res ? res.data : null);
    } catch (err) {
      if (err instanceof NetworkError) {
        await store.putAction({ ...action, attempts: action.attempts + 1 });
        result.stoppedBy = 'network';
        result.remaining = pending.length - i;
        break;
      }
      if (err instanceof HttpError && err.status === 401) {
        result.stoppedBy = 'unauthorized';
        result.remaining = pending.length - i;
        break;
      }
      const message = err instanceof HttpError
        ? (err.problem && (err.problem.detail || err.problem.title)) || `HTTP ${err.status}`
        : String(err && err.message || err);
      await store.putAction({ ...action, status: 'failed', attempts: action.attempts + 1, error: { status: err.status ?? null, message } });
      result.failed++;
    }
  }
  return result;
}

/** sendWith adapts an api (see api.js) to replay's send(action). */
export function sendWith(api) {
  return (a) => api.request(a.method, a.path, { body: a.body, idempotencyKey: a.key });
}

/** dismiss forgets a failed action once the person has seen it. */
export async function dismiss(store, key) {
  await store.deleteAction(key);
}

/** pendingTargets maps "kind:targetId" → action for quick lookups in the UI. */
export function pendingTargets(actions) {
  const m = new Map();
  for (const a of actions) if (a.targetId) m.set(`${a.kind}:${a.targetId}`, a);
  return m;
}

/**
 * unreadAfterPending is the unread count to show while mark-read actions wait to be sent:
 * the server's count less what this device has already marked (all of it, for "mark all").
 */
export function unreadAfterPending(unread, actions) {
  const waiting = (actions || []).filter((a) => a.status === 'pending');
  if (waiting.some((a) => a.kind === 'markAllRead')) return 0;
  const marked = new Set(waiting.filter((a) => a.kind === 'markRead').map((a) => a.targetId));
  return Math.max(0, (unread || 0) - marked.size);
}
