import { extname } from 'node:path';
import { InvalidInputError } from '../spec/index.ts';

const SNIFF_LENGTH = 8192;
// Share of control characters above which a "text" file is taken for binary data.
const MAX_CONTROL_SHARE = 0.1;

/**
 * Decodes the bytes of a text-format file (markdown, text, HTML) into a string with `\n` line
 * endings. Strips a UTF-8 byte order mark, honours a UTF-16 LE/BE one, and otherwise requires
 * strict UTF-8. Throws {@link InvalidInputError} naming `path` for binary content, invalid
 * UTF-8 (with the byte offset) and empty or whitespace-only files.
 */
export function decodeText(bytes: Uint8Array, path: string): string {
  if (bytes.length === 0) throw new InvalidInputError(path, 'empty file');
  const text = hasPrefix(bytes, [0xff, 0xfe])
    ? decodeUtf16('utf-16le', bytes.subarray(2), path)
    : hasPrefix(bytes, [0xfe, 0xff])
      ? decodeUtf16('utf-16be', bytes.subarray(2), path)
      : decodeUtf8(bytes, path);
  if (text.trim() === '') throw new InvalidInputError(path, 'empty file');
  return text.replace(/\r\n?/g, '\n');
}

function decodeUtf8(bytes: Uint8Array, path: string): string {
  const bomLength = hasPrefix(bytes, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  const body = bytes.subarray(bomLength);
  if (looksBinary(body.subarray(0, SNIFF_LENGTH))) throw binaryError(path);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch (error) {
    const offset = bomLength + firstInvalidUtf8Byte(body);
    throw new InvalidInputError(path, `invalid UTF-8 at byte ${offset}; re-save the file as UTF-8`, {
      cause: error,
    });
  }
}

function decodeUtf16(encoding: 'utf-16le' | 'utf-16be', bytes: Uint8Array, path: string): string {
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    const label = encoding === 'utf-16le' ? 'UTF-16 LE' : 'UTF-16 BE';
    throw new InvalidInputError(path, `invalid ${label} text; re-save the file as UTF-8`, { cause: error });
  }
  const sample = Array.from(text.slice(0, SNIFF_LENGTH), (char) => char.charCodeAt(0));
  if (looksBinary(sample)) throw binaryError(path);
  return text;
}

function binaryError(path: string): InvalidInputError {
  const extension = extname(path) || 'this extension';
  return new InvalidInputError(path, `looks binary, not text (${extension} expected text)`);
}

function hasPrefix(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}

// NUL never appears in text; other control characters only rarely (tab, newlines, form feed
// and ESC for terminal colours are common, so they do not count).
function looksBinary(codes: ArrayLike<number>): boolean {
  let controls = 0;
  for (let index = 0; index < codes.length; index++) {
    const code = codes[index] ?? 0;
    if (code === 0) return true;
    if (
      (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d && code !== 0x1b) ||
      code === 0x7f
    ) {
      controls++;
    }
  }
  return codes.length > 0 && controls / codes.length > MAX_CONTROL_SHARE;
}

// TextDecoder says only that decoding failed; users need the offset to find the bad bytes.
function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] ?? 0;
    if (lead < 0x80) {
      index++;
      continue;
    }
    const length =
      lead >= 0xc2 && lead <= 0xdf
        ? 2
        : lead >= 0xe0 && lead <= 0xef
          ? 3
          : lead >= 0xf0 && lead <= 0xf4
            ? 4
            : 0;
    if (length === 0) return index;
    // Overlong forms, surrogates and code points past U+10FFFF are ruled out by the second byte.
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    for (let offset = 1; offset < length; offset++) {
      const byte = bytes[index + offset];
      if (byte === undefined) return index;
      const [min, max] = offset === 1 ? [low, high] : [0x80, 0xbf];
      if (byte < min || byte > max) return index;
    }
    index += length;
  }
  return bytes.length;
}
