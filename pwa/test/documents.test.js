import { describe, it, expect } from 'vitest';
import { needsAcknowledgement, documentButton, acknowledgeAction, acknowledgedLabel, ACK_KIND } from '../src/documents.js';

describe('documents to acknowledge or sign', () => {
  it('asks only for documents that require something not yet done', () => {
    expect(needsAcknowledgement({ requires: 'acknowledge' })).toBe(true);
    expect(needsAcknowledgement({ requires: 'sign' })).toBe(true);
    expect(needsAcknowledgement({ requires: null })).toBe(false);
    expect(needsAcknowledgement({ requires: 'acknowledge', acknowledgement: { at: '2026-12-01T10:00:00Z' } })).toBe(false);
    expect(needsAcknowledgement(undefined)).toBe(false);
  });
  it('offers "I have read", "Sign", or the step-up login for signing (same-origin only)', () => {
    expect(documentButton({ requires: 'acknowledge' })).toEqual({ label: 'ui.document.acknowledge' });
    expect(documentButton({ requires: 'sign' })).toEqual({ label: 'ui.document.sign' });
    expect(documentButton({ requires: 'sign', stepUpUrl: '/auth/login?acr=idporten-loa-high' }))
      .toEqual({ stepUp: '/auth/login?acr=idporten-loa-high', label: 'ui.document.sign_step_up' });
    expect(documentButton({ requires: 'sign', stepUpUrl: 'https://evil.example/auth/login?' })).toEqual({ label: 'ui.document.sign' });
    expect(documentButton({ requires: 'acknowledge', stepUpUrl: '/auth/login?acr=x' })).toEqual({ label: 'ui.document.acknowledge' });
    expect(documentButton({ requires: 'sign', acknowledgement: { at: 'x' } })).toBe(null);
  });
  it('queues one idempotent action per document, with an escaped id', () => {
    expect(acknowledgeAction('a/b')).toEqual({ path: '/api/v1/documents/a%2Fb/acknowledge', kind: ACK_KIND, targetId: 'a/b' });
  });
  it('says who acknowledged', () => {
    expect(acknowledgedLabel({ requires: 'acknowledge', acknowledgement: { at: 'x' } })).toBe('ui.document.acknowledged');
    expect(acknowledgedLabel({ requires: 'sign', acknowledgement: { at: 'x' } })).toBe('ui.document.signed');
    expect(acknowledgedLabel({ requires: 'sign', acknowledgement: { at: 'x', byRepresentative: true } })).toBe('ui.document.on_behalf');
    expect(acknowledgedLabel({ requires: 'sign' })).toBe(null);
  });
});
