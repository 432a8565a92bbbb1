import type { Passage } from '../spec/index.ts';
import { classifyInjection, scoreSegment } from './classify-injection.ts';

/** What the screen took out of one passage before the model read it. */
export interface ScreenedPassage {
  n: number;
  chunkId: string;
  /** Highest classifier score in the passage. */
  score: number;
  /** The text removed, as it stood in the passage. */
  removed: string[];
}

/** Stands where removed text was, so the model (and a reader of the citation) sees that it is gone. */
export const REMOVED_INSTRUCTION = '[removed by cairn: text that reads as an instruction to the assistant]';

// Sentence ends and line breaks, kept with the text before them so the pieces join back exactly.
const PIECE_END = /(?<=[.!?])\s+|\n+/g;

// Verdicts per chunk text: the same passages come back for many questions, and scoring one costs
// about 1.6 ms per 1,000 characters. Bounded so a large corpus cannot grow it without limit.
const MAX_REMEMBERED = 4000;
const remembered = new Map<string, { text: string; screened?: ScreenedPassage }>();

/**
 * Takes out of each passage the sentences the injection classifier reads as orders to the
 * assistant (`passage` threshold, chosen on dev), before an LLM sees them. Ingest quarantines a
 * whole document only at the stricter `document` threshold, so that ordinary pages are not lost;
 * this screen catches more of what slips under it at the cost of one sentence, not a document.
 * A flagged sentence goes with its neighbour when only the pair scores high; when no piece
 * explains the score, the passage's whole text is replaced.
 */
export function screenPassages(passages: readonly Passage[]): {
  passages: Passage[];
  screened: ScreenedPassage[];
} {
  const screened: ScreenedPassage[] = [];
  const kept = passages.map((passage) => {
    const verdict = screenText(passage.chunkId, passage.text);
    if (!verdict.screened) return passage;
    screened.push({ ...verdict.screened, n: passage.n, chunkId: passage.chunkId });
    return { ...passage, text: verdict.text };
  });
  return { passages: kept, screened };
}

function screenText(chunkId: string, text: string): { text: string; screened?: ScreenedPassage } {
  const key = `${chunkId}\u0000${text}`;
  const known = remembered.get(key);
  if (known) return known;
  const verdict = screenUncached(chunkId, text);
  if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value as string);
  remembered.set(key, verdict);
  return verdict;
}

function screenUncached(chunkId: string, text: string): { text: string; screened?: ScreenedPassage } {
  const { score, threshold, flagged } = classifyInjection(text, 'passage');
  if (!flagged) return { text };
  const pieces = splitPieces(text);
  const scores = pieces.map((piece) => (/\p{L}{2}/u.test(piece) ? scoreSegment(piece.trim()) : 0));
  const marked = scores.map((value) => value >= threshold);
  for (let i = 0; i + 1 < pieces.length; i++) {
    if (marked[i] || marked[i + 1]) continue;
    if (scoreSegment(`${(pieces[i] as string).trim()} ${(pieces[i + 1] as string).trim()}`) >= threshold) {
      marked[i] = true;
      marked[i + 1] = true;
    }
  }
  if (!marked.includes(true)) {
    return { text: REMOVED_INSTRUCTION, screened: { n: 0, chunkId, score, removed: [text] } };
  }
  const removed: string[] = [];
  let out = '';
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] as string;
    if (!marked[i]) {
      out += piece;
      continue;
    }
    removed.push(piece.trim());
    // One marker per run of removed pieces, keeping the run's trailing line break or space.
    if (!marked[i - 1]) out += REMOVED_INSTRUCTION;
    if (!marked[i + 1]) out += /\s+$/.exec(piece)?.[0] ?? '';
  }
  return { text: out, screened: { n: 0, chunkId, score, removed } };
}

/** Sentences and lines of `text`, each with the whitespace after it, so that they join back to it. */
function splitPieces(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (const match of text.matchAll(PIECE_END)) {
    const end = match.index + match[0].length;
    pieces.push(text.slice(start, end));
    start = end;
  }
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
}
