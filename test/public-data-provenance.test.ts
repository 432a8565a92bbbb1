import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// Public data sets (RGB, SciFact, the Vitest docs...) are read in place from the shared folder,
// never copied into the repository: their licences are not ours, and a copy quietly turns a
// benchmark into a fixture. A run of ten words shared with any of them is a copy, not chance; so is
// a whole question or other short item of a data set (most RGB queries are under ten words).

const root = fileURLToPath(new URL('..', import.meta.url));
const shared = process.env.CAIRN_SHARED_DIR ?? path.resolve(root, '../shared');
const SHINGLE = 10;
/** Fewest words of a short item (a query, a label) whose verbatim quote counts as a copy. */
const MIN_ITEM_WORDS = 3;
const SKIPPED_DATA = /^(README|PUBLISHED)|manifest/i;
const NOT_TEXT = /\.(png|jpe?g|gif|webp|ico|bmp|pdf|docx|xlsx|zip|gz|woff2?|ttf|wasm|db|sqlite)$/i;

/** Each data file of the shared folder: bench-data JSON and JSONL, corpora Markdown. */
function sharedDataFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string, keep: RegExp) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file, keep);
      else if (keep.test(entry.name) && !SKIPPED_DATA.test(entry.name)) files.push(file);
    }
  };
  const benchData = path.join(shared, 'bench-data');
  const corpora = path.join(shared, 'corpora');
  if (fs.existsSync(benchData)) walk(benchData, /\.jsonl?$/);
  if (fs.existsSync(corpora)) walk(corpora, /\.md$/);
  return files;
}

const BACKSLASH = 92;
const isWordChar = (code: number) => (code >= 97 && code <= 122) || (code >= 48 && code <= 57);

