/**
 * The Porter (1980) stemmer as SQLite's FTS5 `porter` tokenizer applies it, written from the
 * published algorithm: tokens shorter than 3 or longer than 64 UTF-8 bytes pass through, and the
 * rules look at bytes, so a letter outside ASCII counts as a consonant. Matching FTS5 byte for
 * byte is what lets the Postgres store's BM25 scores equal the SQLite store's.
 */
export function porterStem(token: string): string {
  // Work on the UTF-8 bytes, one char per byte, exactly like FTS5 does.
  const bytes = Buffer.from(token, 'utf8');
  if (bytes.length < 3 || bytes.length > 64) return token;
  const ascii = /^[\x20-\x7e]*$/.test(token);
  const word = ascii ? token : bytes.toString('latin1');
  const stemmed = stemBytes(word);
  if (stemmed === word) return token;
  return ascii ? stemmed : Buffer.from(stemmed, 'latin1').toString('utf8');
}

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

/** Whether the letter at `index` is a consonant; `y` is one at the start or after a vowel. */
function isConsonant(word: string, index: number): boolean {
  const letter = word[index] as string;
  if (VOWELS.has(letter)) return false;
  if (letter === 'y') return index === 0 || !isConsonant(word, index - 1);
  return true;
}

/** m: the number of vowel-consonant sequences in `stem`, as [C](VC){m}[V]. */
function measure(stem: string): number {
  let m = 0;
  let previousVowel = false;
  for (let i = 0; i < stem.length; i++) {
    const consonant = isConsonant(stem, i);
    if (consonant && previousVowel) m++;
    previousVowel = !consonant;
  }
  return m;
}

function hasVowel(stem: string): boolean {
  for (let i = 0; i < stem.length; i++) if (!isConsonant(stem, i)) return true;
  return false;
}

/** *d: ends with two equal consonants. */
function endsDoubleConsonant(stem: string): boolean {
  const n = stem.length;
  return n >= 2 && stem[n - 1] === stem[n - 2] && isConsonant(stem, n - 1);
}

/** *o: ends consonant-vowel-consonant, the last consonant not w, x or y. */
function endsCvc(stem: string): boolean {
  const n = stem.length;
  if (n < 3) return false;
  const last = stem[n - 1] as string;
  return (
    isConsonant(stem, n - 1) &&
    !isConsonant(stem, n - 2) &&
    isConsonant(stem, n - 3) &&
    last !== 'w' &&
    last !== 'x' &&
    last !== 'y'
  );
}

/**
 * One step of suffix rules: the longest listed suffix the word ends with is the only one tried;
 * it is replaced when the remaining stem (never empty) satisfies `condition`.
 */
function replaceLongest(
  word: string,
  rules: readonly (readonly [string, string])[],
  condition: (stem: string, suffix: string) => boolean,
): string {
  let best: readonly [string, string] | undefined;
  for (const rule of rules) {
    if (word.length > rule[0].length && word.endsWith(rule[0])) {
      if (best === undefined || rule[0].length > best[0].length) best = rule;
    }
  }
  if (best === undefined) return word;
  const stem = word.slice(0, word.length - best[0].length);
  return condition(stem, best[0]) ? stem + best[1] : word;
}

const STEP_2: readonly (readonly [string, string])[] = [
  ['ational', 'ate'],
  ['tional', 'tion'],
  ['enci', 'ence'],
  ['anci', 'ance'],
  ['izer', 'ize'],
  ['bli', 'ble'],
  ['alli', 'al'],
  ['entli', 'ent'],
  ['eli', 'e'],
  ['ousli', 'ous'],
  ['ization', 'ize'],
  ['ation', 'ate'],
  ['ator', 'ate'],
  ['alism', 'al'],
  ['iveness', 'ive'],
  ['fulness', 'ful'],
  ['ousness', 'ous'],
  ['aliti', 'al'],
  ['iviti', 'ive'],
  ['biliti', 'ble'],
  ['logi', 'log'],
];

const STEP_3: readonly (readonly [string, string])[] = [
  ['icate', 'ic'],
  ['ative', ''],
  ['alize', 'al'],
  ['iciti', 'ic'],
  ['ical', 'ic'],
  ['ful', ''],
  ['ness', ''],
];

const STEP_4: readonly (readonly [string, string])[] = [
  'al',
  'ance',
  'ence',
  'er',
  'ic',
  'able',
  'ible',
  'ant',
  'ement',
  'ment',
  'ent',
  'ion',
  'ou',
  'ism',
  'ate',
  'iti',
  'ous',
  'ive',
  'ize',
].map((suffix) => [suffix, ''] as const);

function endsWithSuffix(word: string, suffix: string): boolean {
  return word.length > suffix.length && word.endsWith(suffix);
}

function stemBytes(input: string): string {
  let word = input;
  // Step 1a: plurals. As in every rule, a suffix only matches when some stem is left before it,
  // so "sses" loses only its "s" and "eed" is stemmed by the -ed rule.
  if (endsWithSuffix(word, 'sses') || endsWithSuffix(word, 'ies')) word = word.slice(0, -2);
  else if (word.endsWith('s') && !word.endsWith('ss')) word = word.slice(0, -1);

  // Step 1b: -eed, -ed, -ing.
  if (endsWithSuffix(word, 'eed')) {
    if (measure(word.slice(0, -3)) > 0) word = word.slice(0, -1);
  } else {
    const suffix = word.endsWith('ed') ? 'ed' : word.endsWith('ing') ? 'ing' : undefined;
    const stem = suffix === undefined ? undefined : word.slice(0, word.length - suffix.length);
    if (stem !== undefined && hasVowel(stem)) {
      word = stem;
      if (word.endsWith('at') || word.endsWith('bl') || word.endsWith('iz')) word += 'e';
      else if (endsDoubleConsonant(word) && !/[lsz]$/.test(word)) word = word.slice(0, -1);
      else if (measure(word) === 1 && endsCvc(word)) word += 'e';
    }
  }

  // Step 1c: y -> i after a vowel in the stem.
  if (word.endsWith('y') && hasVowel(word.slice(0, -1))) word = `${word.slice(0, -1)}i`;

  word = replaceLongest(word, STEP_2, (stem) => measure(stem) > 0);
  word = replaceLongest(word, STEP_3, (stem) => measure(stem) > 0);
  word = replaceLongest(
    word,
    STEP_4,
    (stem, suffix) => measure(stem) > 1 && (suffix !== 'ion' || /[st]$/.test(stem)),
  );

  // Step 5a: a final e.
  if (word.endsWith('e')) {
    const stem = word.slice(0, -1);
    const m = measure(stem);
    if (m > 1 || (m === 1 && !endsCvc(stem))) word = stem;
  }
  // Step 5b: -ll.
  if (word.endsWith('ll') && measure(word.slice(0, -1)) > 1) word = word.slice(0, -1);
  return word;
}
