import type { Conflict } from '../spec/index.ts';

/**
 * Renders detected disagreements for a prompt, one line per conflict with each value and the
 * passages stating it, and the newer side when known; `none detected` when there are none.
 */
export function formatConflicts(conflicts: Conflict[] | undefined): string {
  if (!conflicts || conflicts.length === 0) return 'none detected';
  return conflicts
    .map((conflict) => {
      const values = conflict.values
        .map(
          (value) =>
            `${value.citations.map((n) => `[${n}]`).join('')} ${value.citations.length > 1 ? 'say' : 'says'} "${value.value}"${value.date ? ` (dated ${value.date})` : ''}`,
        )
        .join('; ');
      const newer = conflict.newer
        ? ` Newer: ${conflict.newer.citations.map((n) => `[${n}]`).join('')} (${conflict.newer.basis === 'superseded_by' ? 'the others are superseded' : `dated ${conflict.newer.date}`}).`
        : ' No dates tell which is newer.';
      return `- On "${conflict.subject}": ${values}.${newer}`;
    })
    .join('\n');
}
