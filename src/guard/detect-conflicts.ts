import { splitSentences } from '../chunk/split-sentences.ts';
import type { Conflict, ConflictValue, Passage } from '../spec/index.ts';
import { contentTerms, STOP_WORDS, stem } from '../text/content-terms.ts';

/** How a disagreement note starts; evaluation can recognise (and skip) it by this prefix. */
export const CONFLICT_NOTE_PREFIX = 'The sources disagree';

/** Settings of {@link detectConflicts}. */
export interface DetectConflictsOptions {
  /** Keep only conflicts whose sentences share a content word with the question. */
  question?: string;
  /**
   * Content words the two sentences must share outside the differing value. @default 4
   */
  minSharedTerms?: number;
  /**
   * Share of the shorter sentence's content words (outside the value) the other must also have.
   * @default 0.6
   */
  minCoverage?: number;
  /** Most content words on either side of the differing value. @default 6 */
  maxValueTerms?: number;
  /** Most conflicts returned, in passage order. @default 5 */
  limit?: number;
}

type Kind = 'light' | 'word' | 'number' | 'date' | 'version';

interface Token {
  text: string;
  start: number;
  end: number;
  /** Comparison key: stem, canonical number, ISO date or version. */
  key: string;
  kind: Kind;
  capitalized: boolean;
  acronym: boolean;
  /** First word of its sentence, where capitals say nothing. */
  initial: boolean;
  /** Written with a capital first letter (acronyms and names included). */
  upperInitial: boolean;
  date?: { year?: number; month: number; day?: number };
}

interface Sentence {
  passage: Passage;
  text: string;
  tokens: Token[];
  heavy: Set<string>;
  /** Words and function words, and those of them capitalised (not acronyms): for Title Case. */
  words: Token[];
  capitals: Token[];
}

/**
 * What the capitals of this set of sentences say: words written with a capital mid-sentence,
 * words written in lower case somewhere, and the words of Title Case sentences (where a capital
 * says nothing).
 */
interface NameEvidence {
  midCapital: Set<string>;
  lower: Set<string>;
  titleCase: Set<Token>;
}

