/** A citation marker found in answer text. */
export interface CitationMarker {
  n: number;
  /** Index of the sentence (0-based) the marker belongs to. */
  sentence: number;
}

/** Matches `[3]`, `[1, 2]` and `[1][2]` style markers. */
const MARKER = /\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;

/** Every citation number in a piece of text, in order of appearance. */
export function citationNumbers(text: string): number[] {
  const numbers: number[] = [];
  for (const match of text.matchAll(MARKER)) {
    for (const part of (match[1] ?? '').split(',')) numbers.push(Number(part.trim()));
  }
  return numbers;
}

/** Result of checking an answer's citations against the passages it was given. */
export interface CitationCheck {
  /** The text with invalid markers removed. */
  text: string;
  /** Distinct valid citation numbers, in order of first use. */
  valid: number[];
  /** Numbers cited that point to no passage. */
  invalid: number[];
}

/**
 * Keeps markers that point to a passage (1..passageCount) and removes the others, so a made-up
 * citation never reaches the user. A marker listing several numbers keeps its valid ones.
 */
export function checkCitations(text: string, passageCount: number): CitationCheck {
  const valid: number[] = [];
  const invalid: number[] = [];
  const cleaned = text.replace(MARKER, (_, inner: string) => {
    const kept: number[] = [];
    for (const part of inner.split(',')) {
      const n = Number(part.trim());
      if (Number.isInteger(n) && n >= 1 && n <= passageCount) {
        kept.push(n);
        if (!valid.includes(n)) valid.push(n);
      } else if (!invalid.includes(n)) invalid.push(n);
    }
    return kept.length === 0 ? '' : `[${kept.join(', ')}]`;
  });
  return {
    text: cleaned
      .replace(/[ \t]+([.,;:!?])/g, '$1')
      .replace(/[ \t]{2,}/g, ' ')
      .trim(),
    valid,
    invalid,
  };
}
