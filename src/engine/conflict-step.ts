import { conflictNote, detectConflicts, redactPii } from '../guard/index.ts';
import type { Conflict, Passage } from '../spec/index.ts';
import type { Tracer } from '../trace/tracer.ts';
import type { PolicyOutcome } from './answer-within-policy.ts';
import type { AskOptions } from './ask-types.ts';

/**
 * Finds passages that disagree on a value the question is about, recording what it found on a
 * `cairn.guard` span (`check: 'conflicts'`). Superseded documents are included: their conflicts
 * are reported with the newer side, but get no note (the answerers already prefer the successor).
 *
 * `deeper` are the passages ranked just below the answer's: a contradicting version is often
 * worded less like the question and ranked lower. A conflict counts only when one side is among
 * `passages`; the deeper passages it cites are added to them (numbered on), so both sides can be
 * cited, and the others are left out.
 */
export function findConflicts(
  tracer: Tracer,
  question: string,
  passages: Passage[],
  deeper: Passage[] = [],
): { conflicts: Conflict[]; passages: Passage[] } {
  const span = tracer.start('cairn.guard', { check: 'conflicts' });
  const present = new Set(passages.map((passage) => passage.chunkId));
  const below = deeper.filter((passage) => !present.has(passage.chunkId));
  const candidates = [
    ...passages,
    ...below.map((passage, i) => ({ ...passage, n: passages.length + i + 1 })),
  ];
  const touchesAnswer = (conflict: Conflict) =>
    conflict.values.some((value) => value.citations.some((n) => n <= passages.length));
  const found = detectConflicts(candidates, { question, limit: Number.POSITIVE_INFINITY })
    .filter(touchesAnswer)
    .slice(0, CONFLICT_LIMIT);
  const { conflicts, passages: shown } = withCitedDeeperPassages(found, passages, candidates);
  Object.assign(span.attributes, {
    count: conflicts.length,
    conflicts: conflicts.map((conflict) =>
      redactPii(
        `${conflict.subject} :: ${conflict.values.map((v) => `${v.value} [${v.citations.join(',')}]`).join(' | ')}${
          conflict.newer ? ` :: newer ${conflict.newer.value} (${conflict.newer.basis})` : ''
        }`,
      ).text.slice(0, 500),
    ),
    docIds: [...new Set(conflicts.flatMap((conflict) => conflict.values.flatMap((v) => v.docIds)))],
    addedPassages: shown.length - passages.length,
  });
  tracer.end(span);
  return { conflicts, passages: shown };
}

/** Most conflicts reported for one answer. */
const CONFLICT_LIMIT = 5;

/** Appends the deeper passages the conflicts cite and renumbers their citations to match. */
function withCitedDeeperPassages(
  conflicts: Conflict[],
  passages: Passage[],
  candidates: Passage[],
): { conflicts: Conflict[]; passages: Passage[] } {
  const renumbered = new Map<number, number>();
  const added: Passage[] = [];
  for (const conflict of conflicts) {
    for (const n of conflict.values.flatMap((value) => value.citations)) {
      if (n <= passages.length || renumbered.has(n)) continue;
      const next = passages.length + added.length + 1;
      renumbered.set(n, next);
      added.push({ ...(candidates[n - 1] as Passage), n: next });
    }
  }
  if (added.length === 0) return { conflicts, passages };
  const renumber = (citations: number[]) => citations.map((n) => renumbered.get(n) ?? n);
  return {
    conflicts: conflicts.map((conflict) => ({
      ...conflict,
      values: conflict.values.map((value) => ({ ...value, citations: renumber(value.citations) })),
      ...(conflict.newer
        ? { newer: { ...conflict.newer, citations: renumber(conflict.newer.citations) } }
        : {}),
    })),
    passages: [...passages, ...added],
  };
}

/** The sentence that names the disagreements worth telling the reader, or undefined when none. */
export function noteFor(conflicts: Conflict[]): string | undefined {
  const told = toldConflicts(conflicts);
  return told.length > 0 ? conflictNote(told) : undefined;
}

function toldConflicts(conflicts: Conflict[]): Conflict[] {
  return conflicts.filter((conflict) => conflict.newer?.basis !== 'superseded_by');
}

/**
 * Options whose `onToken` streams the note before the answer's first token (again after a
 * policy reset), so a streaming client sees the same text the result holds.
 */
export function streamingNoteFirst(options: AskOptions, note: string | undefined): AskOptions {
  if (!note || !options.onToken) return options;
  const onToken = options.onToken;
  let sent = false;
  return {
    ...options,
    onToken: (delta) => {
      if (!sent) onToken(`${note} `);
      sent = true;
      onToken(delta);
    },
    onRetry: (reason) => {
      sent = false;
      options.onRetry?.(reason);
    },
  };
}

/** Puts the note before an answer (never before an abstention) and counts its citations as valid. */
export function withNote(
  outcome: PolicyOutcome,
  note: string | undefined,
  conflicts: Conflict[],
): PolicyOutcome {
  if (!note || outcome.abstained) return outcome;
  const noted = toldConflicts(conflicts).flatMap((conflict) =>
    conflict.values.flatMap((value) => value.citations),
  );
  return {
    ...outcome,
    answer: `${note} ${outcome.answer}`,
    // In the order they appear: the note's first.
    validCitations: [...new Set([...noted, ...outcome.validCitations])],
  };
}
