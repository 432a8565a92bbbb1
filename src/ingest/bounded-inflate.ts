import zlib from 'node:zlib';

/** What {@link boundedInflate} found. */
export interface InflateOutcome {
  /** Bytes the data inflated to, counted up to just past `maxOutputBytes`. */
  size: number;
  /** The output went past `maxOutputBytes`; inflation stopped there. */
  overLimit: boolean;
  /** The data was not a well-formed deflate stream (the bytes before the fault are counted). */
  corrupt: boolean;
  /** The inflated bytes when `keepOutput` was set and the limit held. */
  output?: Uint8Array;
}

/** Options of {@link boundedInflate}. */
export interface BoundedInflateOptions {
  /** `zlib` for a stream with the two-byte zlib header (PDF), `raw` for bare deflate (zip). */
  format: 'zlib' | 'raw';
  /** Output past which inflation stops. */
  maxOutputBytes: number;
  /** Keep and return the output (at most `maxOutputBytes` is ever held). @default false */
  keepOutput?: boolean;
  /** Sees each piece of output as it is produced (for counting), before the limit is checked. */
  onData?: (chunk: Uint8Array) => void;
}

const INPUT_SLICE = 64 * 1024;

/**
 * Inflates `input` in slices and stops as soon as the output passes `maxOutputBytes`, so a
 * zip or PDF bomb costs at most that much memory and the matching CPU time. Never throws:
 * corrupt data and trailing bytes after the end of the deflate stream end the count. Because
 * inflating a prefix yields a prefix of the output, the count bounds what any other inflater
 * can get from a prefix of `input`.
 */
export async function boundedInflate(
  input: Uint8Array,
  options: BoundedInflateOptions,
): Promise<InflateOutcome> {
  const { maxOutputBytes, keepOutput = false } = options;
  // Sync flush at the end accepts a truncated stream, as lenient parsers (pako, pdf.js) do.
  const settings = { finishFlush: zlib.constants.Z_SYNC_FLUSH, chunkSize: INPUT_SLICE };
  const inflater = options.format === 'zlib' ? zlib.createInflate(settings) : zlib.createInflateRaw(settings);
  const chunks: Buffer[] = [];
  let size = 0;
  let overLimit = false;
  let corrupt = false;
  inflater.on('data', (chunk: Buffer) => {
    options.onData?.(chunk);
    size += chunk.length;
    if (size > maxOutputBytes) {
      overLimit = true;
      chunks.length = 0;
      inflater.destroy();
    } else if (keepOutput) chunks.push(chunk);
  });
  const finished = new Promise<void>((resolve) => {
    inflater.on('error', () => {
      if (!overLimit) corrupt = true;
      resolve();
    });
    inflater.on('close', () => resolve());
    inflater.on('end', () => resolve());
  });

  let fed = 0;
  while (fed < input.length && !inflater.destroyed) {
    const slice = input.subarray(fed, fed + INPUT_SLICE);
    fed += slice.length;
    // A stream destroyed mid-write (over the limit, corrupt) may never call back; `finished` settles.
    const accepted = await Promise.race([
      new Promise<boolean>((resolve) => inflater.write(slice, (error) => resolve(error == null))),
      finished.then(() => false),
    ]);
    // Past the end of the deflate stream zlib consumes nothing more: the rest is not deflate data.
    if (!accepted || inflater.bytesWritten < fed) break;
  }
  if (!inflater.destroyed) inflater.end();
  await finished;
  const outcome: InflateOutcome = { size, overLimit, corrupt };
  if (keepOutput && !overLimit) outcome.output = Buffer.concat(chunks);
  return outcome;
}
