import { InvalidInputError } from '../spec/index.ts';
import { boundedInflate } from './bounded-inflate.ts';
import { unpackedLimitError } from './extraction-limits.ts';
import { formatSize } from './format-size.ts';

/** Options of {@link verifyZip}. */
export interface VerifyZipOptions {
  /** Most bytes all entries together may inflate to. */
  maxUnpackedBytes: number;
  /**
   * Most `<` characters (about two per XML element) in `.xml` and `.rels` entries together.
   * @default one per {@link UNPACKED_BYTES_PER_XML_TAG} bytes of `maxUnpackedBytes` (1,048,576 at 64 MiB)
   */
  maxXmlTags?: number;
}

/** Most entries a zip may hold: a large DOCX has a few hundred. */
export const MAX_ZIP_ENTRIES = 10_000;
/**
 * Unpacked bytes allowed per XML tag. The DOCX parser holds a DOM of about 1 KB a tag (measured:
 * 1,000,000 tags peaked near 1.2 GB), so tags, not bytes, bound its memory; a typical document
 * has one tag per 25-30 bytes, so the cap only bites on markup far denser than real documents.
 */
export const UNPACKED_BYTES_PER_XML_TAG = 64;
// Deflate tops out near 1032:1; text XML rarely passes 100:1, so 400:1 on a sizeable entry is a bomb.
const MAX_RATIO = 400;
const RATIO_CHECK_FROM = 1024 * 1024;

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const LESS_THAN = 0x3c;

interface VerifiedEntry {
  name: Uint8Array;
  flags: number;
  method: number;
  crc: number;
  data: Uint8Array;
  size: number;
}

/**
 * Inflates every entry of the zip in `bytes` for real, with the output capped, and returns a
 * new archive holding exactly those entries with their true sizes, so the zip library that
 * reads it next can neither be lied to by header sizes nor find data this check did not see.
 * Throws {@link InvalidInputError} naming `path` (and the entry) when the archive is malformed,
 * encrypted, ZIP64, holds too many entries, or inflates past `maxUnpackedBytes` or the XML tag cap.
 */