/** One aligned sentence pair: the same frame, one differing value. */
interface Finding {
  a: Sentence;
  b: Sentence;
  aValue: { text: string; key: string };
  bValue: { text: string; key: string };
  subject: string;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const MONTH =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const DATE_PATTERNS: { pattern: RegExp; parts: (m: RegExpExecArray) => (string | undefined)[] }[] = [
  { pattern: /(\d{4})-(\d{2})-(\d{2})(?!\d)/y, parts: (m) => [m[1], m[2], m[3]] },
  {
    pattern: new RegExp(`${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s+(\\d{4}))?(?![\\p{L}\\p{N}])`, 'iyu'),
    parts: (m) => [m[3], m[1], m[2]],
  },
  {
    pattern: new RegExp(`(\\d{1,2})(?:st|nd|rd|th)?\\s+${MONTH}(?:,?\\s+(\\d{4}))?(?![\\p{L}\\p{N}])`, 'iyu'),
    parts: (m) => [m[3], m[2], m[1]],
  },
  { pattern: new RegExp(`${MONTH}\\s+(\\d{4})(?![\\p{L}\\p{N}])`, 'iyu'), parts: (m) => [m[2], m[1]] },
];
// First letters of the month names, either case: where a written date can begin.
const MONTH_INITIALS = new Set('jfmasondJFMASOND');
const VERSION = /(?:[vV]\d+(?:\.\d+)*|\d+\.\d+\.\d+(?:\.\d+)*)(?![\p{L}\p{N}])/uy;
const NUMBER = /(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?(?![\p{L}\p{N}])/uy;
const DOTTED_ACRONYM = /(?:\p{Lu}\.){2,}/uy;
const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/uy;
const DATELINE = new RegExp(
  `^\\s*(?:${MONTH}\\s+\\d{1,2},?\\s+\\d{4}|\\d{4}-\\d{2}-\\d{2})\\s*(?:\\.{3}|…|—|-|:)\\s*`,
  'iu',
);

const NUMBER_WORDS: Record<string, number> = Object.fromEntries(
  [
    'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen',
  ]
    .join(' ')
    .split(' ')
    .map((word, index) => [word, index]),
);
const TENS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};

// Front-matter keys that date a document, most specific first.
const DATE_KEYS = ['updated', 'last_updated', 'lastUpdated', 'modified', 'date', 'published', 'created'];

/**
 * Finds retrieved passages that give different values for the same thing: sentences from
 * different documents that make the same claim (the same words, in order, around one slot) with a
 * different number, date, version or proper noun in that slot. Sentences that differ in more than
 * one place are about different subjects (the 2018 and the 2022 fairs) and are not conflicts; a
 * value written two ways ("39", "thirty-nine"; "1,000", "1000"; "Feb. 7, 2021", "7 February
 * 2021") is one value. Each conflict lists its values with their passages and, when document dates
 * (front matter `updated`/`date`…, or a dateline opening the passage) or `superseded_by` tell,
 * which is newer.
 */
export function detectConflicts(passages: Passage[], options: DetectConflictsOptions = {}): Conflict[] {
  const minShared = options.minSharedTerms ?? 4;
  const minCoverage = options.minCoverage ?? 0.6;
  const maxValueTerms = options.maxValueTerms ?? 6;
  const sentences = passages.flatMap((passage) => sentencesOf(passage));
  const names = nameEvidence(sentences, titleCaseWords(sentences));
  const questionTerms = options.question ? new Set(contentTerms(options.question)) : undefined;
  const findings: Finding[] = [];
  // Shared content words counted through postings (word -> sentences), not by testing every
  // pair's sets: pairs that share none cost nothing.
  const postings = new Map<string, number[]>();
  sentences.forEach((sentence, index) => {
    for (const key of sentence.heavy) {
      const list = postings.get(key);
      if (list) list.push(index);
      else postings.set(key, [index]);
    }
  });
  const shared = new Int32Array(sentences.length);
  for (let i = 0; i < sentences.length; i++) {
    const a = sentences[i] as Sentence;
    shared.fill(0);
    for (const key of a.heavy)
      for (const j of postings.get(key) as number[]) if (j > i) shared[j] = (shared[j] as number) + 1;
    for (let j = i + 1; j < sentences.length; j++) {
      if ((shared[j] as number) < minShared) continue;
      const b = sentences[j] as Sentence;
      if (a.passage.docId === b.passage.docId) continue;
      const finding = compare(a, b, names, { minShared, minCoverage, maxValueTerms });
      if (!finding) continue;
      if (questionTerms && !relevant(finding, questionTerms)) continue;
      findings.push(finding);
    }
  }
  return group(findings, passages).slice(0, options.limit ?? 5);
}

/**
 * One sentence naming every conflict: "The sources disagree on "…": [1] says X; [2] says Y
 * (newer: [2], 2025-02-01)."
 */
export function conflictNote(conflicts: Conflict[]): string {
  return conflicts
    .map((conflict) => {
      const sides = conflict.values.map((value) => {
        const cites = value.citations.map((n) => `[${n}]`).join('');
        return `${cites} ${value.citations.length > 1 ? 'say' : 'says'} ${value.value}`;
      });
      const newer = conflict.newer;
      const which = newer
        ? ` (newer: ${newer.citations.map((n) => `[${n}]`).join('')}${
            newer.basis === 'superseded_by'
              ? ', the other is superseded'
              : newer.date
                ? `, ${newer.date}`
                : ''
          })`
        : ' (no dates tell which is newer)';
      return `${CONFLICT_NOTE_PREFIX} on "${conflict.subject}": ${sides.join('; ')}${which}.`;
    })
    .join(' ');
}

/** The passage's sentences as tokens, without a leading dateline ("Feb 5, 2022 ..."). */
function sentencesOf(passage: Passage): Sentence[] {
  // Cached tokens are shared between calls and never changed: per-call marks live in NameEvidence.
  return tokenizedSentences(passage.text).map((sentence) => ({ passage, ...sentence }));
}

type TokenizedSentence = Omit<Sentence, 'passage'>;

// The same passages come back for question after question, and tokenizing is most of the cost
// of a conflict check: a bounded cache by passage text (oldest dropped first).
const TOKENIZED_LIMIT = 4096;
const tokenized = new Map<string, TokenizedSentence[]>();

function tokenizedSentences(passageText: string): TokenizedSentence[] {
  const cached = tokenized.get(passageText);
  if (cached) return cached;
  const text = passageText.replace(DATELINE, '');
  const sentences = splitSentences(text).flatMap((span) => {
    const sentenceText = span.text.trim();
    const tokens = tokenize(sentenceText);
    if (tokens.length < 4) return [];
    const heavy = new Set(tokens.filter((token) => token.kind !== 'light').map((token) => token.key));
    const words = tokens.filter((token) => token.kind === 'word' || STOP_WORDS.has(token.key));
    const capitals = words.filter((token) => token.upperInitial && !token.acronym);
    return [{ text: sentenceText, tokens, heavy, words, capitals }];
  });
  if (tokenized.size >= TOKENIZED_LIMIT) tokenized.delete(tokenized.keys().next().value as string);
  tokenized.set(passageText, sentences);
  return sentences;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  let initial = true;
  const push = (
    start: number,
    end: number,
    key: string,
    kind: Kind,
    extra: { capitalized?: boolean; acronym?: boolean; date?: Token['date'] } = {},
  ) => {
    const tokenText = text.slice(start, end);
    tokens.push({
      text: tokenText,
      start,
      end,
      key,
      kind,
      capitalized: extra.capitalized ?? false,
      acronym: extra.acronym ?? false,
      initial,
      upperInitial: startsUpper(tokenText),
      ...(extra.date ? { date: extra.date } : {}),
    });
    if (kind !== 'light' || /[\p{L}\p{N}]/u.test(tokenText)) initial = false;
  };
  while (at < text.length) {
    // Each pattern can only start on certain characters: most positions skip the regexes at once.
    const code = text.charCodeAt(at);
    if (code === 32 || (code >= 9 && code <= 13) || (code >= 128 && SPACE_CHAR.test(text[at] as string))) {
      at += 1;
      continue;
    }
    const first = text[at] as string;
    const digit = code >= 48 && code <= 57;
    const date = digit || mayStartMonth(text, at) ? matchDate(text, at) : undefined;
    if (date) {
      const { end, value } = date;
      push(at, end, `d:${value.year ?? ''}-${value.month}-${value.day ?? ''}`, 'date', { date: value });
      at = end;
      continue;
    }
    const version = digit || first === 'v' || first === 'V' ? sticky(VERSION, text, at) : undefined;
    if (version) {
      push(at, version, `v:${text.slice(at, version).replace(/^v/i, '')}`, 'version');
      at = version;
      continue;
    }
    const number = digit ? sticky(NUMBER, text, at) : undefined;
    if (number) {
      const raw = text.slice(at, number);
      const percent = raw.endsWith('%') ? '%' : '';
      push(at, number, `n:${Number(raw.replace(/[,%]/g, ''))}${percent}`, 'number');
      at = number;
      continue;
    }
    const acronym = startsUpper(first) ? sticky(DOTTED_ACRONYM, text, at) : undefined;
    if (acronym) {
      push(at, acronym, text.slice(at, acronym).toLowerCase(), 'word', { capitalized: true, acronym: true });
      at = acronym;
      continue;
    }
    const word = sticky(WORD, text, at);
    if (word) {
      const raw = text.slice(at, word);
      const lower = raw.toLowerCase();
      const spelled = spelledNumber(lower);
      if (spelled !== undefined) push(at, word, `n:${spelled}`, 'number');
      else if (STOP_WORDS.has(lower)) push(at, word, lower, 'light', capitalsOf(raw, lower));
      else push(at, word, stem(lower), 'word', capitalsOf(raw, lower));
      at = word;
      continue;
    }
    // Punctuation, one character at a time; an ellipsis as one.
    const end = text.startsWith('...', at) ? at + 3 : at + 1;
    push(at, end, text.slice(at, end), 'light');
    at = end;
  }
  return tokens;
}

const SPACE_CHAR = /\s/u;

function startsUpper(text: string): boolean {
  const code = text.charCodeAt(0);
  if (code < 128) return code >= 65 && code <= 90;
  return /^\p{Lu}/u.test(text);
}

/** Whether a written month name ("Feb", "september") can begin here. */
function mayStartMonth(text: string, at: number): boolean {
  return (
    MONTH_INITIALS.has(text[at] as string) && Object.hasOwn(MONTHS, text.slice(at, at + 3).toLowerCase())
  );
}

/** Capital and acronym marks of a word; a word in lower case has neither, without a regex. */
function capitalsOf(raw: string, lower: string): { capitalized: boolean; acronym: boolean } {
  if (raw === lower) return { capitalized: false, acronym: false };
  return {
    capitalized: startsUpper(raw),
    acronym: /^\p{Lu}[\p{Lu}\p{N}]+$/u.test(raw) || /^\p{Ll}+\p{Lu}/u.test(raw),
  };
}

function sticky(pattern: RegExp, text: string, at: number): number | undefined {
  pattern.lastIndex = at;
  return pattern.exec(text) ? pattern.lastIndex : undefined;
}

function matchDate(
  text: string,
  at: number,
): { end: number; value: { year?: number; month: number; day?: number } } | undefined {
  for (const { pattern, parts } of DATE_PATTERNS) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match) continue;
    const [year, month, day] = parts(match);
    const monthNumber = /^\d+$/.test(month ?? '')
      ? Number(month)
      : MONTHS[(month ?? '').toLowerCase().slice(0, 3)];
    // "may 5" is a verb and a number; a month name is written with a capital.
    if (!monthNumber || (!/^\d/.test(match[0]) && /^may\b/.test(match[0]))) continue;
    return {
      end: pattern.lastIndex,
      value: {
        month: monthNumber,
        ...(year ? { year: Number(year) } : {}),
        ...(day ? { day: Number(day) } : {}),
      },
    };
  }
  return undefined;
}

