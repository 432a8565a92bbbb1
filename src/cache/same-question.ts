import {
  CARDINALS,
  COMMON_WORDS,
  FUNCTION_WORDS,
  NEGATIONS,
  OPPOSITE_KEYS,
  ORDINALS,
  SCALES,
  TITLE_STOPWORDS,
  UNIT_KEYS,
} from './question-lexicon.ts';

/**
 * The tokens that decide what a question asks, normalised so word order, case and spelling of
 * numbers do not matter: two questions can share an answer only when these agree.
 */
export interface QuestionKeys {
  /** Numbers, years, versions, ordinals (`#3`) and tokens with digits (`gpt-4`, `q1`, `bm25`). */
  numbers: Set<string>;
  /** Lower-cased proper nouns, acronyms, code identifiers and backticked spans. */
  entities: Set<string>;
  /** Whether the question is negated (not, never, without, n't...). */
  negated: boolean;
  /** Keys of opposed and graded words: `win+`/`win-`, `sex+`, `size+:cmp`, `extreme-`... */
  opposites: Set<string>;
  /** Units and currencies: `day`, `usd`, `percent`... */
  units: Set<string>;
  /** What kind of answer is asked for: `who`, `when`, `where`, `why`. */
  questionTypes: Set<string>;
  /** Every word, lower-cased, so an entity written in lower case in the other question still counts. */
  words: Set<string>;
  /**
   * Stems of the other content words (not numbers, entities or keyed words), with repeats, to
   * spot a single word swapped for another.
   */
  content: string[];
}

/** The first key kind on which two questions differ. */
export type QuestionDifference =
  | 'number'
  | 'entity'
  | 'negation'
  | 'opposite'
  | 'unit'
  | 'question-type'
  | 'substitution';

interface Token {
  raw: string;
  lower: string;
  /** First word of a sentence: its capital letter says nothing. */
  sentenceStart: boolean;
  /** First word of a sentence or clause (after a comma or bracket). */
  clauseStart: boolean;
  /** From a backticked span. */
  code: boolean;
}

