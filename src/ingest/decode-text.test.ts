import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../spec/index.ts';
import { utf8 } from './__fixtures__/make-fixtures.ts';
import { decodeText } from './decode-text.ts';

function reasonFor(bytes: Uint8Array, path = 'notes/a.md'): string {
  try {
    decodeText(bytes, path);
  } catch (error) {
    assert.ok(error instanceof InvalidInputError);
    assert.equal(error.path, path);
    return error.reason;
  }
  assert.fail('expected an InvalidInputError');
}

test('decodes UTF-8, dropping a byte order mark and normalizing line endings', () => {
  assert.equal(decodeText(utf8('\uFEFFcafé\r\nsecond\rthird'), 'a.txt'), 'café\nsecond\nthird');
});

test('decodes UTF-16 when a byte order mark says so', () => {
  const little = new Uint8Array([0xff, 0xfe, ...Buffer.from('héllo', 'utf16le')]);
  const big = new Uint8Array([0xfe, 0xff, ...Buffer.from('héllo', 'utf16le').swap16()]);
  assert.equal(decodeText(little, 'a.txt'), 'héllo');
  assert.equal(decodeText(big, 'a.txt'), 'héllo');
});

test('invalid UTF-8 names the byte offset and the fix', () => {
  const bytes = new Uint8Array([...utf8('price: 10'), 0xe9, ...utf8(' euros')]);
  assert.equal(reasonFor(bytes, 'a.txt'), 'invalid UTF-8 at byte 9; re-save the file as UTF-8');
});

test('binary content in a text file is refused as binary', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
  assert.equal(reasonFor(png), 'looks binary, not text (.md expected text)');
  const controls = new Uint8Array(200).map((_, index) => (index % 3 === 0 ? 0x01 : 0x41));
  assert.equal(reasonFor(controls), 'looks binary, not text (.md expected text)');
});

test('empty and whitespace-only files are refused', () => {
  assert.equal(reasonFor(new Uint8Array()), 'empty file');
  assert.equal(reasonFor(utf8(' \n\t\r\n ')), 'empty file');
  assert.equal(reasonFor(new Uint8Array([0xef, 0xbb, 0xbf])), 'empty file');
});
