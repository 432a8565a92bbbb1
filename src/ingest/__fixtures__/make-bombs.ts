import zlib from 'node:zlib';
import { PDFDocument, PDFName, PDFNumber, PDFRawStream, StandardFonts } from 'pdf-lib';

/** One file of a generated zip: stored as given, or deflated. */
export interface ZipEntrySpec {
  name: string;
  /** The entry's uncompressed bytes, or a pre-deflated raw stream with its true size and CRC. */
  content: Uint8Array | { deflated: Uint8Array; size: number; crc: number };
}

/** A zip archive of `entries`, deflated (method 8), with a central directory. */
export function makeZip(entries: ZipEntrySpec[]): Uint8Array {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const { deflated, size, crc } =
      entry.content instanceof Uint8Array
        ? {
            deflated: zlib.deflateRawSync(entry.content),
            size: entry.content.length,
            crc: zlib.crc32(entry.content),
          }
        : entry.content;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x0800, 8);
    header.writeUInt16LE(8, 10);
    header.writeUInt32LE(crc >>> 0, 16);
    header.writeUInt32LE(deflated.length, 20);
    header.writeUInt32LE(size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    parts.push(local, name, Buffer.from(deflated));
    central.push(header, name);
    offset += local.length + name.length + deflated.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

/**
 * A raw deflate stream of `head`, then `unit` repeated `times`, then `tail`, built without ever
 * holding the whole output: `unit` is compressed once with a full flush (so the block stands
 * alone) and the compressed block is repeated. Returns the stream, its inflated size and CRC.
 */
export function deflateRepeated(
  head: string,
  unit: string,
  times: number,
  tail: string,
  format: 'raw' | 'zlib' = 'raw',
): { deflated: Uint8Array; size: number; crc: number } {
  const flush = { finishFlush: zlib.constants.Z_FULL_FLUSH, level: 9 };
  const unitBytes = Buffer.from(unit);
  const headBytes = Buffer.from(head);
  const tailBytes = Buffer.from(tail);
  const block = zlib.deflateRawSync(unitBytes, flush);
  const blocks = [zlib.deflateRawSync(headBytes, flush)];
  for (let index = 0; index < times; index++) blocks.push(block);
  blocks.push(zlib.deflateRawSync(tailBytes));
  let crc = zlib.crc32(headBytes);
  let adler = adler32(headBytes, 1);
  for (let index = 0; index < times; index++) {
    crc = zlib.crc32(unitBytes, crc);
    if (format === 'zlib') adler = adler32(unitBytes, adler);
  }
  crc = zlib.crc32(tailBytes, crc);
  adler = adler32(tailBytes, adler);
  const size = headBytes.length + unitBytes.length * times + tailBytes.length;
  if (format === 'raw') return { deflated: Buffer.concat(blocks), size, crc };
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(adler >>> 0, 0);
  return { deflated: Buffer.concat([Buffer.from([0x78, 0xda]), ...blocks, trailer]), size, crc };
}

function adler32(bytes: Uint8Array, start: number): number {
  let a = start & 0xffff;
  let b = (start >>> 16) & 0xffff;
  for (let index = 0; index < bytes.length; index += 4096) {
    const end = Math.min(index + 4096, bytes.length);
    for (let at = index; at < end; at++) {
      a += bytes[at] ?? 0;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
const RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>';
const DOCUMENT_HEAD =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Bomb</w:t></w:r></w:p>';
const DOCUMENT_TAIL = '</w:body></w:document>';

/**
 * A well-formed DOCX whose `word/document.xml` inflates to about `inflatedMb` MiB of repeated
 * paragraphs while the file stays about a thousandth of that.
 */
export function makeDocxBomb(inflatedMb: number): Uint8Array {
  const paragraph = '<w:p><w:r><w:t>zip bomb paragraph</w:t></w:r></w:p>';
  const unit = paragraph.repeat(Math.ceil(65536 / paragraph.length));
  const times = Math.ceil((inflatedMb * 1024 * 1024) / unit.length);
  return makeZip([
    { name: '[Content_Types].xml', content: Buffer.from(CONTENT_TYPES) },
    { name: '_rels/.rels', content: Buffer.from(RELS) },
    { name: 'word/document.xml', content: deflateRepeated(DOCUMENT_HEAD, unit, times, DOCUMENT_TAIL) },
  ]);
}

/** A small, valid DOCX with one paragraph of `text`, built by {@link makeZip}. */
export function makeTinyDocx(text: string): Uint8Array {
  return makeZip([
    { name: '[Content_Types].xml', content: Buffer.from(CONTENT_TYPES) },
    { name: '_rels/.rels', content: Buffer.from(RELS) },
    {
      name: 'word/document.xml',
      content: Buffer.from(`${DOCUMENT_HEAD}<w:p><w:r><w:t>${text}</w:t></w:r></w:p>${DOCUMENT_TAIL}`),
    },
  ]);
}

/**
 * A one-page PDF whose content stream is a FlateDecode stream inflating to about `inflatedMb`
 * MiB: one line of text, then `fill` repeated (`comments`: PDF comments, drawing nothing;
 * `text`: a show-text operator per line, so the page's text grows with the stream).
 */
export async function makePdfBomb(
  inflatedMb: number,
  fill: 'comments' | 'text' = 'comments',
): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage();
  page.drawText('Bomb', { x: 50, y: 700, size: 12, font });
  const fontName = page.node
    .Resources()
    ?.lookup(PDFName.of('Font'))
    ?.toString()
    .match(/\/(\S+)\s/)?.[1];
  const line =
    fill === 'comments'
      ? '% padding comment that draws nothing at all\n'
      : `BT /${fontName ?? 'F1'} 12 Tf 50 600 Td (zip bomb text line) Tj ET\n`;
  const unit = line.repeat(Math.ceil(65536 / line.length));
  const times = Math.ceil((inflatedMb * 1024 * 1024) / unit.length);
  const head = `BT /${fontName ?? 'F1'} 12 Tf 50 650 Td (Bomb) Tj ET\n`;
  const { deflated } = deflateRepeated(head, unit, times, '', 'zlib');
  const dict = pdf.context.obj({ Filter: 'FlateDecode', Length: PDFNumber.of(deflated.length) });
  const stream = PDFRawStream.of(dict, deflated);
  page.node.set(PDFName.of('Contents'), pdf.context.register(stream));
  return pdf.save({ useObjectStreams: false });
}