const WORD = /`([^`]+)`|(?:--?(?=\p{L}))?[\p{L}\p{N}_$€£#][\p{L}\p{N}_.,'\-/+%]*/gu;
const QUESTION_WORDS: Record<string, string> = {
  who: 'who',
  whom: 'who',
  when: 'when',
  where: 'where',
  why: 'why',
};
/** Words after which who/when/where/why still ask the question ("tell me who", "in which year"). */
const QUESTION_LEADS = new Set(
  'me us know wonder ask asking tell remind explain see and or in on at by from for to of since until about'.split(
    ' ',
  ),
);
const AUXILIARIES = new Set(
  'is are was were be do does did will would should can could may might must has have had shall'.split(' '),
);
const WHEN_NOUNS = new Set(['year', 'date', 'day', 'month']);
const TOGGLE_VERBS = new Set(['turn', 'turned', 'turning', 'turns', 'switch', 'switched', 'switching']);
const NOT_PLURAL = new Set(['news', 'series', 'species', 'always', 'perhaps', 'lens', 'bias', 'its', 'this']);
const NEGATING_PREFIXES = ['non-', 'non', 'un', 'in', 'im', 'il', 'ir', 'dis'];

/** Expands "won't", "can't", "isn't"... so the negation is a word of its own and "won't" is not "won". */
function expandContractions(text: string): string {
  return text
    .replace(/\b(won|can|shan)'t\b/gi, (_, verb: string) => {
      const lower = verb.toLowerCase();
      return `${lower === 'won' ? 'will' : lower === 'shan' ? 'shall' : 'can'} not`;
    })
    .replace(/\b([a-z]+)n't\b/gi, '$1 not')
    .replace(/\bcannot\b/gi, 'can not');
}

function tokenize(question: string): Token[] {
  const text = expandContractions(
    question
      .normalize('NFKC')
      .replace(/[‘’ʼ´]/g, "'")
      .replace(/[“”]/g, '"'),
  );
  const tokens: Token[] = [];
  for (const match of text.matchAll(WORD)) {
    const before = text.slice(0, match.index).trimEnd();
    const sentenceStart = before === '' || /[.?!:;]["')\]]*$/.test(before);
    const clauseStart = sentenceStart || /[,(\u2013\u2014]$/.test(before);
    const push = (raw: string, code: boolean) =>
      tokens.push({ raw, lower: raw.toLowerCase(), sentenceStart, clauseStart, code });
    if (match[1] !== undefined) {
      for (const inner of match[1].matchAll(WORD)) push(cleanToken(inner[0]), true);
      continue;
    }
    for (const part of splitToken(cleanToken(match[0]))) push(part, false);
  }
  return tokens.filter((token) => token.raw !== '');
}

/** Drops trailing punctuation and possessives; "U.S." becomes "US". */
function cleanToken(raw: string): string {
  let token = raw.replace(/[.,'\-/+]+$/, '');
  token = token.replace(/'s$/i, '').replace(/(?<=s)'$/i, '');
  if (/^(\p{Lu}\.)+$/u.test(`${token}.`)) token = token.replaceAll('.', '');
  return token;
}

/** Splits "$500", "80%", "4,096-token", "twenty-five" and "50/50" into their parts. */
function splitToken(token: string): string[] {
  if (/^[$€£]/.test(token)) return [token.charAt(0), ...splitToken(token.slice(1))];
  if (/\d%$/.test(token)) return [...splitToken(token.slice(0, -1)), '%'];
  if (token.startsWith('#') && /^#\d/.test(token)) return splitToken(token.slice(1));
  // "50/50", "A/B", "dev/test" are two words; "src/cache/index.ts" is a path.
  if (/\d/.test(token) ? token.includes('/') : /^[\p{L}\d]+\/[\p{L}\d]+$/u.test(token))
    return token.split('/').flatMap(splitToken);
  const numberThenWord = /^(\d[\d,.]*)-(\p{L}[\p{L}-]*)$/u.exec(token);
  if (numberThenWord) return [numberThenWord[1] as string, numberThenWord[2] as string];
  if (token.includes('-')) {
    const parts = token.toLowerCase().split('-');
    if (parts.every((part) => CARDINALS.has(part) || ORDINALS.has(part) || SCALES.has(part))) return parts;
  }
  return [token];
}

/** Base forms to look a word up under: "winning" → "win", "enabled" → "enable", "losses" → "loss". */
export function lemmas(word: string): string[] {
  const out = [word];
  if (NOT_PLURAL.has(word)) return out;
  if (word.endsWith('ies')) out.push(`${word.slice(0, -3)}y`);
  if (word.endsWith('es')) out.push(word.slice(0, -2));
  if (word.endsWith('s') && !word.endsWith('ss')) out.push(word.slice(0, -1));
  for (const suffix of ['ed', 'ing']) {
    if (!word.endsWith(suffix) || word.length <= suffix.length + 2) continue;
    const stem = word.slice(0, -suffix.length);
    out.push(stem, `${stem}e`);
    if (/([b-df-hj-np-tv-z])\1$/.test(stem)) out.push(stem.slice(0, -1));
    if (stem.endsWith('i')) out.push(`${stem.slice(0, -1)}y`);
  }
  return out;
}

function lookup<T>(map: ReadonlyMap<string, T>, word: string): T | undefined {
  for (const lemma of lemmas(word)) {
    const value = map.get(lemma);
    if (value !== undefined) return value;
  }
  return undefined;
}

const isNumeral = (word: string) => /^\d+(\.\d+)?$/.test(word);

/** A token with digits in its normal form: "v2.1" → "2.1", "1,500" → "1500", "21st" → "#21". */
function normaliseNumeral(word: string): string {
  let numeral = word.replace(/^v(?=\d)/, '');
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(numeral)) numeral = numeral.replaceAll(',', '');
  const ordinal = /^(\d+)(st|nd|rd|th)$/.exec(numeral);
  return ordinal ? `#${ordinal[1]}` : numeral;
}

/**
 * Reads a number spelled in words (with digits before a scale: "1.5 million", "a thousand",
 * "twenty-first") starting at `start`; returns its key and the index after it.
 */
function readNumber(tokens: Token[], start: number): { key: string; next: number } | undefined {
  const first = tokens[start]?.lower as string;
  let total = 0;
  let current: number;
  let index = start + 1;
  if (isNumeral(normaliseNumeral(first)) && SCALES.has(tokens[index]?.lower ?? '')) {
    current = Number(normaliseNumeral(first));
  } else if ((first === 'a' || first === 'an') && SCALES.has(tokens[index]?.lower ?? '')) {
    current = 1;
  } else if (CARDINALS.has(first)) {
    current = CARDINALS.get(first) as number;
  } else if (SCALES.has(first)) {
    current = 1;
    index = start;
  } else if (ORDINALS.has(first)) {
    return { key: `#${ORDINALS.get(first)}`, next: start + 1 };
  } else return undefined;
  for (; index < tokens.length; index++) {
    const word = tokens[index]?.lower as string;
    const scale = SCALES.get(word);
    const cardinal = CARDINALS.get(word);
    const ordinal = ORDINALS.get(word);
    const afterTens = current % 100 >= 20 && current % 10 === 0;
    if (scale === 100) current *= 100;
    else if (scale !== undefined) {
      total += current * scale;
      current = 0;
    } else if (cardinal !== undefined && cardinal < 10 && (afterTens || current % 100 === 0) && current > 0)
      current += cardinal;
    else if (ordinal !== undefined && ordinal < 10 && afterTens)
      return { key: `#${total + current + ordinal}`, next: index + 1 };
    else break;
  }
  return { key: String(total + current), next: index };
}

