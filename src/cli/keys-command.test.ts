import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openSqliteApiKeys } from '../store/sqlite/index.ts';
import { cairnIn } from './__fixtures__/cli-context.ts';

function workspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-keys-cli-'));
  const env = { CAIRN_INDEX: path.join(dir, 'index.db'), CAIRN_EMBEDDER: 'hashing' };
  return { dir, env, cairn: (args: string[]) => cairnIn(dir, args, env) };
}

/** A workspace with an index, as `cairn ingest` leaves it. */
async function indexed() {
  const space = workspace();
  fs.mkdirSync(path.join(space.dir, 'docs'));
  fs.writeFileSync(
    path.join(space.dir, 'docs', 'note.md'),
    '# Note\n\nKeys are rotated every ninety days.\n',
  );
  const ingest = await space.cairn(['ingest', path.join(space.dir, 'docs')]);
  assert.equal(ingest.code, 0, ingest.stderr);
  return space;
}

test('keys create prints the secret once; list masks it; revoke stops the key', async () => {
  const { env, cairn } = await indexed();
  const created = await cairn([
    'keys',
    'create',
    '--tenant',
    'globex',
    '--role',
    'admin',
    '--label',
    'first admin',
  ]);
  assert.equal(created.code, 0, created.stderr);
  const secret = /\b(cairn_[0-9a-f]{12}_[A-Za-z0-9_-]+)/.exec(created.stdout)?.[1] as string;
  assert.ok(secret, created.stdout);
  assert.match(created.stdout, /admin key .* for tenant "globex"/);
  assert.match(created.stdout, /shown once/);

  const keys = openSqliteApiKeys(env.CAIRN_INDEX);
  const record = await keys.verify(secret);
  await keys.close();
  assert.equal(record?.tenant, 'globex');
  assert.equal(record?.role, 'admin');
  assert.equal(record?.label, 'first admin');

  const operator = await cairn(['keys', 'create', '--tenant', 'ops', '--role', 'operator', '--json']);
  assert.equal(operator.code, 0, operator.stderr);
  const json = JSON.parse(operator.stdout) as { key: string; record: { id: string; role: string } };
  assert.equal(json.record.role, 'operator');

  const listed = await cairn(['keys', 'list']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok(!listed.stdout.includes(secret), 'list never prints a secret');
  assert.ok(!listed.stdout.includes(json.key));
  assert.match(listed.stdout, new RegExp(`${record?.id}.*globex.*admin.*first admin`));
  assert.match(listed.stdout, new RegExp(`cairn_${record?.id}_\\*+`));
  assert.match(listed.stdout, /ops.*operator/);
  const onlyGlobex = await cairn(['keys', 'list', '--tenant', 'globex', '--json']);
  const records = JSON.parse(onlyGlobex.stdout) as { id: string; tenant: string; key?: string }[];
  assert.deepEqual(
    records.map((entry) => [entry.id, entry.tenant]),
    [[record?.id, 'globex']],
  );
  assert.ok(!onlyGlobex.stdout.includes(secret));

  const wrongTenant = await cairn(['keys', 'revoke', record?.id as string, '--tenant', 'ops']);
  assert.equal(wrongTenant.code, 1);
  assert.match(wrongTenant.stderr, /no active key/);
  const revoked = await cairn(['keys', 'revoke', record?.id as string]);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, /revoked/);
  const again = openSqliteApiKeys(env.CAIRN_INDEX);
  assert.equal(await again.verify(secret), undefined);
  await again.close();
});

test('keys explains what it needs', async () => {
  const { cairn } = await indexed();
  const noRole = await cairn(['keys', 'create', '--tenant', 'globex']);
  assert.equal(noRole.code, 2);
  assert.match(noRole.stderr, /--role/);
  const badRole = await cairn(['keys', 'create', '--tenant', 'globex', '--role', 'root']);
  assert.equal(badRole.code, 2);
  assert.match(badRole.stderr, /reader, writer, admin, operator/);
  const noTenant = await cairn(['keys', 'create', '--role', 'reader']);
  assert.equal(noTenant.code, 2);
  assert.match(noTenant.stderr, /--tenant/);
  const badTenant = await cairn(['keys', 'create', '--tenant', '../etc', '--role', 'reader']);
  assert.equal(badTenant.code, 2);
  assert.match(badTenant.stderr, /tenant/);
  const noId = await cairn(['keys', 'revoke']);
  assert.equal(noId.code, 2);
  const unknown = await cairn(['keys', 'rotate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /create, list or revoke/);
  const help = await cairn(['keys', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /cairn keys create --tenant/);
  for (const args of [['list'], ['create', '--tenant', 'globex', '--role', 'admin']]) {
    const noIndex = await workspace().cairn(['keys', ...args]);
    assert.equal(noIndex.code, 4, 'keys live in an index: it must exist');
    assert.match(noIndex.stderr, /no index at/);
  }
  const top = await cairn(['--help']);
  assert.match(top.stdout, /cairn keys/);
});
