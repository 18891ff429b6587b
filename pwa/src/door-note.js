// What a key card says under a door's open button.

/**
 * doorNote: the last press's outcome wins (it is newer than anything the server said); else a
 * warning when the door's lock system is down or reports the door out of order (the button
 * stays: the lock may be back before the next manifest poll); else nothing.
 * @returns {{kind: 'ok'|'error'|'warn', text: string} | null}
 */
export function doorNote(ap, result, t) {
  if (result) return { kind: result.ok ? 'ok' : 'error', text: result.text };
  if (ap.outOfOrder) return { kind: 'warn', text: t('ui.keys.out_of_order', { name: ap.name }) };
  return null;
}