/** The key tokens of a question; see {@link sameQuestion}. */
export function questionKeys(question: string): QuestionKeys {
  const tokens = tokenize(question);
  const keys: QuestionKeys = {
    numbers: new Set(),
    entities: new Set(),
    negated: false,
    opposites: new Set(),
    units: new Set(),
    questionTypes: new Set(),
    words: new Set(),
    content: [],
  };
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] as Token;
    const word = token.lower;
    const previous = tokens[index - 1]?.lower;
    const next = tokens[index + 1]?.lower;
    keys.words.add(word);
    if (token.code) {
      keys.entities.add(word);
      continue;
    }
    if (NEGATIONS.has(word)) {
      // "No 1" and "No. 5" are numbers, not negations.
      if (!(word === 'no' && next !== undefined && /^\d/.test(next))) keys.negated = true;
      continue;
    }
    const spelled = readNumber(tokens, index);
    if (spelled) {
      keys.numbers.add(spelled.key);
      for (let skipped = index + 1; skipped < spelled.next; skipped++)
        keys.words.add(tokens[skipped]?.lower as string);
      index = spelled.next - 1;
      continue;
    }
    if (/\d/.test(word)) {
      keys.numbers.add(normaliseNumeral(word));
      continue;
    }
    const asks = QUESTION_WORDS[word];
    if (asks !== undefined) {
      // "When an LLM compares..." opens a clause; "When does..." asks when.
      const conjunction =
        (asks === 'when' || asks === 'where') && next !== undefined && !AUXILIARIES.has(next);
      if (QUESTION_LEADS.has(previous ?? '') || (token.clauseStart && !conjunction))
        keys.questionTypes.add(asks);
      continue;
    }
    if ((word === 'what' || word === 'which') && WHEN_NOUNS.has(next ?? '')) {
      if (token.clauseStart || QUESTION_LEADS.has(previous ?? '')) {
        keys.questionTypes.add('when');
        keys.words.add(next as string);
        index += 1;
      }
      continue;
    }
    const unit = UNIT_KEYS.get(word);
    if (unit !== undefined) {
      keys.units.add(unit);
      continue;
    }
    const keyed = opposite(tokens, index);
    if (keyed) {
      if (keyed.key !== undefined) keys.opposites.add(keyed.key);
      if (keyed.consumed) {
        keys.words.add(next as string);
        index += 1;
      }
    }
    const entity = entityForm(token, keyed !== undefined);
    if (entity !== undefined) {
      keys.entities.add(entity);
      keys.words.add(entity);
    } else if (keyed === undefined && !FUNCTION_WORDS.has(word)) keys.content.push(stem(word));
  }
  return keys;
}

/**
 * The opposite key of the word at `index`, if it has one. "more/less X" reads as the comparative
 * of X (consuming X); an adjective right after "how" ("how long", "how big") only asks for a
 * measure, so it has no key.
 */
function opposite(
  tokens: Token[],
  index: number,
): { key: string | undefined; consumed: boolean } | undefined {
  const word = tokens[index]?.lower as string;
  const previous = tokens[index - 1]?.lower;
  const next = tokens[index + 1]?.lower;
  if (word === 'on' && TOGGLE_VERBS.has(previous ?? '')) return { key: 'toggle+', consumed: false };
  const key = lookup(OPPOSITE_KEYS, word);
  if (key === undefined) return undefined;
  if (previous === 'how' && key.endsWith(':base')) return { key: undefined, consumed: false };
  const nextKey = next === undefined ? undefined : OPPOSITE_KEYS.get(next);
  if (['more', 'most', 'less', 'least'].includes(word) && nextKey?.endsWith(':base')) {
    const base = nextKey.slice(0, -':base'.length);
    const side = base.at(-1);
    const flipped = word === 'less' || word === 'least' ? (side === '+' ? '-' : '+') : side;
    const degree = word === 'more' || word === 'less' ? 'cmp' : 'sup';
    return { key: `${base.slice(0, -1)}${flipped}:${degree}`, consumed: true };
  }
  return { key, consumed: false };
}

