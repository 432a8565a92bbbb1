import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { InvalidInputError } from '../spec/index.ts';
import { makeTempDir, writeFiles } from './__fixtures__/make-fixtures.ts';
import { walkDirectory } from './walk-directory.ts';

test('lists supported files recursively and in sorted order', async () => {
  const dir = makeTempDir();
  writeFiles(dir, {
    'b.md': '# B',
    'a/z.txt': 'z',
    'a/page.HTML': '<p>x</p>',
    'guide.pdf': '%PDF',
    'report.docx': 'x',
    'corpus.jsonl': '{}',
    'notes.markdown': 'n',
    'old.htm': 'x',
    'readme.text': 'x',
  });
  const result = await walkDirectory(dir);
  const names = result.files.map((file) => file.slice(dir.length + 1));
  assert.deepEqual(names, [
    'a/page.HTML',
    'a/z.txt',
    'b.md',
    'corpus.jsonl',
    'guide.pdf',
    'notes.markdown',
    'old.htm',
    'readme.text',
    'report.docx',
  ]);
  assert.ok(result.files.every((file) => file.startsWith('/')));
  assert.equal(result.root, dir);
});

test('passes over hidden entries and node_modules, and lists unsupported files with a reason', async () => {
  const dir = makeTempDir();
  writeFiles(dir, {
    'keep.md': 'x',
    '.secret.md': 'x',
    '.git/config.md': 'x',
    'node_modules/pkg/readme.md': 'x',
    'image.png': 'x',
    'docs/data.xyz': 'x',
    Makefile: 'x',
  });
  const result = await walkDirectory(dir);
  assert.deepEqual(result.files, [join(dir, 'keep.md')]);
  assert.deepEqual(result.skipped, [
    { path: join(dir, 'Makefile'), reason: 'no file extension' },
    { path: join(dir, 'docs/data.xyz'), reason: 'unsupported extension .xyz' },
    { path: join(dir, 'image.png'), reason: 'unsupported extension .png' },
  ]);
});

test('accepts a single file as input', async () => {
  const dir = makeTempDir();
  writeFiles(dir, { 'one.md': '# One', 'other.md': 'x' });
  const result = await walkDirectory(join(dir, 'one.md'));
  assert.deepEqual(result.files, [join(dir, 'one.md')]);
  assert.equal(result.root, dir);
});

test('a missing input path is an InvalidInputError naming it', async () => {
  const missing = join(makeTempDir(), 'nope');
  await assert.rejects(walkDirectory(missing), (error) => {
    assert.ok(error instanceof InvalidInputError);
    assert.equal(error.message, `${missing}: no such file or directory`);
    return true;
  });
});
