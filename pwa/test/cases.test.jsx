// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { render } from 'preact';
import vocabularies from '../src/vocabularies.json';
import { CaseStatusFilter } from '../src/pages/cases.jsx';

const t = (id) => `«${id}»`;

describe('the case status filter', () => {
  it('offers all, then every case status of the server and no other', () => {
    // The one list is the server's, generated into vocabularies.json (TestPWAVocabularies).
    const { caseStatuses } = vocabularies;
    expect(caseStatuses).toEqual(expect.arrayContaining(['received', 'awaiting_citizen', 'closed']));
    const root = document.createElement('div');
    const chosen = [];
    render(<CaseStatusFilter value="decided" onChange={(v) => chosen.push(v)} t={t} />, root);
    const select = root.querySelector('select#case-status');
    const options = [...select.options];
    expect(options.map((o) => o.value)).toEqual(['', ...caseStatuses]);
    expect(options.map((o) => o.textContent)).toEqual(['«ui.cases.all»', ...caseStatuses.map((v) => `«ui.cases.status.${v}»`)]);
    expect(select.value).toBe('decided');
    select.value = 'awaiting_citizen';
    select.dispatchEvent(new Event('change'));
    expect(chosen).toEqual(['awaiting_citizen']);
    expect(root.querySelector('label[for="case-status"]').textContent).toBe('«ui.cases.filter_status»');
  });
});