function spelledNumber(word: string): number | undefined {
  // Own keys only: "constructor" is not a number.
  if (Object.hasOwn(NUMBER_WORDS, word)) return NUMBER_WORDS[word];
  if (Object.hasOwn(TENS, word)) return TENS[word];
  const dash = word.indexOf('-');
  if (dash === -1) return undefined;
  const tens = word.slice(0, dash);
  const ones = word.slice(dash + 1);
  if (Object.hasOwn(TENS, tens) && Object.hasOwn(NUMBER_WORDS, ones) && (NUMBER_WORDS[ones] ?? 10) < 10)
    return (TENS[tens] ?? 0) + (NUMBER_WORDS[ones] ?? 0);
  return undefined;
}

/**
 * The words of Title Case sentences (headlines, page titles), where a capital says nothing
 * about names: mostly capitalised, with a capitalised function word inside ("Movie With
 * Returning Director") or capitalised words that are written in lower case elsewhere.
 */
function titleCaseWords(sentences: Sentence[]): Set<Token> {
  const lower = new Set<string>();
  for (const sentence of sentences)
    for (const token of sentence.tokens) if (!token.upperInitial) lower.add(token.key);
  const titleCase = new Set<Token>();
  for (const { words, capitals } of sentences) {
    if (words.length < 3 || capitals.length <= 0.6 * words.length) continue;
    let functionWords = 0;
    let commonWords = 0;
    for (const token of capitals) {
      if (!token.initial && STOP_WORDS.has(token.key)) functionWords += 1;
      if (token.kind === 'word' && lower.has(token.key)) commonWords += 1;
    }
    if (functionWords === 0 && commonWords < 2) continue;
    for (const token of capitals) titleCase.add(token);
  }
  return titleCase;
}

