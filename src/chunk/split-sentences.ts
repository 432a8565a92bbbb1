import type { TextSpan } from './text-span.ts';

// Abbreviations that essentially never end a sentence: titles, Latin and reference abbreviations.
const NEVER_FINAL = words(
  'mr mrs ms mx messrs mme dr drs prof profs rev hon fr gen col lt maj capt cpt sgt cmdr adm gov ' +
    'sen rep pres supt st mt e.g eg i.e ie a.k.a cf c.f vs v viz approx ca cca resp fig figs eq eqs ' +
    'ref refs vol vols pp sec secs sect ch chap art para paras suppl ex incl excl esp n.b nb',
);

// Abbreviations that stop being abbreviations before a number ("No. 5", "p. 12", "Jan. 3").
const BEFORE_NUMBER = words('no nos nr p op tab jan feb mar apr jun jul aug sep sept oct nov dec');

// Abbreviations that often end a sentence too: a boundary only when a capitalised word follows.
const MAYBE_FINAL = words(
  'etc al inc ltd co corp llc plc bros jr sr esq dept univ assn assoc govt ed eds est sp spp subsp ' +
    'var ibid min max hr hrs wk wks yr yrs mo mos ft',
);

// Capitalised words that start sentences far more often than they follow an initial; they decide
// whether "vitamin D. The" ends a sentence while "J. K. Rowling" and "U.S. Army" do not.
const SENTENCE_STARTERS = words(
  'the this these that those there then thus they their it its we our in on at as by for from to of ' +
    'with an and but or if when while where which what who why how however moreover furthermore ' +
    'therefore hence although though because since after before during here finally also such both ' +
    'each all no not one two some many most several other only overall similarly notably importantly ' +
    'interestingly additionally despite given using among he she his her you your my results patients ' +
    'participants methods conclusions',
);

// Place abbreviations ("Tampa, Fla.") that are not also English words; they only decide where a
// citation marker goes (see isAbbreviation), not where sentences end.
const PLACE_ABBREVIATIONS = words(
  'ala ariz ark calif colo conn fla kan kans ky md mich minn mont neb nebr nev okla penn tenn tex ' +
    'wis wisc wyo ave blvd rd',
);

// File extensions and top-level domains written in capitals ("report.PDF", "example.COM").
const GLUED_NEVER_AFTER = words(
  'pdf doc docx txt md html htm csv tsv json xml yaml yml js ts py jpg jpeg png gif svg zip gz exe ' +
    'com org net io gov edu',
);

const TERMINATORS = new Set(['.', '!', '?', '…', '‼', '⁇', '⁈', '⁉', '。', '！', '？', '｡']);
// CJK full stops end a sentence without a following space.
const FULL_WIDTH_TERMINATORS = new Set(['。', '！', '？', '｡']);
const CLOSERS = new Set(['"', "'", '”', '’', '»', '›', ')', ']', '}', '*', '_', '`']);
const OPENERS = new Set(['"', "'", '“', '‘', '„', '«', '‹', '(', '[', '{', '*', '_', '`']);
// A reference marker right after the stop, with or without a space ("... U.S. [2] The"), stays with it.
const CITATION = /[ \t]?\[\d[\d,\s–-]*\]/y;
const ENUMERATOR = /^(?:\d{1,3}|[A-Za-z]|[ivx]{1,5}|[IVX]{1,5})$/;
const DOTTED_INITIALS = /^(?:[A-Z]\.)+[A-Z]$/;
const DOTTED_ABBREVIATION = /^(?:[a-z]{1,2}\.)+[a-z]{1,2}$/i;
const LIST_ITEM =
  /^\s*(?:[-*+•‣◦▪●○■□►▶➢✓✔→]\s+|(?:\(\d{1,3}\)|\d{1,3}[.)]|\([a-zA-Z]\)|[a-zA-Z]\)|\([ivxlcdmIVXLCDM]{1,6}\)|[ivxlcdmIVXLCDM]{1,6}\))\s+)/;
