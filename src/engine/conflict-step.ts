import { conflictNote, detectConflicts, redactPii } from '../guard/index.ts';
import type { Conflict, Passage } from '../spec/index.ts';
import type { Tracer } from '../trace/tracer.ts';
import type { PolicyOutcome } from './answer-within-policy.ts';
import type { AskOptions } from './ask-types.ts';

/**
 * Finds passages that disagree on a value the question is about, recording what it found on a
 * `cairn.guard` span (`check: 'conflicts'`). Superseded documents are included: their conflicts
 * are reported with the newer side, but get no note (the answerers already prefer the successor).
 */
export function findConflicts(tracer: Tracer, question: string, passages: Passage[]): Conflict[] {
  const span = tracer.start('cairn.guard', { check: 'conflicts' });
  const conflicts = detectConflicts(passages, { question });
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
  });
  tracer.end(span);
  return conflicts;
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
