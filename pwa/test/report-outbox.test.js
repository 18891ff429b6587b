import 'fake-indexeddb/auto';
import { describe, it, expect } from 'vitest';
import { enqueue, replay, sendWith } from '../src/outbox.js';
import { openUserStore } from '../src/store.js';
import { createApi } from '../src/api.js';
import {
  reportFields, reportAction, waitingReports, checkReport, problemFields, pointerField, nearbyPath, reportPath,
  receiptLink, geolocationMessage, currentPosition, groupGlyph, followAction,
} from '../src/report-outbox.js';

const streetLight = {
  code: 'street-light', place: 'required', photo: 'optional',
  questions: [{ code: 'fault', type: 'singlechoice', required: true }, { code: 'pole', type: 'text', required: false }],
};
const draft = (over = {}) => ({ service: 'street-light', description: ' Mørkt ', answers: { fault: 'dark', pole: '' }, position: null, address: '', ...over });
const jpeg = (name) => new File([new Uint8Array([0xff, 0xd8, 0xff, 9])], name, { type: 'image/jpeg' });

describe('a report form', () => {
  it('sends the answers given, the position rounded to micro-degrees, a multichoice answer repeated', () => {
    expect(reportFields(draft({ position: { lat: 59.912734567, lon: 10.7460912345 }, answers: { fault: 'dark', pole: ' ', where: ['road', 'pavement'] } }))).toEqual({
      service: 'street-light', description: 'Mørkt', 'answers.fault': 'dark', 'answers.where': ['road', 'pavement'], lat: '59.912735', lon: '10.746091',
    });
    expect(reportFields(draft({ address: ' Karl Johans gate 22 ' }))).toMatchObject({ address: 'Karl Johans gate 22' });
  });

  it('finds what the server would refuse before sending, under the keys a refusal uses', () => {
    expect(checkReport(null, draft())).toEqual({ service: 'ui.report.error.service' });
    expect(checkReport(streetLight, draft({ description: ' ', answers: {} }))).toEqual({
      description: 'ui.report.error.description', 'answers.fault': 'ui.report.error.answer', place: 'ui.report.error.place',
    });
    expect(checkReport(streetLight, draft({ address: 'Ved bussholdeplassen' }))).toEqual({});
    expect(checkReport({ ...streetLight, photo: 'required' }, draft({ position: { lat: 60, lon: 10 } }), [])).toEqual({ photos: 'ui.report.error.photo' });
    expect(checkReport({ ...streetLight, questions: [{ code: 'where', type: 'multichoice', required: true }] }, draft({ address: 'x', answers: { where: [] } }))).toEqual({ 'answers.where': 'ui.report.error.answer' });
  });

  it('links each field the server names to the form', () => {
    expect(pointerField('/answers/fault')).toBe('answers.fault');
    expect(pointerField('/photos/1')).toBe('photos');
    expect(pointerField('/lat')).toBe('place');
    expect(pointerField('/nothing')).toBeNull();
    expect(problemFields({ errors: [{ pointer: '/lat', detail: 'Utenfor Norge' }, { pointer: '/lon', detail: 'Utenfor' }, { pointer: '/service', detail: 'Ukjent' }] }))
      .toEqual({ place: 'Utenfor Norge', service: 'Ukjent' });
    expect(problemFields(null)).toEqual({});
  });

  it('builds the addresses it reads from', () => {
    expect(nearbyPath('street-light', { lat: 59.9127, lon: 10.7461 })).toBe('/api/v1/reports/nearby?service=street-light&lat=59.9127&lon=10.7461');
    expect(reportPath('r 1')).toBe('/api/v1/reports/r%201');
    expect(reportPath('r1', 'abc')).toBe('/api/v1/reports/r1?token=abc');
    expect(receiptLink({ id: 'r1' })).toBe('/reports/r1');
    expect(receiptLink({ id: 'r1', followUrl: 'https://minside.example/reports/r1?token=t0k' })).toBe('/reports/r1?token=t0k');
    expect(followAction('r1')).toEqual({ method: 'POST', path: '/api/v1/reports/r1/follow', kind: 'reportFollow', targetId: 'r1' });
    expect(groupGlyph('lighting')).toBe('💡');
    expect(groupGlyph('unknown')).toBe(groupGlyph('other'));
  });
});

