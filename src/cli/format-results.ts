import type { RetrieveOutput } from '../retrieve/index.ts';

/** Human-readable ranked results: rank, score, source, heading path, and a one-paragraph snippet. */
export function formatResults(output: RetrieveOutput, snippetChars = 240): string {
  if (output.results.length === 0) return 'No results.\n';
  const lines: string[] = [];
  for (const result of output.results) {
    const where = [result.source, ...(result.metadata.headingsPath ?? [])].join(' > ');
    const page = result.metadata.page === undefined ? '' : ` (page ${result.metadata.page})`;
    const snippet = result.text.replace(/\s+/g, ' ').trim();
    lines.push(`${result.rank}. [${result.score.toFixed(4)}] ${where}${page}`);
    lines.push(`   ${snippet.length > snippetChars ? `${snippet.slice(0, snippetChars)}…` : snippet}`);
  }
  const t = output.timings;
  lines.push(
    `\n${output.results.length} results in ${t.totalMs.toFixed(1)} ms ` +
      `(embed ${t.embedMs.toFixed(1)}, bm25 ${t.bm25Ms.toFixed(1)}, dense ${t.denseMs.toFixed(1)}, fuse ${t.fuseMs.toFixed(1)})`,
  );
  return `${lines.join('\n')}\n`;
}
