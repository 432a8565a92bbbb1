import type { PiiSpan, PiiType } from '../../src/guard/index.ts';
import { fixed } from './markdown-table.ts';

/** A labelled span; `type` is one of ours, or another label (DATE_TIME, PERSON …) kept as text. */
export interface GoldSpan {
  type: string;
  start: number;
  end: number;
}

/** A sentence with its labels and what the detector found in it. */
export interface ScoredSentence {
  text: string;
  gold: GoldSpan[];
  found: PiiSpan[];
}

interface Tally {
  gold: number;
  found: number;
  overlapHits: number;
  overlapFound: number;
  exactHits: number;
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  a.start < b.end && b.start < a.end;
const same = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  a.start === b.start && a.end === b.end;

/**
 * Precision and recall per type under two span rules. Overlap: a detection is right when it
 * overlaps a gold span of the same type, a gold span is found when a detection of its type
 * overlaps it. Exact: same type and the same `[start, end)`. A detection that overlaps only a
 * span of another type, or nothing, is a false positive under both rules.
 */
export function scoreSpans(sentences: readonly ScoredSentence[], types: readonly PiiType[]): string[][] {
  const tallies = new Map<string, Tally>(
    types.map((type) => [type, { gold: 0, found: 0, overlapHits: 0, overlapFound: 0, exactHits: 0 }]),
  );
  for (const { gold, found } of sentences) {
    for (const type of types) {
      const tally = tallies.get(type) as Tally;
      const golds = gold.filter((span) => span.type === type);
      const mine = found.filter((span) => span.type === type);
      tally.gold += golds.length;
      tally.found += mine.length;
      tally.overlapHits += golds.filter((g) => mine.some((m) => overlaps(g, m))).length;
      tally.overlapFound += mine.filter((m) => golds.some((g) => overlaps(g, m))).length;
      tally.exactHits += golds.filter((g) => mine.some((m) => same(g, m))).length;
    }
  }
  return types.map((type) => {
    const { gold, found, overlapHits, overlapFound, exactHits } = tallies.get(type) as Tally;
    const ratio = (part: number, whole: number) => (whole === 0 ? '—' : fixed(part / whole, 3));
    return [
      type,
      String(gold),
      String(found),
      ratio(overlapFound, found),
      ratio(overlapHits, gold),
      ratio(exactHits, found),
      ratio(exactHits, gold),
    ];
  });
}

/** Column headers matching the rows of {@link scoreSpans}. */
export const SCORE_HEADER = [
  'type',
  'gold',
  'detected',
  'precision (overlap)',
  'recall (overlap)',
  'precision (exact)',
  'recall (exact)',
];

/**
 * Gold spans no detection of their type overlaps (or only overlaps), and detections that overlap
 * no gold span of their type.
 */
export function errorsOf(sentence: ScoredSentence, types: readonly PiiType[]): string[] {
  const lines: string[] = [];
  for (const g of sentence.gold) {
    if (!types.includes(g.type as PiiType)) continue;
    const gold = JSON.stringify(sentence.text.slice(g.start, g.end));
    const partial = sentence.found.find((m) => m.type === g.type && overlaps(g, m));
    if (!partial) lines.push(`missed ${g.type} ${gold}`);
    else if (!same(g, partial)) lines.push(`partly ${g.type} ${gold} as ${JSON.stringify(partial.text)}`);
  }
  for (const m of sentence.found) {
    if (sentence.gold.some((g) => g.type === m.type && overlaps(g, m))) continue;
    const under = sentence.gold.find((g) => overlaps(g, m))?.type ?? 'nothing';
    lines.push(`false ${m.type} ${JSON.stringify(m.text)} (labelled ${under})`);
  }
  return lines;
}
