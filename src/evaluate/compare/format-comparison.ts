import type { RunComparison } from './compare-runs.ts';

/** A terminal table of a comparison, then the flipped items and any warnings. */
export function formatComparison(comparison: RunComparison): string {
  const number = (value: number | null, digits = 3) => (value === null ? '—' : value.toFixed(digits));
  const rows = [['metric', 'baseline', 'candidate', 'delta', '95% CI', 'p', 'pairs', 'verdict']];
  for (const entry of comparison.metrics) {
    rows.push([
      entry.metric,
      number(entry.baseline),
      number(entry.candidate),
      entry.delta === null ? '—' : `${entry.delta >= 0 ? '+' : ''}${entry.delta.toFixed(3)}`,
      entry.ci95 ? `[${entry.ci95[0].toFixed(3)}, ${entry.ci95[1].toFixed(3)}]` : '—',
      number(entry.pValue),
      String(entry.nPairs),
      entry.verdict,
    ]);
  }
  const widths = (rows[0] ?? []).map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  const lines = [`${comparison.baseline.label} (baseline) vs ${comparison.candidate.label}`];
  for (const row of rows) lines.push(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));
  if (comparison.flippedItems.length > 0) {
    lines.push('', `Flipped items (${comparison.flippedItems.length}):`);
    for (const item of comparison.flippedItems)
      lines.push(
        `  ${item.id} ${item.metric}: ${String(item.before)} -> ${String(item.after)}  ${item.question}`,
      );
  }
  for (const warning of comparison.warnings) lines.push(`warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}