export async function verifyZip(
  bytes: Uint8Array,
  path: string,
  options: VerifyZipOptions,
): Promise<Uint8Array> {
  const maxXmlTags = options.maxXmlTags ?? Math.floor(options.maxUnpackedBytes / UNPACKED_BYTES_PER_XML_TAG);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const invalid = (detail: string) => new InvalidInputError(path, `not a valid DOCX (zip) file: ${detail}`);
  const end = findEndOfDirectory(view);
  if (end === -1) throw new InvalidInputError(path, 'not a valid DOCX (zip) file');
  const entryCount = view.readUInt16LE(end + 10);
  const directoryOffset = view.readUInt32LE(end + 16);
  if (entryCount === 0xffff || directoryOffset === 0xffffffff)
    throw invalid('ZIP64 archives are not supported');
  if (entryCount > MAX_ZIP_ENTRIES) {
    throw new InvalidInputError(path, `holds ${entryCount} entries, over the ${MAX_ZIP_ENTRIES} entry limit`);
  }

  const entries: VerifiedEntry[] = [];
  let unpacked = 0;
  let xmlTags = 0;
  let at = directoryOffset;
  for (let index = 0; index < entryCount; index++) {
    if (at + 46 > view.length || view.readUInt32LE(at) !== DIRECTORY_ENTRY)
      throw invalid('broken central directory');
    const flags = view.readUInt16LE(at + 8);
    const method = view.readUInt16LE(at + 10);
    const crc = view.readUInt32LE(at + 16);
    const compressedSize = view.readUInt32LE(at + 20);
    const nameLength = view.readUInt16LE(at + 28);
    const extraLength = view.readUInt16LE(at + 30);
    const commentLength = view.readUInt16LE(at + 32);
    const localOffset = view.readUInt32LE(at + 42);
    const name = view.subarray(at + 46, at + 46 + nameLength);
    const label = name.toString('utf8');
    at += 46 + nameLength + extraLength + commentLength;

    if ((flags & 0x1) !== 0)
      throw new InvalidInputError(path, `${label} is encrypted; save an unprotected copy`);
    if (localOffset + 30 > view.length || view.readUInt32LE(localOffset) !== LOCAL_HEADER) {
      throw invalid(`${label} has no local header`);
    }
    const dataStart =
      localOffset + 30 + view.readUInt16LE(localOffset + 26) + view.readUInt16LE(localOffset + 28);
    if (dataStart + compressedSize > view.length) throw invalid(`${label} runs past the end of the file`);
    const data = view.subarray(dataStart, dataStart + compressedSize);

    const budget = options.maxUnpackedBytes - unpacked;
    const isXml = /\.(xml|rels)$/i.test(label);
    let size: number;
    if (method === 0) {
      size = data.length;
      if (isXml) xmlTags += countByte(data, LESS_THAN);
    } else if (method === 8) {
      const outcome = await boundedInflate(data, {
        format: 'raw',
        maxOutputBytes: budget,
        ...(isXml
          ? {
              onData: (chunk: Uint8Array) => {
                xmlTags += countByte(chunk, LESS_THAN);
              },
            }
          : {}),
      });
      if (outcome.corrupt) throw invalid(`${label} is not valid deflate data`);
      size = outcome.size;
    } else {
      throw invalid(`${label} uses compression method ${method}; only stored and deflate are supported`);
    }
    if (size > budget) {
      // Name the entry when it is the bulk of the overflow, the total when many entries add up.
      const what =
        unpacked < options.maxUnpackedBytes / 2
          ? `${label} inflates`
          : `its entries inflate in total (at ${label})`;
      throw unpackedLimitError(path, what, options.maxUnpackedBytes);
    }
    if (size >= RATIO_CHECK_FROM && size > data.length * MAX_RATIO) {
      const ratio = Math.round(size / Math.max(1, data.length));
      throw new InvalidInputError(
        path,
        `${label} inflates ${ratio}:1 (${formatSize(data.length)} to ${formatSize(size)}), past the ${MAX_RATIO}:1 ratio of a plausible document (possible zip bomb)`,
      );
    }
    if (xmlTags > maxXmlTags) {
      throw new InvalidInputError(
        path,
        `${label} takes the document past ${maxXmlTags.toLocaleString('en-US')} XML tags, more than the DOCX reader parses in bounded memory (one per ${UNPACKED_BYTES_PER_XML_TAG} bytes of the unpacked limit); split the document, save it as PDF or raise --max-unpacked-mb`,
      );
    }
    unpacked += size;
    entries.push({ name, flags, method, crc, data, size });
  }
  return writeZip(entries);
}

// The end record sits in the last 64 KiB (its comment is at most 65535 bytes); searching the whole
// file from the end, as JSZip does, finds the same record.
function findEndOfDirectory(view: Buffer): number {
  const signature = Buffer.alloc(4);
  signature.writeUInt32LE(END_OF_DIRECTORY, 0);
  const at = view.lastIndexOf(signature, view.length - 22);
  return at >= 0 && at + 22 <= view.length ? at : -1;
}

function countByte(bytes: Uint8Array, byte: number): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 0;
  for (let at = buffer.indexOf(byte); at !== -1; at = buffer.indexOf(byte, at + 1)) count++;
  return count;
}

function writeZip(entries: VerifiedEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const directory: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    // Bit 3 (sizes in a trailing descriptor) is dropped: the rewritten headers carry them.
    const flags = entry.flags & ~0x8;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(entry.method, 8);
    local.writeUInt32LE(entry.crc, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(entry.name.length, 26);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(DIRECTORY_ENTRY, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(flags, 8);
    header.writeUInt16LE(entry.method, 10);
    header.writeUInt32LE(entry.crc, 16);
    header.writeUInt32LE(entry.data.length, 20);
    header.writeUInt32LE(entry.size, 24);
    header.writeUInt16LE(entry.name.length, 28);
    header.writeUInt32LE(offset, 42);
    parts.push(local, entry.name, entry.data);
    directory.push(header, entry.name);
    offset += local.length + entry.name.length + entry.data.length;
  }
  const directoryBytes = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_DIRECTORY, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directoryBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directoryBytes, end]);
}
