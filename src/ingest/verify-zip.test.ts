import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../spec/index.ts';
import { makeTinyDocx, makeZip } from './__fixtures__/make-bombs.ts';
import { verifyZip } from './verify-zip.ts';

const LIMITS = { maxUnpackedBytes: 1024 * 1024 };

test('a verified archive keeps every entry, with the sizes found by inflating', async () => {
  const bytes = makeZip([
    { name: 'a.xml', content: Buffer.from('<a>one</a>') },
    { name: 'b.txt', content: Buffer.from('two'.repeat(100)) },
  ]);
  const verified = Buffer.from(await verifyZip(bytes, 'x.docx', LIMITS));
  // Central directory entries of the rewritten archive: names and uncompressed sizes.
  const end = verified.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = verified.readUInt32LE(end + 16);
  const entries: [string, number][] = [];
  for (let index = 0; index < verified.readUInt16LE(end + 10); index++) {
    const nameLength = verified.readUInt16LE(at + 28);
    entries.push([
      verified.subarray(at + 46, at + 46 + nameLength).toString(),
      verified.readUInt32LE(at + 24),
    ]);
    at += 46 + nameLength;
  }
  assert.deepEqual(entries, [
    ['a.xml', 10],
    ['b.txt', 300],
  ]);
});

test('XML past the tag cap, too many bytes or a non-zip are refused naming the file', async () => {
  await assert.rejects(
    verifyZip(makeTinyDocx('hello'), 'tags.docx', { ...LIMITS, maxXmlTags: 10 }),
    (error) => {
      assert.ok(error instanceof InvalidInputError);
      assert.match(error.message, /^tags\.docx: word\/document\.xml takes the document past 10 XML tags/);
      return true;
    },
  );
  const large = makeZip([{ name: 'big.bin', content: Buffer.alloc(2 * 1024 * 1024, 1) }]);
  await assert.rejects(verifyZip(large, 'big.docx', LIMITS), {
    message:
      'big.docx: big.bin inflates past the 1 MB unpacked limit (possible zip bomb); raise --max-unpacked-mb if you trust the file',
  });
  await assert.rejects(verifyZip(Buffer.from('PK not really'), 'fake.docx', LIMITS), {
    message: 'fake.docx: not a valid DOCX (zip) file',
  });
});

test('an archive with more entries than the entry limit is refused before any is inflated', async () => {
  const entries = Array.from({ length: 10_001 }, (_, index) => ({
    name: `part${index}.bin`,
    content: Buffer.from('x'),
  }));
  await assert.rejects(verifyZip(makeZip(entries), 'many.docx', LIMITS), {
    message: 'many.docx: holds 10001 entries, over the 10000 entry limit',
  });
});
