import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../spec/index.ts';
import { makePdf, utf8 } from './__fixtures__/make-fixtures.ts';
import { loadPdf } from './load-pdf.ts';

test('reads the text of each page into blocks carrying 1-based page numbers', async () => {
  const bytes = await makePdf(
    [['Key rotation policy', 'Rotate keys every ninety days.'], ['Revoked keys stop working at once.']],
    { title: 'Security handbook' },
  );
  const document = await loadPdf({ bytes, path: 'policies/security.pdf' });
  assert.equal(document.id, 'policies/security.pdf');
  assert.equal(document.format, 'pdf');
  assert.equal(document.title, 'Security handbook');
  assert.equal(document.metadata.pages, 2);
  assert.deepEqual(
    document.blocks.map((block) => [block.page, block.kind, block.text]),
    [
      [1, 'paragraph', 'Key rotation policy\nRotate keys every ninety days.'],
      [2, 'paragraph', 'Revoked keys stop working at once.'],
    ],
  );
});

test('without a Title field the file name is the title', async () => {
  const document = await loadPdf({ bytes: await makePdf([['Hello']]), path: 'scan-notes.pdf' });
  assert.equal(document.title, 'scan-notes');
});

test('a PDF without a text layer is refused with a hint to run OCR', async () => {
  await assert.rejects(loadPdf({ bytes: await makePdf([[], []]), path: 'scanned.pdf' }), (error) => {
    assert.ok(error instanceof InvalidInputError);
    assert.equal(error.message, 'scanned.pdf: no extractable text (scanned PDF? run OCR first)');
    return true;
  });
});

test('corrupt bytes are refused as not a valid PDF', async () => {
  for (const bytes of [utf8('%PDF-1.7\nthis is not really a pdf'), utf8('hello, world')]) {
    await assert.rejects(loadPdf({ bytes, path: 'broken.pdf' }), (error) => {
      assert.ok(error instanceof InvalidInputError);
      assert.equal(error.path, 'broken.pdf');
      assert.match(error.reason, /^not a valid PDF: \S/);
      return true;
    });
  }
});
