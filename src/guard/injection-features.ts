import { collapseLetterSpacing, normalizeText } from './decode-views.ts';

/** Number of hash buckets of the injection classifier's feature space (2^18). */
export const FEATURE_BUCKETS = 1 << 18;

// Digits and symbols that stand in for letters inside words ("1gn0r3", "pr@mpt", "in$tructions").
const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
};
const LEET_WORD = /[\p{L}0-9@$]+/gu;
const LEET_CHAR = /[013457@$]/g;
const COMBINING_MARKS = /\p{M}+/gu;
const TOKEN = /[\p{L}\p{N}]+/gu;
// Text between double quotes, typographic quotes, guillemets or backticks: a quoted phrase.
const QUOTED =
  /"[^"\n]{1,300}"|\u201c[^\u201d\n]{1,300}\u201d|\u201e[^\u201c\u201d\n]{1,300}[\u201c\u201d]|\u00ab[^\u00bb\n]{1,300}\u00bb|`[^`\n]{1,300}`/g;

/**
 * The reading the classifier sees: NFKC, look-alike letters folded, lower case, accents
 * stripped, digits and symbols inside words read as letters, and s p a c e d letters joined.
 */
export function classifierText(text: string): string {
  const folded = normalizeText(text).normalize('NFD').replace(COMBINING_MARKS, '').normalize('NFC');
  const unleet = folded.replace(LEET_WORD, (word) =>
    // Only words of two letters or more whose digits all stand for letters: "2024", "v1" and
    // "es2022" stay.
    /[013457@$]/.test(word) && !/[2689]/.test(word) && (word.match(/\p{L}/gu)?.length ?? 0) >= 2
      ? word.replace(LEET_CHAR, (c) => LEET[c] ?? c)
      : word,
  );
  return collapseLetterSpacing(unleet);
}

/** FNV-1a over a string's UTF-16 code units, seeded, as a bucket index. */
function bucket(seed: number, text: string): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0) & (FEATURE_BUCKETS - 1);
}

/** {@link bucket} of `text.slice(start, start + n)`, without making the slice. */
function bucketAt(seed: number, text: string, start: number, n: number): number {
  let hash = seed;
  for (let i = start; i < start + n; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0) & (FEATURE_BUCKETS - 1);
}

const SEED_WORD = 0x811c9dc5;
const SEED_BIGRAM = 0x2545f491;
const SEED_CHAR = 0x9e3779b1;
const SEED_QUOTED = 0x7f4a7c15;

/**
 * Feature counts of the text being read, in one table reused by every call (scoring runs on the
 * main thread for every question and passage; a Map per call was most of its cost). Buckets are
 * listed in the order first seen, as a Map would iterate them, so the sums are the same.
 */
class FeatureCounts {
  readonly #counts = new Int32Array(FEATURE_BUCKETS);
  #seen = new Int32Array(1024);
  #size = 0;

  add(index: number): void {
    if (this.#counts[index] === 0) {
      if (this.#size === this.#seen.length) {
        const grown = new Int32Array(this.#seen.length * 2);
        grown.set(this.#seen);
        this.#seen = grown;
      }
      this.#seen[this.#size++] = index;
    }
    this.#counts[index] = (this.#counts[index] as number) + 1;
  }

  /** The counts as parallel arrays, log-scaled and L2-normalised; empties the table. */
  take(): { indices: Int32Array; values: Float32Array } {
    const indices = this.#seen.slice(0, this.#size);
    const values = new Float32Array(this.#size);
    let norm = 0;
    for (let k = 0; k < this.#size; k++) {
      const index = indices[k] as number;
      const value = Math.log1p(this.#counts[index] as number);
      this.#counts[index] = 0;
      values[k] = value;
      norm += value * value;
    }
    this.#size = 0;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) * scale;
    return { indices, values };
  }
}

const counts = new FeatureCounts();

/**
 * Hashed features of one text: word unigrams and bigrams and character 3- to 5-grams of the
 * classifier reading, log-scaled counts, L2-normalised. Words inside quotation marks go to their
 * own features (a quoted phrase is a mention until the text around it says otherwise), and give
 * no character n-grams. Returns parallel arrays of bucket indices and values.
 */
export function injectionFeatures(text: string): { indices: Int32Array; values: Float32Array } {
  const reading = classifierText(text);
  const outside = reading.replace(QUOTED, ' \u0000 ');
  for (const match of reading.matchAll(QUOTED)) {
    for (const token of match[0].match(TOKEN) ?? []) counts.add(bucket(SEED_QUOTED, token));
  }
  const segments = outside.split('\u0000');
  for (const segment of segments) {
    const tokens = segment.match(TOKEN) ?? [];
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as string;
      counts.add(bucket(SEED_WORD, token));
      if (i > 0) counts.add(bucket(SEED_BIGRAM, `${tokens[i - 1]} ${token}`));
    }
    const joined = ` ${tokens.join(' ')} `;
    for (let n = 3; n <= 5; n++) {
      for (let i = 0; i + n <= joined.length; i++) counts.add(bucketAt(SEED_CHAR + n, joined, i, n));
    }
  }
  if (reading !== outside) counts.add(bucket(SEED_QUOTED, '\u0000has-quote'));
  return counts.take();
}

// Sentence ends, line breaks and list items: where one order ends and the next may start.
const SEGMENT_BREAK = /(?<=[.!?])\s+|\n+|\|/;
const MAX_SEGMENT = 600;

/**
 * The pieces a text is scored in: the whole text when it is short, else each sentence and each
 * pair of neighbouring sentences, cut at 600 characters. A planted order in a long document is
 * scored on its own sentence instead of being averaged away.
 */
export function scoringSegments(text: string): string[] {
  const sentences = mergeShort(
    text
      .split(SEGMENT_BREAK)
      .filter((s) => /\p{L}{2}/u.test(s))
      .flatMap((s) => cut(s)),
  );
  if (text.length <= MAX_SEGMENT) return sentences.length <= 1 ? [text] : [text, ...sentences];
  const segments: string[] = [];
  for (let i = 0; i < sentences.length; i++) {
    const sentence = sentences[i] as string;
    segments.push(sentence);
    const next = sentences[i + 1];
    if (next !== undefined && sentence.length + next.length < MAX_SEGMENT)
      segments.push(`${sentence} ${next}`);
  }
  return segments;
}

// Fewer words than this give too few features for a score to mean much: "## Example" alone.
const MIN_WORDS = 6;

/** Joins each sentence of fewer than six words to the one after it. */
function mergeShort(sentences: string[]): string[] {
  const merged: string[] = [];
  let pending = '';
  for (const sentence of sentences) {
    pending = pending === '' ? sentence : `${pending} ${sentence}`;
    if ((pending.match(/\p{L}+/gu)?.length ?? 0) >= MIN_WORDS) {
      merged.push(pending);
      pending = '';
    }
  }
  if (pending !== '') merged.push(pending);
  return merged;
}

function cut(sentence: string): string[] {
  if (sentence.length <= MAX_SEGMENT) return [sentence];
  const pieces: string[] = [];
  for (let i = 0; i < sentence.length; i += MAX_SEGMENT) pieces.push(sentence.slice(i, i + MAX_SEGMENT));
  return pieces;
}
