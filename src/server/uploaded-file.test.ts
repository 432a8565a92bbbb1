import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { tenantUploadsDir, uploadedFileOf } from './uploaded-file.ts';

const uploadsDir = path.resolve('/srv/cairn/uploads');
const bindings = [{ name: 'uploads', root: path.join(uploadsDir, 'acme') }];
const upload = (id: string, source: string, collection = 'uploads') => ({
  id,
  source,
  metadata: { collection },
});

test('an upload maps to exactly its own file in the tenant folder', () => {
  assert.equal(
    uploadedFileOf(uploadsDir, 'acme', upload('uploads/dup.txt', 'dup.txt'), bindings),
    path.join(uploadsDir, 'acme', 'dup.txt'),
  );
});

test('documents that are not plain uploads of this tenant map to no file', () => {
  const cases = [
    upload('docs/index.md', 'index.md', 'docs'),
    upload('uploads/dup', 'dup.txt'),
    upload('uploads/../x.md', '../x.md'),
    upload('uploads/a/b.md', 'a/b.md'),
    upload('uploads/.hidden.md', '.hidden.md'),
    upload('uploads/a\\b.md', 'a\\b.md'),
  ];
  for (const document of cases)
    assert.equal(uploadedFileOf(uploadsDir, 'acme', document, bindings), undefined, document.id);
  // The collection must be bound to this tenant's folder.
  assert.equal(
    uploadedFileOf(uploadsDir, 'globex', upload('uploads/dup.txt', 'dup.txt'), bindings),
    undefined,
  );
  assert.equal(tenantUploadsDir(uploadsDir, '../etc'), undefined);
  assert.equal(tenantUploadsDir(uploadsDir, '..'), undefined);
});
