import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../spec/index.ts';
import {
  deflateRepeated,
  makeDocxBomb,
  makePdfBomb,
  makeTinyDocx,
  makeZip,
} from './__fixtures__/make-bombs.ts';
import { makeDocx, makePdf, utf8 } from './__fixtures__/make-fixtures.ts';
import { loadDocx } from './load-docx.ts';
import { loadMarkdown } from './load-markdown.ts';
import { loadPdf } from './load-pdf.ts';
import { loadText } from './load-text.ts';

const MIB = 1024 * 1024;
// Far above what a capped load needs, far below what inflating a 400 MiB bomb whole takes.
const MEMORY_CEILING = 1024 * MIB;

function refusedWith(pattern: RegExp, path: string) {
  return (error: unknown) => {
    assert.ok(error instanceof InvalidInputError, String(error));
    assert.equal(error.path, path);
    assert.match(error.reason, pattern);
    return true;
  };
}

test('a DOCX whose document.xml inflates to 400 MiB fails at the unpacked limit, in bounded memory', async () => {
  const bytes = makeDocxBomb(400);
  assert.ok(bytes.length < 2 * MIB, `the bomb is ${bytes.length} bytes`);
  await assert.rejects(
    loadDocx({ bytes, path: 'bomb.docx' }),
    refusedWith(
      /^word\/document\.xml inflates past the 64 MB unpacked limit .*--max-unpacked-mb/,
      'bomb.docx',
    ),
  );
  assert.ok(process.resourceUsage().maxRSS * 1024 < MEMORY_CEILING);
});

test('a DOCX cannot hide its size behind small header sizes: entries are inflated for real', async () => {
  const lying = deflateRepeated('<w:document>', '<w:p/>'.repeat(10000), 2000, '</w:document>');
  const bytes = makeZip([{ name: 'word/document.xml', content: { ...lying, size: 100 } }]);
  await assert.rejects(
    loadDocx({ bytes, path: 'liar.docx', limits: { maxUnpackedBytes: 8 * MIB } }),
    refusedWith(/^word\/document\.xml inflates past the 8 MB unpacked limit/, 'liar.docx'),
  );
});

test('a DOCX under the unpacked limit but with a bomb-like ratio or too many XML tags is refused', async () => {
  const dense = makeDocxBomb(20);
  await assert.rejects(
    loadDocx({ bytes: dense, path: 'dense.docx' }),
    refusedWith(
      /^word\/document\.xml (inflates \d+:1 .*zip bomb|takes the document past .* XML tags)/,
      'dense.docx',
    ),
  );
});

test('an ordinary DOCX still loads under the limits, and a small one can be held to a lower limit', async () => {
  const bytes = await makeDocx([{ heading: 1, text: 'Onboarding' }, 'Welcome to the team.']);
  const document = await loadDocx({ bytes, path: 'hr/onboarding.docx' });
  assert.deepEqual(
    document.blocks.map((block) => block.text),
    ['Onboarding', 'Welcome to the team.'],
  );
  const tiny = makeTinyDocx('Hello from a hand-built zip.');
  assert.equal((await loadDocx({ bytes: tiny, path: 'tiny.docx' })).text.includes('hand-built zip'), true);
  await assert.rejects(
    loadDocx({ bytes: tiny, path: 'tiny.docx', limits: { maxUnpackedBytes: 200 } }),
    refusedWith(/unpacked limit/, 'tiny.docx'),
  );
});

test('a PDF with a FlateDecode stream inflating to 400 MiB fails at the unpacked limit, in bounded memory', async () => {
  const bytes = await makePdfBomb(400);
  assert.ok(bytes.length < 2 * MIB, `the bomb is ${bytes.length} bytes`);
  await assert.rejects(
    loadPdf({ bytes, path: 'bomb.pdf' }),
    refusedWith(
      /^a stream \(object \d+\) decodes past the 64 MB unpacked limit .*--max-unpacked-mb/,
      'bomb.pdf',
    ),
  );
  assert.ok(process.resourceUsage().maxRSS * 1024 < MEMORY_CEILING);
});

test('a PDF whose page text passes the text limit fails naming the limit and the page', async () => {
  const bytes = await makePdfBomb(4, 'text');
  await assert.rejects(
    loadPdf({ bytes, path: 'wordy.pdf', limits: { maxTextBytes: 256 * 1024 } }),
    refusedWith(/^extracted text passes the 256 KB text limit at page 1; .*--max-text-mb/, 'wordy.pdf'),
  );
});

test('an ordinary PDF still loads under the limits', async () => {
  const bytes = await makePdf([['Key rotation policy'], ['Revoked keys stop working at once.']]);
  const document = await loadPdf({ bytes, path: 'security.pdf' });
  assert.deepEqual(
    document.blocks.map((block) => [block.page, block.text]),
    [
      [1, 'Key rotation policy'],
      [2, 'Revoked keys stop working at once.'],
    ],
  );
});

test('markdown and text files past the text limit are refused with the option to raise', () => {
  const bytes = utf8(`# Notes\n\n${'lorem ipsum '.repeat(200)}\n`);
  for (const load of [loadMarkdown, loadText]) {
    assert.throws(
      () => load({ bytes, path: 'notes.md', limits: { maxTextBytes: 1024 } }),
      refusedWith(
        /^extracted text passes the 1 KB text limit; split the file or raise --max-text-mb$/,
        'notes.md',
      ),
    );
  }
  assert.equal(loadMarkdown({ bytes, path: 'notes.md' }).title, 'Notes');
});

test('a PDF with more pages than the page limit is refused before any page is read', async () => {
  const pages = 20_001;
  const objects = Array.from(
    { length: pages },
    (_, index) => `${index + 3} 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n`,
  );
  const kids = Array.from({ length: pages }, (_, index) => `${index + 3} 0 R`).join(' ');
  const bytes = utf8(
    `%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Count ${pages} /Kids [${kids}] >>\nendobj\n${objects.join('')}trailer\n<< /Root 1 0 R >>\n%%EOF\n`,
  );
  await assert.rejects(
    loadPdf({ bytes, path: 'pages.pdf' }),
    refusedWith(/^has 20001 pages, over the 20,000 page limit; split the PDF$/, 'pages.pdf'),
  );
});