/**
 * Which capitalised words are names: written with a capital inside a sentence somewhere, or never
 * written in lower case at all (so a capital at a sentence's start is probably a name too).
 */
function nameEvidence(sentences: Sentence[], titleCase: Set<Token>): NameEvidence {
  const midCapital = new Set<string>();
  const lower = new Set<string>();
  for (const sentence of sentences) {
    for (const token of sentence.tokens) {
      if (token.kind !== 'word') continue;
      if (!token.capitalized) lower.add(token.key);
      else if (!token.initial && !titleCase.has(token)) midCapital.add(token.key);
    }
  }
  return { midCapital, lower, titleCase };
}

type Strength = 'strong' | 'weak' | undefined;

/** How sure it is that a token is a value: numbers, dates, versions and clear names are strong. */
function valueStrength(token: Token, names: NameEvidence): Strength {
  if (token.kind === 'number' || token.kind === 'date' || token.kind === 'version') return 'strong';
  if (token.kind !== 'word' || !token.capitalized) return undefined;
  if (names.titleCase.has(token)) return names.lower.has(token.key) ? undefined : 'weak';
  if (token.acronym || !token.initial || names.midCapital.has(token.key)) return 'strong';
  return names.lower.has(token.key) ? undefined : 'weak';
}

function equal(a: Token, b: Token): boolean {
  if (a.date && b.date) {
    return (
      a.date.month === b.date.month &&
      (a.date.day === undefined || b.date.day === undefined || a.date.day === b.date.day) &&
      (a.date.year === undefined || b.date.year === undefined || a.date.year === b.date.year)
    );
  }
  return a.key === b.key;
}

