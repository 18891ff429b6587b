// Tasks and drafts in "needs your action": which are agency items, which still need a "seen"
// report to the server (the server reminds of a task nobody has opened), and what to call them.

/** isAgencyItem is true for a task or a draft (an agency's item with a link into its service). */
export const isAgencyItem = (it) => it.kind === 'task' || it.kind === 'draft';

/** unseenTasks are the ids of tasks shown but not yet seen, not already reported. */
export function unseenTasks(items, reported) {
  return (items || []).filter((it) => it.kind === 'task' && !it.seenAt && !it.withheld && !reported.has(it.id)).map((it) => it.id);
}
