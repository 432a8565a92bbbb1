import { STOP_WORDS } from '../text/content-terms.ts';
import { stripCitations } from './offline-judge.ts';

/** One checkable fact of a reference answer. */
export interface KeyFact {
  kind: 'code' | 'quoted' | 'identifier' | 'number' | 'entity';
  /** The fact as written in the reference. */
  text: string;
  /** Its normalised tokens; the answer must contain them contiguously. */
  tokens: string[];
}

const NUMBER_WORDS: Record<string, string> = {
  zero: '0',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  ten: '10',
  eleven: '11',
  twelve: '12',
  twenty: '20',
  hundred: '100',
  thousand: '1000',
};

// Negations change a claim's meaning, so token F1 keeps them although STOP_WORDS lists them.
const F1_STOP_WORDS: ReadonlySet<string> = new Set(
  [...STOP_WORDS].filter((word) => word !== 'no' && word !== 'not' && word !== 'nor'),
);

/**
 * Tokens used to compare an answer with its reference: citations removed, lower-cased,
 * punctuation dropped, thousands separators (`5,000`, `5_000`) removed, decimals canonical
 * (`2.0` → `2`), number words up to twenty as digits, and letters split from digits (`5000ms`).
 */
export function matchTokens(text: string): string[] {
  const plain = stripCitations(text)
    .toLowerCase()
    .replace(/\d{1,3}(?:,\d{3})+(?!\d)/g, (match) => match.replace(/,/g, ''))
    .replace(/\d+(?:_\d+)+/g, (match) => match.replace(/_/g, ''));
  const tokens = plain.match(/\d+(?:\.\d+)?|\p{L}+/gu) ?? [];
  return tokens.map((token) => {
    if (/^\d/.test(token)) return String(Number(token));
    return NUMBER_WORDS[token] ?? token;
  });
}

// Identifiers: flags, dotted names and paths, camelCase, snake_case and calls.
const IDENTIFIER =
  /(?<![\w-])--?[a-zA-Z][\w.-]*[\w]|[\w$@][\w$@-]*(?:[./][\w$@*-]+)+(?:\(\))?|\b[a-z]+[A-Z][\w$]*(?:\(\))?|\b[A-Za-z]\w*_\w+\b|\b[\w$]+\(\)/g;
const NUMBER =
  /\d[\d,_]*(?:\.\d+)?|\b(?:zero|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty)\b/gi;
const ENTITY = /\b[A-Z][\p{L}\d]*(?:\s+[A-Z][\p{L}\d]*)*/gu;

/**
 * The key facts of a reference answer, in this order: code spans, quoted values, identifiers,
 * numbers, then named entities (capitalised words not merely starting a sentence). Each span is
 * claimed by the first kind that matches it, and facts with the same tokens are kept once.
 */
export function keyFacts(reference: string): KeyFact[] {
  const facts: KeyFact[] = [];
  const seen = new Set<string>();
  let rest = stripCitations(reference);
  const add = (kind: KeyFact['kind'], raw: string) => {
    let text = raw.trim().replace(/[.,;:]+$/, '');
    if (kind === 'quoted') text = text.slice(1, -1);
    const tokens = matchTokens(text);
    const key = tokens.join(' ');
    if (tokens.length === 0 || seen.has(key)) return;
    seen.add(key);
    facts.push({ kind, text, tokens });
  };
  const take = (
    kind: KeyFact['kind'],
    pattern: RegExp,
    group = 0,
    keep?: (match: RegExpExecArray) => boolean,
  ) => {
    rest = rest.replace(pattern, (...args: unknown[]) => {
      const match = args.slice(0, -2) as unknown as RegExpExecArray;
      match.index = args.at(-2) as number;
      if (keep && !keep(match)) return match[0];
      add(kind, match[group] ?? '');
      // Blank the span so a later kind cannot claim it, keeping sentence boundaries intact.
      return ' ; ';
    });
  };
  take('code', /`([^`\n]+)`/g, 1);
  take('quoted', /"[^"\n]{1,80}"|(?<![\p{L}\p{N}])'[^'\n]{1,80}'(?![\p{L}\p{N}])/gu);
  take('identifier', IDENTIFIER, 0, (match) => !/^[\d.,_]+$/.test(match[0]));
  take('number', NUMBER);
  for (const match of rest.matchAll(ENTITY)) {
    const before = rest.slice(0, match.index).trimEnd();
    const startsSentence = before === '' || /[.!?]$/.test(before);
    const words = match[0].split(/\s+/);
    const named = (startsSentence ? words.slice(1) : words).filter(
      (word) => !STOP_WORDS.has(word.toLowerCase()),
    );
    if (named.length > 0) add('entity', named.join(' '));
  }
  return facts;
}

/** Key-fact recall of one answer: which facts of the reference it states. */
export interface KeyFactResult {
  /** Found facts / facts; `null` when the reference states no key fact. */
  recall: number | null;
  facts: string[];
  missing: string[];
}

/** Share of the reference's key facts ({@link keyFacts}) that the answer contains, after normalisation. */
export function keyFactRecall(answer: string, reference: string): KeyFactResult {
  const facts = keyFacts(reference);
  const tokens = matchTokens(answer);
  const missing = facts.filter((fact) => !containsRun(tokens, fact.tokens)).map((fact) => fact.text);
  return {
    recall: facts.length === 0 ? null : (facts.length - missing.length) / facts.length,
    facts: facts.map((fact) => fact.text),
    missing,
  };
}

/**
 * SQuAD-style token F1 between an answer and its reference over {@link matchTokens}, with the
 * same stop words removed from both sides (negations kept); `null` when the reference is empty.
 */
export function tokenF1(answer: string, reference: string): number | null {
  if (reference.trim() === '') return null;
  const content = (text: string) => matchTokens(text).filter((token) => !F1_STOP_WORDS.has(token));
  const predicted = content(answer);
  const gold = content(reference);
  if (predicted.length === 0 || gold.length === 0) return predicted.length === gold.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const token of gold) counts.set(token, (counts.get(token) ?? 0) + 1);
  let common = 0;
  for (const token of predicted) {
    const left = counts.get(token) ?? 0;
    if (left > 0) {
      common += 1;
      counts.set(token, left - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / predicted.length;
  const recall = common / gold.length;
  return (2 * precision * recall) / (precision + recall);
}

function containsRun(haystack: string[], needle: string[]): boolean {
  outer: for (let start = 0; start + needle.length <= haystack.length; start++) {
    for (let offset = 0; offset < needle.length; offset++) {
      if (haystack[start + offset] !== needle[offset]) continue outer;
    }
    return true;
  }
  return false;
}
