import { describe, it, expect } from 'vitest';
import { enqueue, replay, sendWith } from '../src/outbox.js';
import { ideaAction, supportAction, waitingIdeas, withPendingSupport } from '../src/idea-outbox.js';
import { ideasPath } from '../src/pages/ideas.jsx';
import { namedFile, offlineOutbox } from './outbox-fixture.js';

describe('an idea written offline', () => {
  it('waits with its photo, is sent once when online, as multipart with the photo field', async () => {
    const { store, net, api } = await offlineOutbox('idea', { id: 'i1' });
    const photo = namedFile([0x89, 0x50, 0x4e, 0x47], 'image/png', 'benk.png');
    const action = await enqueue(store, ideaAction({ title: 'Benker', body: 'Flere benker', area: 'environment' }, photo), 1000);

    let r = await replay(store, sendWith(api));
    expect(r).toMatchObject({ sent: 0, stoppedBy: 'network' });
    expect(waitingIdeas(await store.listActions())).toEqual([
      { key: action.key, status: 'pending', title: 'Benker', area: 'environment', photo: true },
    ]);

    net.online();
    r = await replay(store, sendWith(api));
    expect(r).toMatchObject({ sent: 1, failed: 0 });
    r = await replay(store, sendWith(api));
    expect(r.sent).toBe(0);
    expect(net.sent).toHaveLength(1);
    const { path, init } = net.sent[0];
    expect(path).toBe('/api/v1/ideas');
    expect(init.method).toBe('POST');
    expect(init.headers['Idempotency-Key']).toBe(action.key);
    expect(init.body.get('title')).toBe('Benker');
    expect(init.body.get('area')).toBe('environment');
    expect(init.body.get('attachments')).toBeNull();
    const file = init.body.get('photo');
    expect(file.name).toBe('benk.png');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    expect(waitingIdeas(await store.listActions())).toEqual([]);
  });

  it('sends no file part without a photo', () => {
    expect(ideaAction({ title: 't', body: 'b', area: 'other' }).body.multipart.files).toEqual([]);
  });
});

describe('support', () => {
  const idea = { id: 'i1', supported: false, supportCount: 3 };
  it('is a PUT, and a DELETE to take it back', () => {
    expect(supportAction('i 1', true)).toMatchObject({ method: 'PUT', path: '/api/v1/ideas/i%201/support', kind: 'ideaSupport', targetId: 'i 1' });
    expect(supportAction('i1', false).method).toBe('DELETE');
  });
  it('shows a queued support at once, the last queued action deciding', () => {
    const put = { ...supportAction('i1', true), status: 'pending' };
    const del = { ...supportAction('i1', false), status: 'pending' };
    expect(withPendingSupport(idea, [put])).toMatchObject({ supported: true, supportCount: 4, pending: true });
    expect(withPendingSupport(idea, [put, del])).toBe(idea);
    expect(withPendingSupport(idea, [{ ...put, status: 'failed' }])).toBe(idea);
    expect(withPendingSupport(idea, [{ ...put, targetId: 'i2' }])).toBe(idea);
  });
});

describe('ideasPath', () => {
  it('names the order, and the area only when one is chosen', () => {
    expect(ideasPath('newest', '')).toBe('/api/v1/ideas?sort=newest');
    expect(ideasPath('supported', 'transport')).toBe('/api/v1/ideas?sort=supported&area=transport');
  });
});

describe('the route', () => {
  it('opens the ideas page, also from a notice about one idea', async () => {
    const { matchRoute } = await import('../src/router.js');
    expect(matchRoute('/ideas')).toEqual({ name: 'ideas', params: {} });
    expect(matchRoute('/ideas/abc')).toEqual({ name: 'ideas', params: { id: 'abc' } });
  });
});