/** The 32-bit step of MurmurHash3: mixes one more 32-bit value into `hash`. */
function mix(hash: number, value: number): number {
  let k = Math.imul(value, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  const h = hash ^ k;
  return (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's finaliser, so every bit of the result depends on every bit mixed in. */
function finish(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Calls `visit` with the 64-bit hash (two 32-bit halves) of every run of `SHINGLE` consecutive
 * words (`[a-z0-9]+`) of the lower-cased `text`, and a function that spells that run out; stops
 * when `visit` returns true. A JSON or string escape (`\n`, `\u00e9`) separates words, so a
 * passage reads the same escaped in a JSONL file as in a Markdown one.
 */
function forEachShingle(
  lower: string,
  visit: (high: number, low: number, spell: () => string) => unknown,
): void {
  // A ring of the last SHINGLE words (their bounds and two hashes); the oldest sits at count % SHINGLE.
  const starts = new Int32Array(SHINGLE);
  const ends = new Int32Array(SHINGLE);
  const highs = new Int32Array(SHINGLE);
  const lows = new Int32Array(SHINGLE);
  let count = 0;
  const slot = (w: number) => (count + w) % SHINGLE;
  const spell = () =>
    Array.from({ length: SHINGLE }, (_, w) => lower.slice(starts[slot(w)], ends[slot(w)])).join(' ');
  let i = 0;
  while (i < lower.length) {
    const code = lower.charCodeAt(i);
    if (code === BACKSLASH) {
      const next = lower.charAt(i + 1);
      i += next === 'u' ? 6 : 'nrt'.includes(next) && next !== '' ? 2 : 1;
      continue;
    }
    if (!isWordChar(code)) {
      i++;
      continue;
    }
    // Each word is hashed once (FNV-1a, two lanes); a shingle mixes its ten word hashes.
    const ring = count % SHINGLE;
    starts[ring] = i;
    let high = 0x811c9dc5;
    let low = 0x2545f491;
    while (i < lower.length) {
      const char = lower.charCodeAt(i);
      if (!isWordChar(char)) break;
      high = Math.imul(high ^ char, 0x01000193);
      low = Math.imul(low ^ char, 0x9e3779b1);
      i++;
    }
    ends[ring] = i;
    highs[ring] = high;
    lows[ring] = low;
    count++;
    if (count < SHINGLE) continue;
    // 64 bits: against about three million shingles in the shared data, a false match is
    // vanishingly rare (32 bits would give one in about 1,400 of the repository's shingles).
    let a = 0x3c6ef372;
    let b = 0x1b873593;
    for (let w = 0; w < SHINGLE; w++) {
      a = mix(a, highs[slot(w)] as number);
      b = mix(b, lows[slot(w)] as number);
    }
    if (visit(finish(a ^ SHINGLE), finish(b ^ SHINGLE), spell) === true) return;
  }
}

/** A set of 64-bit hashes in two typed arrays: a `Set` of millions of numbers takes seconds to fill. */
class HashSet {
  #highs = new Uint32Array(1 << 16);
  #lows = new Uint32Array(1 << 16);
  #size = 0;

  /** Adds the hash; the (0, 0) hash marks an empty slot, so it is stored as (0, 1). */
  add(high: number, low: number): void {
    if (this.#size * 2 >= this.#highs.length) this.#grow();
    if (this.#place(high, low === 0 && high === 0 ? 1 : low)) this.#size++;
  }

  has(high: number, low: number): boolean {
    const lowKey = low === 0 && high === 0 ? 1 : low;
    const mask = this.#highs.length - 1;
    for (let at = high & mask; ; at = (at + 1) & mask) {
      if (this.#highs[at] === high && this.#lows[at] === lowKey) return true;
      if (this.#highs[at] === 0 && this.#lows[at] === 0) return false;
    }
  }

  /** Puts a key in its slot; false when it was there already. */
  #place(high: number, low: number): boolean {
    const mask = this.#highs.length - 1;
    for (let at = high & mask; ; at = (at + 1) & mask) {
      if (this.#highs[at] === 0 && this.#lows[at] === 0) {
        this.#highs[at] = high;
        this.#lows[at] = low;
        return true;
      }
      if (this.#highs[at] === high && this.#lows[at] === low) return false;
    }
  }

  #grow(): void {
    const highs = this.#highs;
    const lows = this.#lows;
    this.#highs = new Uint32Array(highs.length * 2);
    this.#lows = new Uint32Array(lows.length * 2);
    for (let at = 0; at < highs.length; at++)
      if (highs[at] !== 0 || lows[at] !== 0) this.#place(highs[at] as number, lows[at] as number);
  }
}

/** Lower-cased words `[a-z0-9]+` of `text`, joined by spaces, escapes (`\n`, `\u00e9`) apart. */
const words = (text: string) =>
  (
    text
      .toLowerCase()
      .replace(/\\(u[0-9a-f]{4}|[nrt])/g, ' ')
      .match(/[a-z0-9]+/g) ?? []
  ).join(' ');

function* stringsOf(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* stringsOf(item);
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) yield* stringsOf(item);
}

interface SharedData {
  /** Hashes of every run of `SHINGLE` words. */
  shingles: HashSet;
  /** JSON string values too short to hold a shingle (queries, labels), as {@link words}. */
  items: Set<string>;
}

function readShared(files: string[]): SharedData {
  const data: SharedData = { shingles: new HashSet(), items: new Set() };
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    forEachShingle(text.toLowerCase(), (high, low) => data.shingles.add(high, low));
    if (!/\.jsonl?$/.test(file)) continue;
    const values = file.endsWith('.jsonl')
      ? text.split('\n').flatMap((line) => (line.trim() === '' ? [] : [JSON.parse(line) as unknown]))
      : [JSON.parse(text) as unknown];
    for (const value of stringsOf(values)) {
      // A string of fewer than ten words is far shorter than this; skip abstracts unread.
      if (value.length > 300) continue;
      const item = words(value);
      const count = item === '' ? 0 : item.split(' ').length;
      if (count >= MIN_ITEM_WORDS && count < SHINGLE) data.items.add(item);
    }
  }
  return data;
}

/** The first run of `SHINGLE` words of `text` whose hash is in `hashes`, or undefined. */
function firstCopied(text: string, hashes: HashSet): string | undefined {
  let found: string | undefined;
  forEachShingle(text.toLowerCase(), (high, low, spell) => {
    if (!hashes.has(high, low)) return false;
    found = spell();
    return true;
  });
  return found;
}

const QUOTED = [/'((?:[^'\\\n]|\\.)*)'/g, /"((?:[^"\\\n]|\\.)*)"/g, /`((?:[^`\\]|\\.)*)`/g];

/** The first quoted string of `text` (in '', "" or ``) that is, word for word, one of `items`. */
function firstQuoted(text: string, items: Set<string>): string | undefined {
  for (const pattern of QUOTED)
    for (const match of text.matchAll(pattern)) if (items.has(words(match[1] as string))) return match[1];
  return undefined;
}

/** Text files of the repository: tracked ones and new ones not yet added (ignored files apart). */
function repositoryTextFiles(): string[] | undefined {
  // New files too: a copy is cheaper to catch before its first commit than after.
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (listed.status !== 0) return undefined;
  return listed.stdout
    .split('\0')
    .filter((file) => file !== '' && path.basename(file) !== 'package-lock.json' && !NOT_TEXT.test(file))
    .filter((file) => fs.existsSync(path.join(root, file)));
}

type Scan = { skip: string } | { copies: string[]; quotes: string[] };
let scanned: Scan | undefined;

/** Checks every text file of the repository against the shared data once, for both tests. */
function scan(): Scan {
  if (scanned) return scanned;
  const dataFiles = fs.existsSync(shared) ? sharedDataFiles() : [];
  const files = repositoryTextFiles();
  if (dataFiles.length === 0)
    scanned = { skip: `no shared data at ${shared} (set CAIRN_SHARED_DIR to check against it)` };
  else if (files === undefined) scanned = { skip: 'not a git checkout: no list of the repository files' };
  else {
    const data = readShared(dataFiles);
    const copies: string[] = [];
    const quotes: string[] = [];
    for (const file of files) {
      const bytes = fs.readFileSync(path.join(root, file));
      if (bytes.subarray(0, 8000).includes(0)) continue;
      const text = bytes.toString('utf8');
      const copied = firstCopied(text, data.shingles);
      if (copied !== undefined) copies.push(`${file}: "${copied}"`);
      const quoted = firstQuoted(text, data.items);
      if (quoted !== undefined) quotes.push(`${file}: "${quoted}"`);
    }
    scanned = { copies, quotes };
  }
  return scanned;
}

test('no file of the repository copies ten words in a row from the public data in the shared folder', (t) => {
  const result = scan();
  if ('skip' in result) {
    t.skip(result.skip);
    return;
  }
  assert.deepEqual(
    result.copies,
    [],
    `files that copy text from ${shared} (read it in place instead):\n${result.copies.join('\n')}`,
  );
});

test('no file of the repository quotes a whole question or other short item of the public data', (t) => {
  const result = scan();
  if ('skip' in result) {
    t.skip(result.skip);
    return;
  }
  assert.deepEqual(
    result.quotes,
    [],
    `files that quote an item of ${shared} word for word (write your own):\n${result.quotes.join('\n')}`,
  );
});
