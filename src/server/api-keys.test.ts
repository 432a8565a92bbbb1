import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openApiKeyStore, roleAllows } from './api-keys.ts';

test('an index whose key table predates the operator role keeps its keys and accepts operators', () => {
  const indexPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-keys-')), 'index.db');
  const old = openApiKeyStore(indexPath);
  const { key } = old.create({ tenant: 'acme', role: 'admin', label: 'old' });
  old.close();
  // Put the table back as older versions created it.
  const db = new Database(indexPath);
  db.exec(`ALTER TABLE api_keys RENAME TO api_keys_current;
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  tenant TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('reader', 'writer', 'admin')),
  label TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
INSERT INTO api_keys SELECT * FROM api_keys_current;
DROP TABLE api_keys_current;`);
  db.close();

  const keys = openApiKeyStore(indexPath);
  assert.equal(keys.verify(key)?.label, 'old');
  const operator = keys.create({ tenant: 'ops', role: 'operator' });
  assert.equal(keys.verify(operator.key)?.role, 'operator');
  assert.deepEqual(
    keys.list().map((record) => [record.tenant, record.role]),
    [
      ['acme', 'admin'],
      ['ops', 'operator'],
    ],
  );
  keys.close();
});

test('operator is above admin; tenant names must stay plain folder names', () => {
  assert.ok(roleAllows('operator', 'admin'));
  assert.ok(!roleAllows('admin', 'operator'));
  const keys = openApiKeyStore(':memory:');
  for (const tenant of ['.', '..', '-x', '', 'a/b'])
    assert.throws(() => keys.create({ tenant, role: 'reader' }), /tenant/, tenant);
  keys.close();
});
