// Role checks the navigation needs before any page loads: kept apart from the pages so the
// pages they lead to stay lazy chunks.

/** isEditor: the nav shows the agency console only to people with an agency_editor role. */
export function isEditor(me) {
  return !!(me && (me.roles || []).some((r) => r.startsWith('agency_editor:')));
}