/** Index pairs of a longest common subsequence of the two token lists. */
function align(a: Token[], b: Token[]): [number, number][] {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const table = new Uint16Array(rows * cols);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * cols + j] = equal(a[i] as Token, b[j] as Token)
        ? (table[(i + 1) * cols + j + 1] as number) + 1
        : Math.max(table[(i + 1) * cols + j] as number, table[i * cols + j + 1] as number);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (equal(a[i] as Token, b[j] as Token)) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if ((table[(i + 1) * cols + j] as number) >= (table[i * cols + j + 1] as number)) i++;
    else j++;
  }
  return pairs;
}

interface Block {
  a: [number, number];
  b: [number, number];
  edge: boolean;
}

/** The stretches where the two sentences differ; runs of ≤ 2 light tokens between them are absorbed. */
function differingBlocks(a: Token[], b: Token[], pairs: [number, number][]): Block[] {
  const blocks: Block[] = [];
  let ai = 0;
  let bi = 0;
  const anchors = [...pairs, [a.length, b.length] as [number, number]];
  anchors.forEach(([i, j], index) => {
    if (i > ai || j > bi)
      blocks.push({ a: [ai, i], b: [bi, j], edge: index === 0 || index === anchors.length - 1 });
    ai = i + 1;
    bi = j + 1;
  });
  const merged: Block[] = [];
  for (const block of blocks) {
    const last = merged.at(-1);
    const between = last ? a.slice(last.a[1], block.a[0]) : [];
    if (last && between.length <= 2 && between.every((token) => token.kind === 'light')) {
      last.a[1] = block.a[1];
      last.b[1] = block.b[1];
      last.edge = last.edge || block.edge;
    } else merged.push({ a: [...block.a], b: [...block.b], edge: block.edge });
  }
  return merged;
}

/** The differing value of two sentences that make the same claim, or undefined. */
function compare(
  a: Sentence,
  b: Sentence,
  names: NameEvidence,
  limits: { minShared: number; minCoverage: number; maxValueTerms: number },
): Finding | undefined {
  const pairs = align(a.tokens, b.tokens);
  const blocks = differingBlocks(a.tokens, b.tokens, pairs);
  let slot: Block | undefined;
  let insertions = 0;
  for (const block of blocks) {
    const left = a.tokens.slice(...block.a).filter((token) => token.kind !== 'light');
    const right = b.tokens.slice(...block.b).filter((token) => token.kind !== 'light');
    if (left.length === 0 && right.length === 0) continue;
    const isSlot =
      left.length > 0 &&
      right.length > 0 &&
      left.length <= limits.maxValueTerms &&
      right.length <= limits.maxValueTerms &&
      valueSide(left, right, names) &&
      valueSide(right, left, names) &&
      sameShape(left, right, names);
    if (isSlot) {
      if (slot) return undefined; // two differing values: two different subjects
      slot = block;
      continue;
    }
    // At either end, one sentence running on (or cut off, or two clauses that diverge for good)
    // still makes the same claim; a word swapped for another there changes the claim's subject.
    const swapped = left.length > 0 && right.length > 0 && Math.min(left.length, right.length) <= 3;
    const quantities = (side: Token[]) => side.some((token) => token.kind !== 'word');
    if (block.edge && !swapped && !(quantities(left) && quantities(right))) continue;
    const inserted = left.length === 0 ? right : right.length === 0 ? left : undefined;
    if (
      inserted &&
      inserted.length === 1 &&
      !valueStrength(inserted[0] as Token, names) &&
      insertions === 0
    ) {
      insertions++;
      continue;
    }
    return undefined; // the claim itself is worded differently
  }
  if (!slot) return undefined;
  const shared = pairs.filter(([i]) => (a.tokens[i] as Token).kind !== 'light').length;
  const outside = (tokens: Token[], [from, to]: [number, number]) =>
    tokens.filter((token, index) => token.kind !== 'light' && (index < from || index >= to)).length;
  const smaller = Math.min(outside(a.tokens, slot.a), outside(b.tokens, slot.b));
  if (shared < limits.minShared || shared < limits.minCoverage * smaller) return undefined;
  return {
    a,
    b,
    aValue: slotValue(a, slot.a),
    bValue: slotValue(b, slot.b),
    subject: subjectOf(a, slot.a),
  };
}

