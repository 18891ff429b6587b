import { describe, it, expect } from 'vitest';
import { multipartAction, toFormData, waiting, isMultipart } from '../src/multipart-outbox.js';

const jpeg = (name) => new File([new Uint8Array([0xff, 0xd8, 0xff])], name, { type: 'image/jpeg' });

describe('the multipart outbox piece', () => {
  it('keeps fields and files, each file under its own field or the default one', () => {
    const a = multipartAction({ path: '/p', kind: 'k', targetId: 't', fields: { a: '1' }, files: [{ blob: jpeg('x.jpg') }, { blob: jpeg('y.jpg'), field: 'other' }], fileField: 'photos' });
    expect(a).toMatchObject({ method: 'POST', path: '/p', kind: 'k', targetId: 't' });
    expect(isMultipart(a.body)).toBe(true);
    expect(a.body.multipart.files.map((f) => [f.field, f.name, f.type])).toEqual([['photos', 'x.jpg', 'image/jpeg'], ['other', 'y.jpg', 'image/jpeg']]);
    expect(isMultipart({ title: 'json' })).toBe(false);
  });

  it('repeats a field whose value is a list (a multichoice answer)', () => {
    const fd = toFormData({ fields: { 'answers.where': ['road', 'pavement'], service: 'pothole' }, files: [{ blob: jpeg('a.jpg'), name: 'a.jpg', field: 'photos' }] });
    expect(fd.getAll('answers.where')).toEqual(['road', 'pavement']);
    expect(fd.get('service')).toBe('pothole');
    expect(fd.get('photos').name).toBe('a.jpg');
  });

  it('lists what waits of one kind (and target), oldest first', () => {
    const mk = (key, kind, targetId, createdAt) => ({ key, kind, targetId, createdAt, status: 'pending', error: null, ...multipartAction({ path: '/p', kind, targetId, fields: { n: key } }) });
    const actions = [mk('b', 'report', null, 2), mk('a', 'report', null, 1), mk('c', 'message', 'case-1', 0), { key: 'd', kind: 'report', createdAt: 0, status: 'pending' }];
    expect(waiting(actions, 'report').map((w) => w.key)).toEqual(['a', 'b']);
    expect(waiting(actions, 'message', 'case-1')).toEqual([{ key: 'c', status: 'pending', error: null, fields: { n: 'c' }, files: [] }]);
    expect(waiting(actions, 'message', 'case-2')).toEqual([]);
  });
});
