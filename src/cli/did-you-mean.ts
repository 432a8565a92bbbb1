/**
 * The candidate closest to `input` by edit distance (insertions, deletions, substitutions and
 * swaps of neighbours), when it is close enough to be a typo: at most one edit per three
 * characters, and at least one. Ties go to the earlier candidate; no candidate gives undefined.
 */
export function closestMatch(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === input) continue;
    const distance = editDistance(input.toLowerCase(), candidate.toLowerCase());
    const allowed = Math.max(1, Math.floor(Math.max(input.length, candidate.length) / 3));
    if (distance <= allowed && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * The command names listed in a help text's indented usage lines (`  cairn <name> ...`, or
 * `  <name> ...` with an empty prefix), in order, so suggestions follow the help as it grows.
 */
export function commandsInHelp(help: string, prefix = 'cairn'): string[] {
  const line = new RegExp(`^ {2}${prefix ? `${prefix} ` : ''}([a-z][a-z-]*)(?=\\s|$)`, 'gm');
  return [...help.matchAll(line)].map((match) => match[1] as string);
}

// Optimal string alignment distance: Levenshtein plus swaps of adjacent characters.
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = value;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}