/**
 * A side of a differing block is a value when its words are values (names, numbers, dates,
 * versions) or a quantity with its unit ("90 days" against "1 year"). A capital at a sentence's
 * start only counts when the other side holds a clear value.
 */
function valueSide(side: Token[], other: Token[], names: NameEvidence): boolean {
  const strengths = side.map((token) => valueStrength(token, names));
  const otherStrong = other.some((token) => valueStrength(token, names) === 'strong');
  const isValue = (strength: Strength) => strength === 'strong' || (strength === 'weak' && otherStrong);
  if (strengths.every(isValue)) return true;
  const quantity = side.some((token) => token.kind === 'number' || token.kind === 'date');
  return quantity && side.length <= 3;
}

/** Both sides hold the same kinds of value (a name for a name, a date for a date). */
function sameShape(left: Token[], right: Token[], names: NameEvidence): boolean {
  const shape = (side: Token[]) =>
    [
      ...new Set(
        side.map((token) => (valueStrength(token, names) && token.kind === 'word' ? 'name' : token.kind)),
      ),
    ]
      .sort()
      .join();
  return shape(left) === shape(right);
}

function slotValue(sentence: Sentence, [from, to]: [number, number]): { text: string; key: string } {
  const block = sentence.tokens.slice(from, to);
  // Keep the value itself: "the 39" -> "39", "Millbrook, Oregon," -> "Millbrook, Oregon", and a
  // number with its unit but not the rest of the clause ("365 days), after which…" -> "365 days").
  const isValue = (token: Token) => token.kind !== 'light' && (token.kind !== 'word' || token.capitalized);
  let first = block.findIndex(isValue);
  let last = block.findLastIndex(isValue);
  if (first < 0) {
    first = block.findIndex((token) => token.kind !== 'light');
    last = block.findLastIndex((token) => token.kind !== 'light');
  }
  const unit = block[last + 1];
  if (unit?.kind === 'word' && block[last]?.kind === 'number') last++;
  const tokens = block.slice(first, last + 1);
  const start = tokens[0];
  const end = tokens.at(-1);
  return {
    text: start && end ? sentence.text.slice(start.start, end.end) : '',
    key: tokens
      .filter((token) => token.kind !== 'light')
      .map((token) => token.key)
      .join(' '),
  };
}

/** The claim around the value: up to five tokens either side, the value shown as "…". */
function subjectOf(sentence: Sentence, [from, to]: [number, number]): string {
  const tokens = sentence.tokens;
  const before = tokens.slice(Math.max(0, from - 5), from);
  const after = tokens.slice(to, to + 5);
  while (after.length > 0 && (after.at(-1) as Token).kind === 'light') after.pop();
  while (
    before.length > 0 &&
    (before[0] as Token).kind === 'light' &&
    !/[\p{L}]/u.test((before[0] as Token).text)
  )
    before.shift();
  const span = (part: Token[]) => {
    const first = part[0];
    const last = part.at(-1);
    return first && last ? sentence.text.slice(first.start, last.end) : '';
  };
  return [span(before), '…', span(after)].filter(Boolean).join(' ').replace(/\s+/g, ' ');
}

/** Whether the question shares a content word with either passage (its sentence may not repeat it). */
function relevant(finding: Finding, questionTerms: Set<string>): boolean {
  const terms = new Set([...contentTerms(finding.a.passage.text), ...contentTerms(finding.b.passage.text)]);
  for (const term of questionTerms) if (terms.has(term)) return true;
  return false;
}

