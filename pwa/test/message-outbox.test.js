import { describe, it, expect } from 'vitest';
import { enqueue, replay, sendWith } from '../src/outbox.js';
import { createApi } from '../src/api.js';
import { messageAction, waitingMessages } from '../src/message-outbox.js';
import { namedFile, network, offlineOutbox } from './outbox-fixture.js';

describe('a message written offline', () => {
  it('waits in IndexedDB with its attachment, is sent once when online, with the same key', async () => {
    const { store, net, api } = await offlineOutbox('msg', { id: 'm1' });
    const photo = namedFile([0xff, 0xd8, 0xff, 1, 2, 3], 'image/jpeg', 'tomt.jpg');
    const action = await enqueue(store, messageAction({ kind: 'case', id: 'case-1' }, 'Her er bildet', [photo]), 1000);

    // Offline: nothing sent, the message waits (the person sees it) with its file.
    let r = await replay(store, sendWith(api));
    expect(r).toMatchObject({ sent: 0, stoppedBy: 'network' });
    const stored = await store.listActions();
    expect(waitingMessages(stored, 'case-1')).toEqual([
      { key: action.key, status: 'pending', body: 'Her er bildet', attachments: ['tomt.jpg'], error: null },
    ]);
    expect(waitingMessages(stored, 'case-2')).toEqual([]);
    const kept = stored[0].body.multipart.files[0].blob;
    expect(new Uint8Array(await kept.arrayBuffer())).toEqual(new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]));

    // Online: sent once, as multipart with the file, its Idempotency-Key and CSRF token.
    net.online();
    r = await replay(store, sendWith(api));
    expect(r).toMatchObject({ sent: 1, failed: 0 });
    r = await replay(store, sendWith(api));
    expect(r.sent).toBe(0);
    expect(net.sent).toHaveLength(1);
    const { path, init } = net.sent[0];
    expect(path).toBe('/api/v1/cases/case-1/messages');
    expect(init.headers['Idempotency-Key']).toBe(action.key);
    expect(init.headers['X-CSRF-Token']).toBe('csrf-1');
    expect(init.headers['Content-Type']).toBeUndefined(); // the browser sets the multipart boundary
    expect(init.body).toBeInstanceOf(FormData);
    expect(init.body.get('body')).toBe('Her er bildet');
    const file = init.body.get('attachments');
    expect(file.name).toBe('tomt.jpg');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]));
    expect(waitingMessages(await store.listActions(), 'case-1')).toEqual([]);
  });

  it('on an errand, goes to the errand with the agency it is for, and waits under the errand', async () => {
    const { store, net, api } = await offlineOutbox('msg', { id: 'm1' });
    const errand = { kind: 'errand', id: 'errand-1' };
    const action = await enqueue(store, messageAction(errand, 'Når kommer vannet?', [], 'vann-og-avlop'), 1000);
    await enqueue(store, messageAction(errand, 'Til byggesak', []), 1001);
    expect(waitingMessages(await store.listActions(), 'errand-1').map((m) => m.body)).toEqual(['Når kommer vannet?', 'Til byggesak']);
    net.online();
    const r = await replay(store, sendWith(api));
    expect(r).toMatchObject({ sent: 2, failed: 0 });
    expect(net.sent.map((s) => s.path)).toEqual(['/api/v1/me/errands/errand-1/messages', '/api/v1/me/errands/errand-1/messages']);
    expect(net.sent[0].init.headers['Idempotency-Key']).toBe(action.key);
    expect(net.sent[0].init.body.get('agency')).toBe('vann-og-avlop');
    expect(net.sent[1].init.body.get('agency')).toBeNull(); // the lead agency
  });

  it('keeps JSON actions JSON', async () => {
    const net = network();
    net.online();
    const api = createApi({ fetchImpl: net.fetchImpl });
    await api.post('/api/v1/notifications/n1/read', { a: 1 });
    expect(net.sent[0].init.headers['Content-Type']).toBe('application/json');
    expect(net.sent[0].init.body).toBe('{"a":1}');
  });
});
