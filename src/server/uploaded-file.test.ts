import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uploadNameOf } from './uploaded-file.ts';

const upload = (id: string, source: string, collection = 'uploads') => ({
  id,
  source,
  metadata: { collection },
});

test('an upload maps to exactly its own file name', () => {
  assert.equal(uploadNameOf(upload('uploads/dup.txt', 'dup.txt')), 'dup.txt');
});

test('documents that are not plain uploads map to no file', () => {
  const cases = [
    upload('docs/index.md', 'index.md', 'docs'),
    upload('uploads/dup', 'dup.txt'),
    upload('uploads/../x.md', '../x.md'),
    upload('uploads/a/b.md', 'a/b.md'),
    upload('uploads/.hidden.md', '.hidden.md'),
    upload('uploads/a\\b.md', 'a\\b.md'),
  ];
  for (const document of cases) assert.equal(uploadNameOf(document), undefined, document.id);
});