describe('the position', () => {
  it('is asked for once and says clearly why none came', async () => {
    expect(geolocationMessage(null)).toBe('ui.report.place.unsupported');
    expect(geolocationMessage({ code: 1 })).toBe('ui.report.place.denied');
    expect(geolocationMessage({ code: 3 })).toBe('ui.report.place.timeout');
    let asked = 0;
    const ok = { getCurrentPosition: (yes) => { asked++; yes({ coords: { latitude: 59.9, longitude: 10.7, accuracy: 12 } }); } };
    await expect(currentPosition(ok)).resolves.toEqual({ lat: 59.9, lon: 10.7, accuracy: 12 });
    expect(asked).toBe(1);
    const refused = { getCurrentPosition: (_, no) => no({ code: 1 }) };
    await expect(currentPosition(refused)).rejects.toEqual({ messageId: 'ui.report.place.denied' });
    await expect(currentPosition(null)).rejects.toEqual({ messageId: 'ui.report.place.unsupported' });
  });
});

describe('a report written without signal', () => {
  it('waits in IndexedDB with its photos and is sent once, as the multipart form the server reads', async () => {
    const store = await openUserStore(`report-${Math.random()}`);
    let up = false;
    const sent = [];
    const fetchImpl = async (path, init) => {
      if (!up) throw new TypeError('Failed to fetch');
      sent.push({ path, init });
      return new Response(JSON.stringify({ id: 'r1' }), { status: 201, headers: { 'Content-Type': 'application/json' } });
    };
    const api = createApi({ getCsrf: () => 'csrf', fetchImpl });
    const photos = [jpeg('a.jpg'), jpeg('b.jpg'), jpeg('c.jpg'), jpeg('d.jpg')];
    const action = await enqueue(store, reportAction(draft({ position: { lat: 59.91, lon: 10.74 } }), photos), 1);
    expect((await replay(store, sendWith(api))).stoppedBy).toBe('network');
    expect(waitingReports(await store.listActions())).toEqual([
      { key: action.key, status: 'pending', error: null, service: 'street-light', description: 'Mørkt', photos: 3 },
    ]);
    up = true;
    expect((await replay(store, sendWith(api))).sent).toBe(1);
    expect((await replay(store, sendWith(api))).sent).toBe(0);
    expect(sent).toHaveLength(1);
    const { path, init } = sent[0];
    expect(path).toBe('/api/v1/reports');
    expect(init.headers['Idempotency-Key']).toBe(action.key);
    expect(init.body.get('answers.fault')).toBe('dark');
    expect(init.body.get('lat')).toBe('59.91');
    expect(init.body.getAll('photos').map((f) => f.name)).toEqual(['a.jpg', 'b.jpg', 'c.jpg']);
    expect(waitingReports(await store.listActions())).toEqual([]);
  });
});

describe('a report page', () => {
  it('shows what happened: sent, then every status the agency gave', async () => {
    const { reportSteps } = await import('../src/pages/reports.jsx');
    const base = { createdAt: '2026-12-01T10:00:00Z', updatedAt: '2026-12-03T10:00:00Z', status: 'closed', statusReason: 'Privat grunn', duplicateOf: null };
    expect(reportSteps({ ...base, history: [{ status: 'in_progress', at: '2026-12-02T10:00:00Z' }, { status: 'closed', reason: 'Privat grunn', at: '2026-12-03T10:00:00Z' }] }).map((s) => s.status))
      .toEqual(['submitted', 'in_progress', 'closed']);
    // Without a kept history (older reports): where it stands now.
    expect(reportSteps({ ...base, history: undefined })).toEqual([
      { status: 'submitted', at: base.createdAt }, { status: 'closed', reason: 'Privat grunn', duplicateOf: null, at: base.updatedAt },
    ]);
    expect(reportSteps({ ...base, status: 'submitted' })).toEqual([{ status: 'submitted', at: base.createdAt }]);
  });
});
