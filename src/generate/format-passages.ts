import type { Passage } from '../spec/index.ts';

/**
 * Renders passages for a prompt, each fenced in tags with its number, title, source, date and
 * superseded status, so the model can cite `[n]`, prefer current documents, and see passage text as quoted data.
 * Tag-like text inside a passage is neutralised so it cannot close the fence early.
 */
export function formatPassages(passages: Passage[]): string {
  return passages
    .map((passage) => {
      const updated = passage.documentMetadata?.updated;
      const supersededBy = passage.documentMetadata?.superseded_by;
      const header = [
        `[${passage.n}]`,
        `title: ${passage.title}`,
        `source: ${passage.source}`,
        updated ? `updated: ${updated}` : '',
        supersededBy ? `status: superseded by ${supersededBy}` : '',
      ]
        .filter(Boolean)
        .join(' | ');
      const body = passage.text.replace(/<\/?passage[^>]*>/gi, '');
      return `<passage n="${passage.n}">\n${header}\n${body}\n</passage>`;
    })
    .join('\n\n');
}