/**
 * The entity form of a token, if it names something: an acronym, a camelCase or snake_case
 * identifier, a path, or a capitalised word that is not just the first word of a sentence.
 */
function entityForm(token: Token, keyed: boolean): string | undefined {
  const { raw, lower } = token;
  if (raw === 'I') return undefined;
  if (/^\p{Lu}{2,}s$/u.test(raw)) return lower.slice(0, -1);
  if (/\p{Ll}\p{Lu}/u.test(raw) || /^\p{Lu}[\p{Lu}\p{N}\-.]+$/u.test(raw)) return lower;
  if (/[_/]/.test(raw) || /^--?\p{L}/u.test(raw) || /^\p{Ll}\w*(\.\p{Ll}\w*)+$/u.test(raw)) {
    return lower === 'e.g' || lower === 'i.e' ? undefined : lower;
  }
  if (!/^\p{Lu}/u.test(raw) || TITLE_STOPWORDS.has(lower)) return undefined;
  if (token.sentenceStart && (keyed || COMMON_WORDS.has(lower))) return undefined;
  return lower;
}

/** Whether a word of `a` is a negated form ("invalid", "unsupported") of a word that `b` has. */
function negatedByPrefix(a: Set<string>, b: Set<string>): boolean {
  const bLemmas = new Set([...b].flatMap(lemmas));
  for (const word of a) {
    if (bLemmas.has(word)) continue;
    for (const prefix of NEGATING_PREFIXES) {
      const rest = word.slice(prefix.length);
      if (word.startsWith(prefix) && rest.length >= 4 && lemmas(rest).some((lemma) => bLemmas.has(lemma)))
        return true;
    }
  }
  return false;
}

/** A crude stem, the same for "release", "released", "releases" and "releasing". */
function stem(word: string): string {
  let out = word;
  if (out.length > 4 && out.endsWith('ies')) out = `${out.slice(0, -3)}y`;
  else if (out.length > 5 && out.endsWith('ing')) out = out.slice(0, -3);
  else if (out.length > 4 && (out.endsWith('ed') || out.endsWith('es'))) out = out.slice(0, -2);
  else if (out.length > 3 && out.endsWith('s') && !out.endsWith('ss')) out = out.slice(0, -1);
  if (out.length > 3 && out.endsWith('e')) out = out.slice(0, -1);
  if (out.length > 3 && /([b-df-hj-np-tv-z])\1$/.test(out)) out = out.slice(0, -1);
  return out;
}

/** Words of `a` not matched by a word of `b`, counting repeats. */
function unmatched(a: string[], b: string[]): string[] {
  const left = new Map<string, number>();
  for (const word of b) left.set(word, (left.get(word) ?? 0) + 1);
  return a.filter((word) => {
    const count = left.get(word) ?? 0;
    if (count > 0) left.set(word, count - 1);
    return count === 0;
  });
}

const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((key) => b.has(key));

/** The first kind of key on which the questions differ, or undefined when they agree on all. */
export function questionDifference(a: string, b: string): QuestionDifference | undefined {
  const ka = questionKeys(a);
  const kb = questionKeys(b);
  if (!sameSet(ka.numbers, kb.numbers)) return 'number';
  for (const entity of new Set([...ka.entities, ...kb.entities]))
    if (ka.words.has(entity) !== kb.words.has(entity)) return 'entity';
  if (ka.negated !== kb.negated) return 'negation';
  if (
    !sameSet(ka.opposites, kb.opposites) ||
    negatedByPrefix(ka.words, kb.words) ||
    negatedByPrefix(kb.words, ka.words)
  )
    return 'opposite';
  if (!sameSet(ka.units, kb.units)) return 'unit';
  if (!sameSet(ka.questionTypes, kb.questionTypes)) return 'question-type';
  // One content word swapped for another, all else equal, is almost always another question
  // (released/cancelled, director/producer, hired/fired) and one the embedding cannot tell apart.
  if (unmatched(ka.content, kb.content).length === 1 && unmatched(kb.content, ka.content).length === 1)
    return 'substitution';
  return undefined;
}

/**
 * Whether a cached answer to `a` may be served for `b`: their numbers (years, versions,
 * ordinals), named entities and identifiers, negation, opposed words (won/lost, men's/women's,
 * before/after, max/min...), comparisons, units and question word (who/when/where/why) must agree
 * as sets, whatever the word order, and `b` must not be `a` with one content word swapped for
 * another. Deterministic and conservative: a paraphrase that renames anything is a miss, never a
 * wrong answer.
 */
export function sameQuestion(a: string, b: string): boolean {
  return questionDifference(a, b) === undefined;
}
