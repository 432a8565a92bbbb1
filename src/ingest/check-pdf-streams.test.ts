import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateRepeated } from './__fixtures__/make-bombs.ts';
import { checkPdfStreams } from './check-pdf-streams.ts';
import { decodeFilter } from './pdf-stream-decoders.ts';

const MIB = 1024 * 1024;
const LIMIT = 8 * MIB;

function pdfWith(dictionary: string, data: Uint8Array | string): Uint8Array {
  return Buffer.concat([
    Buffer.from(`%PDF-1.7\n7 0 obj\n<< ${dictionary} >>\nstream\n`, 'latin1'),
    Buffer.from(data),
    Buffer.from('\nendstream\nendobj\n%%EOF\n', 'latin1'),
  ]);
}

const zlibBomb = () => deflateRepeated('', ' '.repeat(65536), 256, '', 'zlib').deflated; // 16 MiB

test('a Flate stream is decoded to its real end whatever /Length or the filter spelling claim', async () => {
  for (const dictionary of ['/Length 10 /Filter /FlateDecode', '/Filter /Fl#61teDecode', '/Filter [/Fl]']) {
    await assert.rejects(checkPdfStreams(pdfWith(dictionary, zlibBomb()), 'bomb.pdf', LIMIT), {
      message:
        'bomb.pdf: a stream (object 7) decodes past the 8 MB unpacked limit (possible zip bomb); raise --max-unpacked-mb if you trust the file',
    });
  }
});

test('chains and other expanding filters count: ASCIIHex then Flate, and RunLength', async () => {
  const hex = `${Buffer.from(zlibBomb()).toString('hex')}>`;
  await assert.rejects(
    checkPdfStreams(pdfWith('/Filter [/ASCIIHexDecode /FlateDecode]', hex), 'chain.pdf', LIMIT),
    /decodes past the 8 MB unpacked limit/,
  );
  const runs = Buffer.alloc(256 * 1024, Buffer.from([129, 0x61]));
  await assert.rejects(checkPdfStreams(pdfWith('/Filter /RL', runs), 'runs.pdf', LIMIT), /unpacked limit/);
});

test('a stream filter given by reference is refused, a small stream passes', async () => {
  await assert.rejects(
    checkPdfStreams(pdfWith('/Filter 9 0 R', 'x'), 'ref.pdf', LIMIT),
    /indirect reference/,
  );
  const small = deflateRepeated('BT (hi) Tj ET', '', 0, '', 'zlib').deflated;
  await checkPdfStreams(pdfWith('/Filter /FlateDecode', small), 'ok.pdf', LIMIT);
});

test('LZW decodes the example of the PDF reference', async () => {
  const encoded = Uint8Array.from([0x80, 0x0b, 0x60, 0x50, 0x22, 0x0c, 0x0c, 0x85, 0x01]);
  const outcome = await decodeFilter('LZWDecode', encoded, 1024, true);
  assert.equal(Buffer.from(outcome.output ?? []).toString('latin1'), '-----A---B');
});
