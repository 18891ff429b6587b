import { describe, it, expect } from 'vitest';
import { isAgencyItem, unseenTasks } from '../src/tasks.js';

describe('tasks', () => {
  it('tells agency items apart', () => {
    expect(isAgencyItem({ kind: 'task' })).toBe(true);
    expect(isAgencyItem({ kind: 'draft' })).toBe(true);
    expect(isAgencyItem({ kind: 'case' })).toBe(false);
  });
  it('reports only shown, unseen, not withheld tasks, once', () => {
    const items = [
      { kind: 'task', id: 'a' },
      { kind: 'task', id: 'b', seenAt: '2026-12-01T10:00:00Z' },
      { kind: 'task', id: 'c', withheld: true },
      { kind: 'draft', id: 'd' },
      { kind: 'task', id: 'e' },
    ];
    expect(unseenTasks(items, new Set(['e']))).toEqual(['a']);
    expect(unseenTasks(undefined, new Set())).toEqual([]);
  });
});
