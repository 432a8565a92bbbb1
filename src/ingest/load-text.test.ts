import assert from 'node:assert/strict';
import { test } from 'node:test';
import { utf8 } from './__fixtures__/make-fixtures.ts';
import { loadText } from './load-text.ts';

test('splits paragraphs on blank lines and titles the document with its first line', () => {
  const document = loadText({
    bytes: utf8('Release notes\n\nVersion 2 adds streaming.\nIt also fixes bugs.\n\n  \n\nThanks to all.\n'),
    path: 'notes/release.txt',
  });
  assert.equal(document.id, 'notes/release.txt');
  assert.equal(document.source, 'notes/release.txt');
  assert.equal(document.format, 'text');
  assert.equal(document.title, 'Release notes');
  assert.deepEqual(
    document.blocks.map((block) => [block.kind, block.text]),
    [
      ['paragraph', 'Release notes'],
      ['paragraph', 'Version 2 adds streaming.\nIt also fixes bugs.'],
      ['paragraph', 'Thanks to all.'],
    ],
  );
  assert.equal(
    document.text,
    'Release notes\n\nVersion 2 adds streaming.\nIt also fixes bugs.\n\nThanks to all.',
  );
  assert.match(document.contentHash, /^[0-9a-f]{64}$/);
});

test('falls back to the file name when the first line is too long for a title', () => {
  const document = loadText({ bytes: utf8(`${'word '.repeat(40)}\n\nmore`), path: 'long-intro.txt' });
  assert.equal(document.title, 'long-intro');
});

test('the content hash changes with the text and the title', () => {
  const hash = (text: string) => loadText({ bytes: utf8(text), path: 'a.txt' }).contentHash;
  assert.equal(hash('Title\n\nBody'), hash('Title\n\nBody'));
  assert.notEqual(hash('Title\n\nBody'), hash('Title\n\nBody!'));
  assert.notEqual(hash('Title\n\nBody'), hash('Other\n\nBody'));
});
