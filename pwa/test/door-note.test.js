import { describe, it, expect } from 'vitest';
import { doorNote } from '../src/door-note.js';

const t = (id, vars) => `${id}${vars ? ' ' + JSON.stringify(vars) : ''}`;

describe('doorNote', () => {
  it('says nothing about a working door', () => {
    expect(doorNote({ id: 'a', name: 'Hovedinngang', outOfOrder: false }, undefined, t)).toBeNull();
    expect(doorNote({ id: 'a', name: 'Hovedinngang' }, undefined, t)).toBeNull();
  });
  it('warns, naming the door, when its lock is down', () => {
    expect(doorNote({ id: 'a', name: 'Port', outOfOrder: true }, undefined, t))
      .toEqual({ kind: 'warn', text: 'ui.keys.out_of_order {"name":"Port"}' });
  });
  it('shows the last press instead, whatever the server said before', () => {
    const ap = { id: 'a', name: 'Port', outOfOrder: true };
    expect(doorNote(ap, { ok: true, text: 'Port ble åpnet' }, t)).toEqual({ kind: 'ok', text: 'Port ble åpnet' });
    expect(doorNote(ap, { ok: false, text: 'Døren svarer ikke' }, t)).toEqual({ kind: 'error', text: 'Døren svarer ikke' });
  });
});
