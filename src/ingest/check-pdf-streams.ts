import { InvalidInputError } from '../spec/index.ts';
import { unpackedLimitError } from './extraction-limits.ts';
import { decodeFilter, type ExpandingFilter, expandingFilter } from './pdf-stream-decoders.ts';

const WHITESPACE_OR_COMMENT = String.raw`(?:\s|%[^\r\n]*[\r\n])*`;
const FILTER_VALUE = new RegExp(
  String.raw`/(?:Filter|F)${WHITESPACE_OR_COMMENT}(\[[^\]]*\]|/[^\s/[\]<>(){}%]+)`,
  'g',
);
const INDIRECT_FILTER = new RegExp(
  String.raw`/Filter${WHITESPACE_OR_COMMENT}(?:\d+\s+\d+\s+R|\[[^\]]*\bR\b)`,
);
const LAST_DIRECT_LENGTH = /[\s\S]*\/Length\s+(\d+)(?!\d)(?!\s+\d+\s+R)/;
const LAST_OBJECT_HEADER = /[\s\S]*\b(\d+)\s+\d+\s+obj\b/;
const NAME = /\/([^\s/[\]<>(){}%]+)/g;
const STREAM = Buffer.from('stream');
const END_STREAM = Buffer.from('endstream');
// How far before `stream` the dictionary is read for /Length and the object number.
const DICTIONARY_WINDOW = 4096;

/**
 * Decodes every stream of a PDF with the output capped before pdf.js sees the file, so a small
 * PDF whose streams decode to gigabytes fails at `maxUnpackedBytes` instead of exhausting memory.
 * Which filters a stream uses is not trusted to a parse of its dictionary: every filter chain
 * named anywhere in the file (FlateDecode always included) is tried on every stream, and the
 * largest result counts, so a crafted dictionary cannot hide an expansion. Flate input runs to
 * the end of the file (inflation stops at the stream's own end), so a lying /Length cannot hide
 * data either. Image-only filters (DCT, JPX, JBIG2, CCITT) end a chain: text extraction never
 * decodes pixels. Throws {@link InvalidInputError} naming `path` past the limit, or when a
 * stream's /Filter is an indirect reference that cannot be checked.
 */
export async function checkPdfStreams(
  bytes: Uint8Array,
  path: string,
  maxUnpackedBytes: number,
): Promise<void> {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = view.toString('latin1');
  if (INDIRECT_FILTER.test(text)) {
    throw new InvalidInputError(
      path,
      'a stream /Filter is an indirect reference, so its decoded size cannot be checked; re-save the PDF (print to PDF) and try again',
    );
  }
  const chains = filterChains(text);
  let unpacked = 0;
  for (let keyword = view.indexOf(STREAM); keyword !== -1; keyword = view.indexOf(STREAM, keyword + 1)) {
    if (keyword >= 3 && text.startsWith('end', keyword - 3)) continue;
    const dataStart = afterLineEnd(view, keyword + STREAM.length);
    if (dataStart === -1) continue;
    const dictionary = text.slice(Math.max(0, keyword - DICTIONARY_WINDOW), keyword);
    const nextEnd = view.indexOf(END_STREAM, dataStart);
    const declaredLength = Number(LAST_DIRECT_LENGTH.exec(dictionary)?.[1] ?? 0);
    const dataEnd = Math.min(
      view.length,
      Math.max(nextEnd === -1 ? view.length : nextEnd, dataStart + declaredLength),
    );
    let largest = 0;
    for (const chain of chains) {
      const budget = maxUnpackedBytes - unpacked;
      const cost = await chainCost(
        chain,
        view.subarray(dataStart),
        view.subarray(dataStart, dataEnd),
        budget,
      );
      if (cost > budget) {
        const object = LAST_OBJECT_HEADER.exec(dictionary)?.[1];
        const what =
          unpacked < maxUnpackedBytes / 2
            ? `a stream${object === undefined ? '' : ` (object ${object})`} decodes`
            : `its streams decode in total${object === undefined ? '' : ` (at object ${object})`}`;
        throw unpackedLimitError(path, what, maxUnpackedBytes);
      }
      largest = Math.max(largest, cost);
    }
    unpacked += largest;
  }
}

// Every distinct chain of expanding filters the file names, cut at the first image filter.
function filterChains(text: string): ExpandingFilter[][] {
  const chains = new Map<string, ExpandingFilter[]>([['FlateDecode', ['FlateDecode']]]);
  for (const match of text.matchAll(FILTER_VALUE)) {
    const chain: ExpandingFilter[] = [];
    for (const [, raw] of (match[1] ?? '').matchAll(NAME)) {
      const filter = expandingFilter(decodeName(raw ?? ''));
      if (filter === undefined) break;
      chain.push(filter);
    }
    if (chain.length > 0) chains.set(chain.join(' '), chain);
  }
  return [...chains.values()];
}

// Names may spell characters as #xx (`/Fl#61teDecode`); pdf.js reads them as the plain name.
function decodeName(raw: string): string {
  return raw.replace(/#([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

// pdf.js starts a stream's data after the first line end that follows the keyword.
function afterLineEnd(view: Buffer, from: number): number {
  for (let at = from; at < Math.min(view.length, from + 256); at++) {
    const byte = view[at];
    if (byte === 0x0a) return at + 1;
    if (byte === 0x0d) return view[at + 1] === 0x0a ? at + 2 : at + 1;
  }
  return -1;
}

// Bytes held by decoding through `chain`: each stage's output counts, as pdf.js holds each.
async function chainCost(
  chain: ExpandingFilter[],
  restOfFile: Uint8Array,
  streamData: Uint8Array,
  budget: number,
): Promise<number> {
  let input = chain[0] === 'FlateDecode' ? restOfFile : streamData;
  let cost = 0;
  for (const [index, filter] of chain.entries()) {
    const keep = index < chain.length - 1;
    const outcome = await decodeFilter(filter, input, budget - cost, keep);
    cost += outcome.size;
    if (outcome.overLimit || outcome.output === undefined) return cost;
    input = outcome.output;
  }
  return cost;
}
