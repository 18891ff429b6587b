// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { render } from 'preact';
import { AppContext } from '../src/ui.jsx';
import { DetailFrame } from '../src/pages/detail-frame.jsx';

const t = (id) => `«${id}»`;
const app = { s: { online: true, lang: 'nb' }, ctl: {}, t };
const pbe = { slug: 'plan-og-bygg', name: 'Plan- og bygningsetaten' };

function show(props) {
  const root = document.createElement('div');
  render(
    <AppContext.Provider value={app}>
      <DetailFrame title="Garasje" back={{ href: '/cases', text: 'Tilbake' }} events={(d) => d.events}
        intro={(d) => <p id="intro">{d.note}</p>} documents={(d) => d.documents} documentItem={(doc, d) => <li key={doc.id} data-of={d.note}>{doc.name}</li>}
        thread={<div id="thread" />} {...props} />
    </AppContext.Provider>,
    root,
  );
  return root;
}

const data = {
  status: 'awaiting_citizen', agency: pbe, note: 'Send tegningene',
  documents: [{ id: 'd1', name: 'Vedtak.pdf' }],
  events: [
    { id: 'e1', at: '2026-11-02T09:00:00Z', title: 'Mottatt', status: 'received', agency: pbe },
    { id: 'e2', at: '2026-11-09T09:00:00Z', title: 'Venter', body: 'Vi trenger tegninger', agency: { name: 'Byantikvaren' } },
  ],
};

describe('DetailFrame', () => {
  it('frames a case or errand: title, way back, status and agency, own parts around the timeline, thread last', () => {
    const root = show({ r: { data, loading: false } });
    expect(root.querySelector('h1').textContent).toBe('Garasje');
    expect(root.querySelector('a[href="/cases"]').textContent).toBe('Tilbake');
    expect(root.querySelector('.case-meta .badge').textContent).toBe('«ui.cases.status.awaiting_citizen»');
    expect(root.querySelector('.case-meta .agency').textContent).toBe(pbe.name);
    const order = [...root.querySelectorAll('#intro, section[aria-labelledby], #thread')].map((el) => el.id || el.getAttribute('aria-labelledby'));
    expect(order).toEqual(['intro', 'h-timeline', 'h-docs', 'thread']);
    const docs = [...root.querySelectorAll('section[aria-labelledby="h-docs"] li')];
    expect(docs.map((li) => [li.textContent, li.dataset.of])).toEqual([['Vedtak.pdf', 'Send tegningene']]);
    const items = [...root.querySelectorAll('.timeline li')];
    expect(items.map((li) => li.querySelector('h3').textContent)).toEqual(['Mottatt', 'Venter']);
    expect(items[0].querySelector('.meta').textContent).toContain('«ui.cases.status.received»');
    expect(items[0].querySelector('time').getAttribute('datetime')).toBe('2026-11-02T09:00:00Z');
    expect(root.querySelector('.agency-mark')).toBeNull(); // a case's events are all its agency's
  });

  it('marks each event with its agency on an errand, and says when there are no events or documents', () => {
    let root = show({ r: { data, loading: false }, markAgency: true });
    expect([...root.querySelectorAll('.agency-mark')].map((b) => b.textContent)).toEqual([pbe.name, 'Byantikvaren']);
    root = show({ r: { data: { ...data, events: [], documents: [] }, loading: false } });
    expect(root.querySelector('.timeline')).toBeNull();
    expect(root.querySelector('section[aria-labelledby="h-timeline"] .empty').textContent).toBe('«ui.cases.no_events»');
    expect(root.querySelector('section[aria-labelledby="h-docs"] .empty').textContent).toBe('«ui.cases.no_documents»');
  });

  it('shows only the frame while loading, and the error without data', () => {
    let root = show({ r: { data: null, loading: true } });
    expect(root.querySelector('.case-meta')).toBeNull();
    expect(root.querySelector('#thread')).toBeNull();
    expect(root.querySelector('a[href="/cases"]')).not.toBeNull();
    root = show({ r: { data: null, loading: false, error: { status: 404, title: 'Ikke funnet' } } });
    expect(root.querySelector('[role="alert"]')).not.toBeNull();
    expect(root.querySelector('#intro')).toBeNull();
  });
});
