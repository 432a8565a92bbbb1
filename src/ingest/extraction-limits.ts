import { InvalidInputError } from '../spec/index.ts';
import { formatSize } from './format-size.ts';

/**
 * Bounds on what one file may expand to while it is loaded, so a small hostile file (a zip
 * bomb, a PDF with a huge compressed stream) fails alone instead of exhausting memory.
 */
export interface ExtractionLimits {
  /**
   * Most bytes a compressed file may inflate to: every entry of a DOCX (zip) together, and the
   * decoded streams of a PDF. @default 64 MiB
   */
  maxUnpackedBytes?: number;
  /** Most text extracted from one file, counted in characters. @default 16 Mi */
  maxTextBytes?: number;
}

/** Largest total a compressed file may inflate to by default: 64 MiB. */
export const DEFAULT_MAX_UNPACKED_BYTES = 64 * 1024 * 1024;

/** Most text extracted from one file by default: 16 Mi characters (about 3,000 pages). */
export const DEFAULT_MAX_TEXT_BYTES = 16 * 1024 * 1024;

/** The limits with their defaults filled in. */
export function resolveLimits(limits: ExtractionLimits | undefined): Required<ExtractionLimits> {
  return {
    maxUnpackedBytes: limits?.maxUnpackedBytes ?? DEFAULT_MAX_UNPACKED_BYTES,
    maxTextBytes: limits?.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES,
  };
}

/** The error for a part of `path` that inflates past the unpacked limit, naming the option to raise. */
export function unpackedLimitError(path: string, what: string, maxUnpackedBytes: number): InvalidInputError {
  const limit = formatSize(maxUnpackedBytes, { trimZero: true });
  return new InvalidInputError(
    path,
    `${what} past the ${limit} unpacked limit (possible zip bomb); raise --max-unpacked-mb if you trust the file`,
  );
}

/**
 * Throws {@link InvalidInputError} when `length` characters of text pass the text limit;
 * `where` (such as `at page 12`) helps find the spot.
 */
export function checkTextLength(path: string, length: number, maxTextBytes: number, where = ''): void {
  if (length <= maxTextBytes) return;
  const limit = formatSize(maxTextBytes, { trimZero: true });
  const suffix = where === '' ? '' : ` ${where}`;
  throw new InvalidInputError(
    path,
    `extracted text passes the ${limit} text limit${suffix}; split the file or raise --max-text-mb`,
  );
}