// Lines that are whole units on their own: headings, table rows, code fences, rules.
const STANDALONE_LINE = /^\s*(?:#{1,6}\s|\||```|~~~|([-*_])(?:\s*\1){2,}\s*$)/;

function words(list: string): Set<string> {
  return new Set(list.split(' '));
}

type NextWordKind = 'lower' | 'upper' | 'digit' | 'other' | 'end';

/**
 * Splits text into sentences with their offsets into `text`. Handles abbreviations (e.g., Dr.,
 * Fig., et al., approx.), decimals and version numbers, initials, ellipses, closing quotes and
 * brackets, `?` and `!`, URLs and e-mail addresses; a blank line always ends a sentence, and so does
 * a line break before a list item, heading or table row. Every non-space character of `text` falls
 * in exactly one sentence; sentences are trimmed and never empty.
 */
export function splitSentences(text: string): TextSpan[] {
  const sentences: TextSpan[] = [];
  for (const [start, end] of hardSegments(text)) splitSegment(text, start, end, sentences);
  return sentences;
}

/**
 * True when `word` (the word before a full stop, without the stop) is an abbreviation: a known
 * one ("e.g", "etc", "Inc", "Fla"), dotted letters ("U.S", "a.m") or a single capital (an initial).
 * The extractive answerer uses it to keep citation markers out of abbreviations.
 */
export function isAbbreviation(word: string): boolean {
  const bare = word.replace(/^[^\p{L}\p{N}]+/u, '');
  const lower = bare.toLowerCase();
  return (
    NEVER_FINAL.has(lower) ||
    MAYBE_FINAL.has(lower) ||
    PLACE_ABBREVIATIONS.has(lower) ||
    DOTTED_INITIALS.test(bare) ||
    DOTTED_ABBREVIATION.test(bare) ||
    /^\p{Lu}$/u.test(bare)
  );
}

/** Ranges of text that no sentence crosses: paragraphs, list items, headings. */
function hardSegments(text: string): [number, number][] {
  const segments: [number, number][] = [];
  let segmentStart = -1;
  let previousLine = '';
  let lineStart = 0;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    if (line.trim() === '') {
      if (segmentStart !== -1) segments.push([segmentStart, lineStart]);
      segmentStart = -1;
    } else if (segmentStart === -1) {
      segmentStart = lineStart;
    } else if (isLineBreakHard(previousLine, line)) {
      segments.push([segmentStart, lineStart]);
      segmentStart = lineStart;
    }
    previousLine = line;
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  if (segmentStart !== -1) segments.push([segmentStart, text.length]);
  return segments;
}

function isLineBreakHard(previous: string, line: string): boolean {
  if (LIST_ITEM.test(line) || STANDALONE_LINE.test(line) || STANDALONE_LINE.test(previous)) return true;
  // An unindented line after a list item starts new text; an indented one continues the item.
  return LIST_ITEM.test(previous) && !/^\s/.test(line);
}

function splitSegment(text: string, from: number, to: number, out: TextSpan[]): void {
  let sentenceStart = skipSpace(text, from, to);
  let i = sentenceStart;
  while (i < to) {
    const char = text[i]!;
    if (!TERMINATORS.has(char)) {
      i++;
      continue;
    }
    let runEnd = i;
    while (runEnd < to && TERMINATORS.has(text[runEnd]!)) runEnd++;
    let end = runEnd;
    while (end < to && CLOSERS.has(text[end]!)) end++;
    CITATION.lastIndex = end;
    if (CITATION.test(text) && CITATION.lastIndex <= to) end = CITATION.lastIndex;
    const run = text.slice(i, runEnd);
    const fullWidth = [...run].some((c) => FULL_WIDTH_TERMINATORS.has(c));
    const followedBySpace = end >= to || isSpace(text[end]!);
    const glued =
      !fullWidth && !followedBySpace && run === '.' && isGluedBoundary(text, i, sentenceStart, to);
    if ((fullWidth || followedBySpace || glued) && endsSentence(text, run, i, sentenceStart, end, to)) {
      out.push({ text: text.slice(sentenceStart, end), start: sentenceStart, end });
      sentenceStart = skipSpace(text, end, to);
      i = sentenceStart;
    } else {
      i = runEnd;
    }
  }
  const end = trimEnd(text, sentenceStart, to);
  if (end > sentenceStart) out.push({ text: text.slice(sentenceStart, end), start: sentenceStart, end });
}

/** Decides whether the terminator run at `at` (with closers up to `end`) ends the sentence. */
function endsSentence(
  text: string,
  run: string,
  at: number,
  sentenceStart: number,
  end: number,
  to: number,
): boolean {
  const next = nextWord(text, end, to);
  if (next.kind === 'end') return true;
  if (/[!?‼⁇⁈⁉！？。｡]/.test(run)) return next.kind !== 'lower';
  if (run.length > 1 || run === '…') return next.kind === 'upper';
  if (next.kind === 'lower') return false;

  let wordStart = at;
  while (wordStart > sentenceStart && !isSpace(text[wordStart - 1]!)) wordStart--;
  const word = text.slice(wordStart, at).replace(/^[^\p{L}\p{N}]+/u, '');
  if (word === '') return true;
  const lower = word.toLowerCase();
  if (NEVER_FINAL.has(lower)) return false;
  if (BEFORE_NUMBER.has(lower)) return next.kind === 'upper';
  if (wordStart === sentenceStart && ENUMERATOR.test(word)) return false;
  if (word.length === 1 && word >= 'A' && word <= 'Z') return isStarter(next.word);
  if (DOTTED_INITIALS.test(word)) return isStarter(next.word);
  if (MAYBE_FINAL.has(lower) || DOTTED_ABBREVIATION.test(word)) return next.kind === 'upper';
  return true;
}

/**
 * "pancreatitis.GOALS" and "in 2019.The": a full stop with no space after it ends a sentence
 * only between a plain lower-case word (or number) and a capitalised word that ends there, so
 * "e.g.", "3.14", "v1.2.3", "example.com", "report.PDF", "U.S.Army", "com.example.Parser",
 * "config.Load()" and anything inside a code span stay whole.
 */
function isGluedBoundary(text: string, at: number, sentenceStart: number, to: number): boolean {
  let wordStart = at;
  while (wordStart > sentenceStart && /[\p{L}\p{N}]/u.test(text[wordStart - 1]!)) wordStart--;
  const before = text.slice(wordStart, at);
  if (!/^[\p{Ll}\p{N}]{2,}$/u.test(before)) return false;
  const previous = text[wordStart - 1];
  if (wordStart > sentenceStart && previous !== undefined && !isSpace(previous) && !OPENERS.has(previous))
    return false;
  const after = /\p{Lu}\p{L}*/uy;
  after.lastIndex = at + 1;
  const word = after.exec(text)?.[0];
  if (!word || at + 1 + word.length > to) return false;
  if (GLUED_NEVER_AFTER.has(word.toLowerCase())) return false;
  const next = text[at + 1 + word.length];
  const nextNext = text[at + 2 + word.length];
  const wordEnds =
    next === undefined ||
    isSpace(next) ||
    /[:;,!?"'”’»)\]]/.test(next) ||
    (next === '.' && (nextNext === undefined || isSpace(nextNext)));
  if (!wordEnds) return false;
  // Inside `code`, dots join names.
  const backticks = text.slice(sentenceStart, at).split('`').length - 1;
  return backticks % 2 === 0;
}

function isStarter(word: string): boolean {
  return word.length > 1 && SENTENCE_STARTERS.has(word.toLowerCase());
}

/** Classifies the word after `from` (past spaces and opening quotes or brackets). */
function nextWord(text: string, from: number, to: number): { kind: NextWordKind; word: string } {
  let i = skipSpace(text, from, to);
  if (i >= to) return { kind: 'end', word: '' };
  while (i < to && OPENERS.has(text[i]!)) i++;
  const match = /[\p{L}\p{N}]+/uy;
  match.lastIndex = i;
  const word = match.exec(text)?.[0] ?? '';
  if (word === '' || word.length > to - i) return { kind: 'other', word: '' };
  const first = word[0]!;
  if (/\p{N}/u.test(first)) return { kind: 'digit', word };
  if (first !== first.toLowerCase() || first === first.toUpperCase()) return { kind: 'upper', word };
  // Lower-case words with capitals or digits inside (mRNA, p53, iPSC) can start a sentence.
  return { kind: /[\p{Lu}\p{N}]/u.test(word) ? 'upper' : 'lower', word };
}

function skipSpace(text: string, from: number, to: number): number {
  let i = from;
  while (i < to && isSpace(text[i]!)) i++;
  return i;
}

function trimEnd(text: string, from: number, to: number): number {
  let end = to;
  while (end > from && isSpace(text[end - 1]!)) end--;
  return end;
}

function isSpace(char: string): boolean {
  return char === ' ' || char === '\n' || char === '\t' || char === '\r' || /\s/.test(char);
}
