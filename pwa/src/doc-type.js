// A case document's kind in words: agencies send a media type ("application/pdf"), which a
// citizen should not have to read.

const KINDS = [
  ['ui.cases.doc_type.pdf', /^application\/pdf$/],
  ['ui.cases.doc_type.image', /^image\//],
  ['ui.cases.doc_type.spreadsheet', /spreadsheet|excel|^text\/csv$/],
  ['ui.cases.doc_type.text', /^text\/|msword|wordprocessing|opendocument\.text|rtf/],
];

/** docKind is the message id for a media type, or null when the agency wrote words of its own. */
export function docKind(type) {
  if (!type) return null;
  const t = type.trim().toLowerCase().split(';')[0];
  if (!/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(t)) return null;
  const hit = KINDS.find(([, re]) => re.test(t));
  return hit ? hit[0] : 'ui.cases.doc_type.other';
}

/** docTypeText is what to show for a document's type. */
export function docTypeText(type, t) {
  const id = docKind(type);
  return id ? t(id) : type || '';
}
