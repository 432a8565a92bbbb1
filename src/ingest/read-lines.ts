import { createReadStream } from 'node:fs';
import { formatSize } from './format-size.ts';

/** One line of a file, or why it could not be read; `lineNumber` is 1-based. */
export type FileLine = { lineNumber: number; text: string } | { lineNumber: number; problem: string };

/**
 * Streams the lines of a UTF-8 file without holding more than one line in memory. A line longer
 * than `maxLineBytes` is not kept: it is reported as a problem and reading goes on, as it does
 * for a line that is not valid UTF-8. `\r\n` endings are accepted. Throws file-system errors.
 */
export async function* readLines(
  filePath: string,
  options: { maxLineBytes: number },
): AsyncGenerator<FileLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let parts: Uint8Array[] = [];
  let size = 0;
  let lineNumber = 0;

  const append = (piece: Uint8Array) => {
    size += piece.length;
    // Past the limit the line is only counted, so one huge line cannot exhaust memory.
    if (size > options.maxLineBytes) parts = [];
    else if (piece.length > 0) parts.push(piece);
  };
  const finish = (): FileLine => {
    lineNumber++;
    const line = parts;
    const lineSize = size;
    parts = [];
    size = 0;
    if (lineSize > options.maxLineBytes) {
      const limit = formatSize(options.maxLineBytes, { trimZero: true });
      return {
        lineNumber,
        problem: `line is ${formatSize(lineSize)}, over the ${limit} limit for one record`,
      };
    }
    try {
      return { lineNumber, text: decoder.decode(Buffer.concat(line)).replace(/\r$/, '') };
    } catch {
      return { lineNumber, problem: 'invalid UTF-8; re-save the file as UTF-8' };
    }
  };

  for await (const chunk of createReadStream(filePath) as AsyncIterable<Buffer>) {
    let start = 0;
    while (start <= chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) {
        append(chunk.subarray(start));
        break;
      }
      append(chunk.subarray(start, newline));
      yield finish();
      start = newline + 1;
    }
  }
  if (size > 0) yield finish();
}
