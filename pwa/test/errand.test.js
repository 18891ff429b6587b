import { describe, expect, it } from 'vitest';
import { waitText } from '../src/pages/errand.jsx';

// t echoes the id and its data, so the test sees which message and placeholders were chosen.
const t = (id, data) => `${id} ${JSON.stringify(data || {})}`;
const pbe = { slug: 'plan-og-bygg', name: 'Plan- og bygningsetaten' };

describe('waitText', () => {
  it('names who waits for whom', () => {
    expect(waitText({ agency: pbe, waitingFor: 'citizen' }, t)).toBe('ui.errands.waits_for_you {"Agency":"Plan- og bygningsetaten"}');
    expect(waitText({ agency: pbe, waitingFor: 'agency' }, t)).toBe('ui.errands.agency_works {"Agency":"Plan- og bygningsetaten"}');
    expect(waitText({ agency: pbe, waitingFor: 'third_party', party: 'Byantikvaren' }, t))
      .toBe('ui.errands.waits_for_party {"Agency":"Plan- og bygningsetaten","Party":"Byantikvaren"}');
  });
});
