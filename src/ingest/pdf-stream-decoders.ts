import { boundedInflate } from './bounded-inflate.ts';

/** The PDF filters that can expand data, under their full names. */
export type ExpandingFilter =
  | 'FlateDecode'
  | 'LZWDecode'
  | 'RunLengthDecode'
  | 'ASCIIHexDecode'
  | 'ASCII85Decode';

/** What a bounded decode produced. */
export interface DecodeOutcome {
  size: number;
  overLimit: boolean;
  output?: Uint8Array;
}

const ABBREVIATIONS: Readonly<Record<string, ExpandingFilter>> = {
  FlateDecode: 'FlateDecode',
  Fl: 'FlateDecode',
  LZWDecode: 'LZWDecode',
  LZW: 'LZWDecode',
  RunLengthDecode: 'RunLengthDecode',
  RL: 'RunLengthDecode',
  ASCIIHexDecode: 'ASCIIHexDecode',
  AHx: 'ASCIIHexDecode',
  ASCII85Decode: 'ASCII85Decode',
  A85: 'ASCII85Decode',
};

/** The expanding filter a PDF filter name stands for, or undefined (image codecs, unknown names). */
export function expandingFilter(name: string): ExpandingFilter | undefined {
  return ABBREVIATIONS[name];
}

/**
 * Decodes `input` through one filter, stopping once the output passes `maxOutputBytes`. Every
 * decoder ends at its own end-of-data marker or at the first byte it cannot decode, so it can be
 * handed more input than the stream holds.
 */
export async function decodeFilter(
  filter: ExpandingFilter,
  input: Uint8Array,
  maxOutputBytes: number,
  keepOutput: boolean,
): Promise<DecodeOutcome> {
  if (filter === 'FlateDecode') {
    // pdf.js refuses a bad zlib header too, and most streams tried here are not Flate at all.
    if (!hasZlibHeader(input)) return { size: 0, overLimit: false, output: new Uint8Array(0) };
    const outcome = await boundedInflate(input, { format: 'zlib', maxOutputBytes, keepOutput });
    return outcome.output === undefined
      ? { size: outcome.size, overLimit: outcome.overLimit }
      : { size: outcome.size, overLimit: outcome.overLimit, output: outcome.output };
  }
  const sink = new Sink(maxOutputBytes, keepOutput);
  if (filter === 'LZWDecode') decodeLzw(input, sink);
  else if (filter === 'RunLengthDecode') decodeRunLength(input, sink);
  else if (filter === 'ASCIIHexDecode') decodeAsciiHex(input, sink);
  else decodeAscii85(input, sink);
  return sink.outcome();
}

function hasZlibHeader(input: Uint8Array): boolean {
  const method = input[0] ?? 0;
  const flags = input[1] ?? 0;
  return (method & 0x0f) === 8 && (method * 256 + flags) % 31 === 0 && (flags & 0x20) === 0;
}

class Sink {
  size = 0;
  overLimit = false;
  private readonly chunks: Uint8Array[] = [];
  private buffer: Uint8Array;
  private used = 0;

  constructor(
    private readonly maxOutputBytes: number,
    private readonly keepOutput: boolean,
  ) {
    this.buffer = new Uint8Array(keepOutput ? 65536 : 0);
  }

  /** Adds one byte; false once past the limit. */
  push(byte: number): boolean {
    if (++this.size > this.maxOutputBytes) {
      this.overLimit = true;
      return false;
    }
    if (this.keepOutput) {
      if (this.used === this.buffer.length) this.flush();
      this.buffer[this.used++] = byte;
    }
    return true;
  }

  private flush(): void {
    this.chunks.push(this.buffer.subarray(0, this.used));
    this.buffer = new Uint8Array(65536);
    this.used = 0;
  }

  outcome(): DecodeOutcome {
    if (!this.keepOutput || this.overLimit) return { size: this.size, overLimit: this.overLimit };
    this.flush();
    return { size: this.size, overLimit: false, output: Buffer.concat(this.chunks) };
  }
}

