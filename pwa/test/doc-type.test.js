import { describe, it, expect } from 'vitest';
import { docKind, docTypeText } from '../src/doc-type.js';

describe('a document type in words', () => {
  it.each([
    ['application/pdf', 'ui.cases.doc_type.pdf'],
    ['APPLICATION/PDF; charset=binary', 'ui.cases.doc_type.pdf'],
    ['image/jpeg', 'ui.cases.doc_type.image'],
    ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'ui.cases.doc_type.text'],
    ['application/vnd.oasis.opendocument.spreadsheet', 'ui.cases.doc_type.spreadsheet'],
    ['text/csv', 'ui.cases.doc_type.spreadsheet'],
    ['text/plain', 'ui.cases.doc_type.text'],
    ['application/zip', 'ui.cases.doc_type.other'],
  ])('%s is %s', (type, id) => expect(docKind(type)).toBe(id));

  it('keeps words an agency wrote itself, and shows nothing for no type', () => {
    const t = (id) => `«${id}»`;
    expect(docTypeText('Vedtak', t)).toBe('Vedtak');
    expect(docTypeText('', t)).toBe('');
    expect(docTypeText('application/pdf', t)).toBe('«ui.cases.doc_type.pdf»');
  });
});