/** Joins findings that share a value into conflicts, each value with its passages and date. */
function group(findings: Finding[], passages: Passage[]): Conflict[] {
  const parent = new Map<string, string>();
  const find = (key: string): string => {
    const up = parent.get(key) ?? key;
    if (up === key) return key;
    const root = find(up);
    parent.set(key, root);
    return root;
  };
  for (const finding of findings) {
    parent.set(find(finding.aValue.key), find(finding.bValue.key));
  }
  const conflicts = new Map<
    string,
    { subject: string; values: Map<string, { text: string; passages: Passage[] }> }
  >();
  for (const finding of findings) {
    const root = find(finding.aValue.key);
    const conflict = conflicts.get(root) ?? { subject: finding.subject, values: new Map() };
    conflicts.set(root, conflict);
    for (const [value, sentence] of [
      [finding.aValue, finding.a],
      [finding.bValue, finding.b],
    ] as const) {
      const entry = conflict.values.get(value.key) ?? { text: value.text, passages: [] };
      conflict.values.set(value.key, entry);
      if (!entry.passages.includes(sentence.passage)) entry.passages.push(sentence.passage);
    }
  }
  const result: Conflict[] = [];
  for (const { subject, values } of conflicts.values()) {
    const sides: (ConflictValue & { passages: Passage[] })[] = [...values.values()]
      .map(({ text, passages: cited }) => {
        const sorted = [...cited].sort((x, y) => x.n - y.n);
        const date = newest(sorted.map(passageDate));
        return {
          value: text,
          citations: sorted.map((passage) => passage.n),
          docIds: [...new Set(sorted.map((passage) => passage.docId))],
          ...(date ? { date } : {}),
          passages: sorted,
        };
      })
      .sort((x, y) => (x.citations[0] ?? 0) - (y.citations[0] ?? 0));
    if (sides.length < 2) continue;
    const newer = newerSide(sides, passages);
    result.push({
      subject,
      values: sides.map(({ passages: _passages, ...value }) => value),
      ...(newer ? { newer } : {}),
    });
  }
  return result.sort((x, y) => (x.values[0]?.citations[0] ?? 0) - (y.values[0]?.citations[0] ?? 0));
}

/** The newer side: the one the others' documents are superseded by, else the one with the latest date. */
function newerSide(
  sides: (ConflictValue & { passages: Passage[] })[],
  passages: Passage[],
): Conflict['newer'] {
  const describe = (side: ConflictValue, basis: 'date' | 'superseded_by') => ({
    value: side.value,
    citations: side.citations,
    ...(side.date ? { date: side.date } : {}),
    basis,
  });
  const present = new Set(passages.map((passage) => passage.docId));
  for (const side of sides) {
    const others = sides.filter((other) => other !== side);
    const supersededBySide = others.every((other) =>
      other.passages.every((passage) => {
        const newer = passage.documentMetadata?.superseded_by;
        return typeof newer === 'string' && present.has(newer) && side.docIds.includes(newer);
      }),
    );
    if (supersededBySide) return describe(side, 'superseded_by');
  }
  if (sides.some((side) => side.date === undefined)) return undefined;
  const latest = newest(sides.map((side) => side.date));
  const winners = sides.filter((side) => side.date === latest);
  return winners.length === 1 && winners[0] ? describe(winners[0], 'date') : undefined;
}

/** A passage's date: its document's front-matter date, else a dateline opening the passage. */
function passageDate(passage: Passage): string | undefined {
  for (const key of DATE_KEYS) {
    const value = passage.documentMetadata?.[key] ?? passage.metadata[key as keyof Passage['metadata']];
    const date = typeof value === 'string' || typeof value === 'number' ? isoDate(String(value)) : undefined;
    if (date) return date;
  }
  const dateline = DATELINE.exec(passage.text);
  return dateline ? isoDate(dateline[0]) : undefined;
}

/** `YYYY-MM-DD` (or `YYYY-MM`) from an ISO timestamp or a written date. */
function isoDate(text: string): string | undefined {
  const iso = /^\s*(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(text);
  if (iso) return iso[3] ? `${iso[1]}-${iso[2]}-${iso[3]}` : `${iso[1]}-${iso[2]}`;
  const date = matchDate(text.trim(), 0)?.value;
  if (!date?.year) return undefined;
  const mm = String(date.month).padStart(2, '0');
  return date.day ? `${date.year}-${mm}-${String(date.day).padStart(2, '0')}` : `${date.year}-${mm}`;
}

function newest(dates: (string | undefined)[]): string | undefined {
  return dates
    .filter((date): date is string => date !== undefined)
    .sort()
    .at(-1);
}