// PDF LZW: MSB-first codes of 9 to 12 bits, 256 clears the table, 257 ends; EarlyChange 1.
function decodeLzw(input: Uint8Array, sink: Sink): void {
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  const lengths = new Int32Array(4096);
  for (let code = 0; code < 256; code++) {
    suffix[code] = code;
    lengths[code] = 1;
  }
  const scratch = new Uint8Array(4096);
  let nextCode = 258;
  let codeLength = 9;
  let previous = -1;
  let bits = 0;
  let bitCount = 0;
  let at = 0;
  for (;;) {
    while (bitCount < codeLength && at < input.length) {
      bits = ((bits << 8) | (input[at++] ?? 0)) >>> 0;
      bitCount += 8;
    }
    if (bitCount < codeLength) return;
    bitCount -= codeLength;
    const code = (bits >>> bitCount) & ((1 << codeLength) - 1);
    bits &= (1 << bitCount) - 1;
    if (code === 256) {
      nextCode = 258;
      codeLength = 9;
      previous = -1;
      continue;
    }
    if (code === 257) return;
    let length: number;
    let first: number;
    if (code < 256 || (code >= 258 && code < nextCode)) {
      length = lengths[code] ?? 1;
      let walk = code;
      for (let index = length - 1; index >= 0; index--) {
        scratch[index] = suffix[walk] ?? 0;
        walk = prefix[walk] ?? 0;
      }
      first = scratch[0] ?? 0;
    } else if (code === nextCode && previous !== -1) {
      const previousLength = lengths[previous] ?? 1;
      let walk = previous;
      for (let index = previousLength - 1; index >= 0; index--) {
        scratch[index] = suffix[walk] ?? 0;
        walk = prefix[walk] ?? 0;
      }
      first = scratch[0] ?? 0;
      scratch[previousLength] = first;
      length = previousLength + 1;
    } else {
      return;
    }
    for (let index = 0; index < length; index++) if (!sink.push(scratch[index] ?? 0)) return;
    if (previous !== -1 && nextCode < 4096) {
      prefix[nextCode] = previous;
      suffix[nextCode] = first;
      lengths[nextCode] = (lengths[previous] ?? 1) + 1;
      nextCode++;
    }
    if (nextCode + 1 >= 1 << codeLength && codeLength < 12) codeLength++;
    previous = code;
  }
}

function decodeRunLength(input: Uint8Array, sink: Sink): void {
  let at = 0;
  while (at < input.length) {
    const length = input[at++] ?? 128;
    if (length === 128) return;
    if (length < 128) {
      for (let count = 0; count <= length && at < input.length; count++)
        if (!sink.push(input[at++] ?? 0)) return;
    } else {
      if (at >= input.length) return;
      const byte = input[at++] ?? 0;
      for (let count = 0; count < 257 - length; count++) if (!sink.push(byte)) return;
    }
  }
}

function decodeAsciiHex(input: Uint8Array, sink: Sink): void {
  let high = -1;
  for (const char of input) {
    if (char === 0x3e) break;
    const digit = hexDigit(char);
    if (digit === -1) continue;
    if (high === -1) high = digit;
    else {
      if (!sink.push((high << 4) | digit)) return;
      high = -1;
    }
  }
  if (high !== -1) sink.push(high << 4);
}

function hexDigit(char: number): number {
  if (char >= 0x30 && char <= 0x39) return char - 0x30;
  if (char >= 0x41 && char <= 0x46) return char - 0x37;
  if (char >= 0x61 && char <= 0x66) return char - 0x57;
  return -1;
}

function decodeAscii85(input: Uint8Array, sink: Sink): void {
  const group: number[] = [];
  const emit = (count: number): boolean => {
    let value = 0;
    for (let index = 0; index < 5; index++) value = value * 85 + ((group[index] ?? 0x75) - 0x21);
    for (let index = 0; index < count; index++) {
      if (!sink.push(Math.floor(value / 256 ** (3 - index)) & 0xff)) return false;
    }
    return true;
  };
  for (const char of input) {
    if (char === 0x7e) break;
    if (char === 0x20 || (char >= 0x09 && char <= 0x0d) || char === 0x00) continue;
    if (char === 0x7a && group.length === 0) {
      for (let index = 0; index < 4; index++) if (!sink.push(0)) return;
      continue;
    }
    if (char < 0x21 || char > 0x75) return;
    group.push(char);
    if (group.length === 5) {
      if (!emit(4)) return;
      group.length = 0;
    }
  }
  if (group.length > 1) emit(group.length - 1);
}
