import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteApiKeys } from '../store/sqlite/index.ts';
import { roleAllows } from './api-keys.ts';

test('an index whose key table predates the operator role keeps its keys and accepts operators', async () => {
  const indexPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-keys-')), 'index.db');
  const old = openSqliteApiKeys(indexPath);
  const { key } = await old.create({ tenant: 'acme', role: 'admin', label: 'old' });
  await old.close();
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

  const keys = openSqliteApiKeys(indexPath);
  assert.equal((await keys.verify(key))?.label, 'old');
  const operator = await keys.create({ tenant: 'ops', role: 'operator' });
  assert.equal((await keys.verify(operator.key))?.role, 'operator');
  assert.deepEqual(
    (await keys.list()).map((record) => [record.tenant, record.role]),
    [
      ['acme', 'admin'],
      ['ops', 'operator'],
    ],
  );
  await keys.close();
});

test('operator is above admin; tenant names must stay plain folder names', async () => {
  assert.ok(roleAllows('operator', 'admin'));
  assert.ok(!roleAllows('admin', 'operator'));
  const keys = openSqliteApiKeys(':memory:');
  for (const tenant of ['.', '..', '-x', '', 'a/b'])
    await assert.rejects(keys.create({ tenant, role: 'reader' }), /tenant/, tenant);
  await keys.close();
});
