// Documents an agency asks the citizen to acknowledge ("I have read") or sign: which button a
// document gets, the request that does it (through the outbox, so it also works offline), and
// the line that says who did it and when.

export const ACK_KIND = 'acknowledgeDocument';

/** needsAcknowledgement is true for a document that asks for something nobody has done yet. */
export const needsAcknowledgement = (d) => !!d && (d.requires === 'acknowledge' || d.requires === 'sign') && !d.acknowledgement;

/**
 * documentButton is what a pending document offers: the step-up login when signing needs a
 * higher login level (only a same-origin login path is followed), else the button's text key.
 */
export function documentButton(d) {
  if (!needsAcknowledgement(d)) return null;
  if (d.requires === 'sign' && typeof d.stepUpUrl === 'string' && d.stepUpUrl.startsWith('/auth/login?')) {
    return { stepUp: d.stepUpUrl, label: 'ui.document.sign_step_up' };
  }
  return { label: d.requires === 'sign' ? 'ui.document.sign' : 'ui.document.acknowledge' };
}

/** acknowledgeAction is the outbox action that acknowledges or signs document id. */
export function acknowledgeAction(id) {
  return { path: `/api/v1/documents/${encodeURIComponent(id)}/acknowledge`, kind: ACK_KIND, targetId: id };
}

/** acknowledgedLabel names who acknowledged a document: the person, or someone on their behalf. */
export function acknowledgedLabel(d) {
  const a = d && d.acknowledgement;
  if (!a) return null;
  if (a.byRepresentative) return 'ui.document.on_behalf';
  return d.requires === 'sign' ? 'ui.document.signed' : 'ui.document.acknowledged';
}
