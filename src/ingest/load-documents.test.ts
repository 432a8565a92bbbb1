import assert from 'node:assert/strict';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeDocx, makePdf, makeTempDir, utf8, writeFiles } from './__fixtures__/make-fixtures.ts';
import { type LoadResult, loadDocuments } from './load-documents.ts';

async function collect(inputPath: string, options?: { maxFileBytes?: number }): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  for await (const result of loadDocuments(inputPath, { collection: 'docs', ...options }))
    results.push(result);
  return results;
}

/** One readable line per result, in the order loading produced them. */
function describe(results: LoadResult[]): string[] {
  return results.map((result) => {
    if (result.ok === 'skipped') return `skipped ${result.path}: ${result.reason}`;
    if (result.ok) return `${result.document.format} ${result.document.id} <- ${result.document.source}`;
    return `error ${result.error.message}`;
  });
}

test('loads every format in a folder, with ids and sources relative to it', async () => {
  const dir = makeTempDir();
  writeFiles(dir, {
    'guides/rotate-keys.md': '# Rotate keys\n\nEvery 90 days.',
    'guides/faq.txt': 'FAQ\n\nAsk away.',
    'site/index.html': '<html><head><title>Home</title></head><body><p>Welcome.</p></body></html>',
    'manual.pdf': await makePdf([['Page one'], ['Page two']]),
    'handbook.docx': await makeDocx([{ heading: 1, text: 'Handbook' }, 'Hello.']),
    'bench/corpus.jsonl': `${JSON.stringify({ _id: 'd1', title: 'T', text: 'Body' })}\n`,
    'logo.png': 'not loaded',
  });
  assert.deepEqual(describe(await collect(dir)), [
    'skipped logo.png: unsupported extension .png',
    'beir d1 <- bench/corpus.jsonl#d1',
    'text docs/guides/faq.txt <- guides/faq.txt',
    'markdown docs/guides/rotate-keys.md <- guides/rotate-keys.md',
    'docx docs/handbook.docx <- handbook.docx',
    'pdf docs/manual.pdf <- manual.pdf',
    'html docs/site/index.html <- site/index.html',
  ]);
});

test('files that share a stem keep apart: every id keeps its extension', async () => {
  const dir = makeTempDir();
  writeFiles(dir, { 'notes/a.md': '# A', 'notes/a.txt': 'A as text', 'notes/b.txt': 'B' });
  assert.deepEqual(describe(await collect(dir)), [
    'markdown docs/notes/a.md <- notes/a.md',
    'text docs/notes/a.txt <- notes/a.txt',
    'text docs/notes/b.txt <- notes/b.txt',
  ]);
});

test('the collection defaults to the root folder, for a single file its parent folder', async () => {
  const dir = makeTempDir();
  writeFiles(dir, { 'deep/one.md': '# One\n\nText.' });
  const results: LoadResult[] = [];
  for await (const result of loadDocuments(join(dir, 'deep/one.md'))) results.push(result);
  assert.deepEqual(describe(results), ['markdown deep/one.md <- one.md']);
});

test('each bad file is reported with its path and a reason, and loading goes on', async () => {
  const dir = makeTempDir();
  writeFiles(dir, {
    '1-good.md': '# Good\n\nFine.',
    '2-corrupt.pdf': utf8('%PDF-1.4\ngarbage that is not a PDF'),
    '3-empty.txt': '',
    '4-blank.md': '\n   \n',
    '5-binary.md': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]),
    '6-latin1.txt': new Uint8Array([...utf8('caf'), 0xe9, ...utf8(' au lait')]),
    '7-fake.docx': 'not a zip',
    '8-scan.pdf': await makePdf([[]]),
    '9-corpus.jsonl': ['{"_id":"x","text":"ok"}', '{oops', '{"_id":"y","text":"ok too"}'].join('\n'),
    '10-good.txt': 'Still loaded\n\nafter all that.',
  });
  const outcomes = describe(await collect(dir));
  const invalidPdf = outcomes.find((line) => line.startsWith('error 2-corrupt.pdf: not a valid PDF: '));
  assert.ok(invalidPdf, 'corrupt PDF reported');
  const invalidJson = outcomes.find((line) => line.startsWith('error 9-corpus.jsonl:2: invalid JSON: '));
  assert.ok(invalidJson, 'malformed JSONL line reported');
  assert.deepEqual(outcomes, [
    'markdown docs/1-good.md <- 1-good.md',
    'text docs/10-good.txt <- 10-good.txt',
    invalidPdf,
    'error 3-empty.txt: empty file',
    'error 4-blank.md: empty file',
    'error 5-binary.md: looks binary, not text (.md expected text)',
    'error 6-latin1.txt: invalid UTF-8 at byte 3; re-save the file as UTF-8',
    'error 7-fake.docx: not a valid DOCX (zip) file',
    'error 8-scan.pdf: no extractable text (scanned PDF? run OCR first)',
    'beir x <- 9-corpus.jsonl#x',
    invalidJson,
    'beir y <- 9-corpus.jsonl#y',
  ]);
});

test('a file over maxFileBytes is refused, while a larger JSONL corpus still streams', async () => {
  const dir = makeTempDir();
  writeFiles(dir, {
    'big.md': `# Big\n\n${'word '.repeat(400)}`,
    'small.md': '# Small',
    'corpus.jsonl': Array.from({ length: 20 }, (_, index) =>
      JSON.stringify({ _id: `${index}`, text: 'x'.repeat(100) }),
    ).join('\n'),
  });
  const outcomes = describe(await collect(dir, { maxFileBytes: 1024 }));
  assert.equal(outcomes.filter((line) => line.startsWith('beir ')).length, 20);
  assert.ok(
    outcomes.includes('error big.md: file is 2.0 KB, over the 1 KB limit; split it or raise --max-file-mb'),
    outcomes.join('\n'),
  );
  assert.ok(outcomes.includes('markdown docs/small.md <- small.md'));
});

test('a 200 MB file is refused by its size under the default limit, without being read', async () => {
  const dir = makeTempDir();
  const huge = join(dir, 'huge.txt');
  writeFileSync(huge, '');
  // Sparse: the file claims 200 MB but occupies no disk, so reading it would be the only cost.
  truncateSync(huge, 200 * 1024 * 1024);
  writeFiles(dir, { 'next.txt': 'Next file' });
  const before = process.memoryUsage().arrayBuffers;
  const outcomes = describe(await collect(dir));
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.deepEqual(outcomes, [
    'error huge.txt: file is 200.0 MB, over the 50 MB limit; split it or raise --max-file-mb',
    'text docs/next.txt <- next.txt',
  ]);
  assert.ok(grown < 50 * 1024 * 1024, `memory grew by ${grown} bytes; the file was read`);
});
