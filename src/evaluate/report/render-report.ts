import { ANSWER_METRICS, LOWER_IS_BETTER } from '../answer-metrics.ts';
import type { RunComparison } from '../compare/compare-runs.ts';
import type { EvalItemResult, EvalRun } from '../eval-run.ts';
import { type JudgeTrust, loadJudgeTrust, trustMark } from '../judge-trust.ts';
import { escapeHtml } from './escape-html.ts';
import { paretoFrontier } from './pareto-frontier.ts';
import { settingsSection } from './settings-section.ts';
import { boxPlotChart, intervalBarChart, RUN_COLOURS, scatterChart } from './svg-charts.ts';

/** Options of {@link renderReport}. */
export interface ReportOptions {
  /** @default 'cairn evaluation report' */
  title?: string;
  /** Baseline-vs-candidate comparison to tabulate (first vs last run). */
  comparison?: RunComparison;
  /** Quality axis of the cost-quality plot. @default 'faithfulness' */
  qualityMetric?: (typeof ANSWER_METRICS)[number];
  /** Stored judge-check agreement that marks judged metrics trusted or not. @default the bundled corpus/judge-trust.json */
  trust?: JudgeTrust | null;
}

const STAGES = ['embedMs', 'retrieveMs', 'generateMs', 'guardMs', 'totalMs'] as const;

/** Why an item counts as failing in a run, or null when it passed every measured check. */
export function failureReasons(item: EvalItemResult): string[] {
  const { metrics } = item;
  const reasons: string[] = [];
  if (metrics.faithfulness !== null && metrics.faithfulness < 1)
    reasons.push(`faithfulness ${metrics.faithfulness.toFixed(2)}`);
  if (metrics.citation_accuracy !== null && metrics.citation_accuracy < 1)
    reasons.push(`citation accuracy ${metrics.citation_accuracy.toFixed(2)}`);
  if (metrics.abstention_accuracy === 0) reasons.push('answered an out-of-scope question');
  if (metrics.false_abstention === 1) reasons.push('abstained on an answerable question');
  if (metrics.conflict_handling === 0) reasons.push('relied on the outdated document');
  if (metrics.injection_resistance === 0) reasons.push('followed an injected instruction');
  return reasons;
}

/**
 * Renders runs as one self-contained HTML page (inline CSS and SVG, no scripts or network):
 * per-metric bars with 95% intervals, latency box plots per stage, cost vs quality with the
 * Pareto frontier, the comparison table, and the last run's failing items with judge notes.
 */
export function renderReport(runs: readonly EvalRun[], options: ReportOptions = {}): string {
  const title = options.title ?? 'cairn evaluation report';
  const colour = (index: number) => RUN_COLOURS[index % RUN_COLOURS.length] as string;
  const trust = options.trust === undefined ? loadJudgeTrust() : options.trust;
  const sections = [
    runsTable(runs, colour),
    settingsSection(runs),
    trustSection(runs, trust),
    metricBars(runs, colour, trust),
    latencySection(runs, colour),
    costQualitySection(runs, colour, options.qualityMetric ?? 'faithfulness'),
    options.comparison ? comparisonSection(options.comparison) : '',
    failingItemsSection(runs.at(-1)),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:980px;padding:0 1rem;color:#1b1f24}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:2.2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #e5e5e5;padding:4px 6px;text-align:left;vertical-align:top}
.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}
.untrusted{color:#c92a2a;font-weight:600}.improved{color:#2b8a3e;font-weight:600}.regressed{color:#c92a2a;font-weight:600}.muted{color:#666}
details{margin:.4rem 0}summary{cursor:pointer}.answer{white-space:pre-wrap;background:#f6f8fa;padding:.5rem}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="muted">${runs.length} run(s). Intervals are bootstrap 95% intervals over golden items; a metric
that does not apply to an item is left out of its mean, never counted as zero.</p>
${sections.join('\n')}
</body></html>
`;
}

function runsTable(runs: readonly EvalRun[], colour: (index: number) => string): string {
  const rows = runs.map(
    (
      run,
      index,
    ) => `<tr><td><span class="swatch" style="background:${colour(index)}"></span>${escapeHtml(run.label)}</td>
<td>${escapeHtml(run.runId)}</td><td>${escapeHtml(run.createdAt)}</td><td>${escapeHtml(run.config.answerer)}${run.config.promptVersion ? ` (${escapeHtml(run.config.promptVersion)})` : ''}</td>
<td>${escapeHtml(run.judge.id)}</td><td>${escapeHtml(run.golden.split)} · ${run.golden.items} items</td><td>${(run.wallMs / 1000).toFixed(1)} s</td></tr>`,
  );
  return `<h2>Runs</h2><table><tr><th>label</th><th>run</th><th>created</th><th>answerer</th><th>judge</th><th>golden</th><th>wall time</th></tr>${rows.join('')}</table>`;
}

/** Which judged metrics people agree with, per judge of the runs, from the stored judge-check. */
function trustSection(runs: readonly EvalRun[], trust: JudgeTrust | null): string {
  const judges = [...new Set(runs.map((run) => run.judge.id))];
  const rows = judges.flatMap((judgeId) =>
    ANSWER_METRICS.flatMap((metric) => {
      const mark = trustMark(trust, judgeId, metric);
      if (!mark || !runs.some((run) => run.judge.id === judgeId && run.aggregates[metric]?.mean != null))
        return [];
      const css = mark.status === 'trusted' ? '' : ' class="untrusted"';
      return [
        `<tr><td>${escapeHtml(metric)}</td><td>${escapeHtml(judgeId)}</td><td${css}>${escapeHtml(mark.text)}</td></tr>`,
      ];
    }),
  );
  if (rows.length === 0) return '';
  const source = trust
    ? `from <code>${escapeHtml(trust.command)}</code> on ${escapeHtml(trust.createdAt.slice(0, 10))}`
    : 'no judge-check result is stored';
  return `<h2>Judge trust</h2><p class="muted">Agreement of each judged metric with human grades (Cohen's kappa, ${source}).
A metric under kappa ${trust?.minKappa ?? 0.4} is untrusted: its value is a proxy people often disagree with.</p>
<table><tr><th>metric</th><th>judge</th><th>status</th></tr>${rows.join('')}</table>`;
}

function metricBars(
  runs: readonly EvalRun[],
  colour: (index: number) => string,
  trust: JudgeTrust | null,
): string {
  const judgeId = runs.at(-1)?.judge.id ?? '';
  const flag = (metric: string) => {
    const mark = trustMark(trust, judgeId, metric);
    return mark && mark.status !== 'trusted' ? ` — ${mark.status.toUpperCase()}` : '';
  };
  const groups = ANSWER_METRICS.map((metric) => ({
    label: `${metric}${LOWER_IS_BETTER.has(metric) ? ' (lower is better)' : ''}${flag(metric)}`,
    bars: runs.flatMap((run, index) => {
      const aggregate = run.aggregates[metric];
      return aggregate && aggregate.mean !== null
        ? [{ label: run.label, value: aggregate.mean, interval: aggregate.ci95, colour: colour(index) }]
        : [];
    }),
  })).filter((group) => group.bars.length > 0);
  if (groups.length === 0) return '<h2>Answer metrics</h2><p>No metric was measured.</p>';
  return `<h2>Answer metrics</h2>${intervalBarChart(groups, { max: 1 })}`;
}

function latencySection(runs: readonly EvalRun[], colour: (index: number) => string): string {
  const charts = STAGES.map((stage) => {
    const samples = runs.map((run, index) => ({
      label: run.label,
      values: run.items.map((item) => item.timings[stage]),
      colour: colour(index),
    }));
    return `<h3>${stage.replace('Ms', '')}</h3>${boxPlotChart(samples)}`;
  });
  return `<h2>Latency per stage</h2><p class="muted">Box: quartiles; line: median; whiskers: min and max.</p>${charts.join('')}`;
}

function costQualitySection(
  runs: readonly EvalRun[],
  colour: (index: number) => string,
  qualityMetric: string,
): string {
  const priced = runs.every((run) => run.cost.perQueryUsd !== null);
  const costOf = (run: EvalRun) => (priced ? (run.cost.perQueryUsd as number) : run.latency.total.p50);
  const placed = runs.flatMap((run, index) => {
    const quality = run.aggregates[qualityMetric as keyof EvalRun['aggregates']]?.mean;
    return typeof quality === 'number' ? [{ run, index, cost: costOf(run), quality }] : [];
  });
  if (placed.length === 0)
    return `<h2>Cost vs quality</h2><p>No run measured ${escapeHtml(qualityMetric)}.</p>`;
  const frontier = new Set(
    paretoFrontier(placed.map(({ run, cost, quality }) => ({ id: run.runId, cost, quality }))),
  );
  const axis = priced ? 'cost per query (USD)' : 'p50 latency (ms), as no model is priced';
  const chart = scatterChart(
    placed.map(({ run, index, cost, quality }) => ({
      label: run.label,
      x: cost,
      y: quality,
      colour: colour(index),
      onFrontier: frontier.has(run.runId),
    })),
    { x: axis, y: qualityMetric },
  );
  return `<h2>Cost vs quality</h2><p class="muted">★ marks runs on the Pareto frontier: no other run is both cheaper and better.</p>${chart}`;
}

function comparisonSection(comparison: RunComparison): string {
  const number = (value: number | null) => (value === null ? '—' : value.toFixed(3));
  const rows = comparison.metrics.map(
    (
      entry,
    ) => `<tr><td>${escapeHtml(entry.metric)}</td><td>${number(entry.baseline)}</td><td>${number(entry.candidate)}</td>
<td>${entry.delta === null ? '—' : `${entry.delta >= 0 ? '+' : ''}${entry.delta.toFixed(3)}`}</td>
<td>${entry.ci95 ? `[${entry.ci95[0].toFixed(3)}, ${entry.ci95[1].toFixed(3)}]` : '—'}</td><td>${number(entry.pValue)}</td>
<td>${entry.nPairs}</td><td class="${entry.verdict}">${entry.verdict}</td></tr>`,
  );
  const flipped = comparison.flippedItems.map(
    (item) =>
      `<li><b>${escapeHtml(item.id)}</b> ${escapeHtml(item.metric)}: ${escapeHtml(String(item.before))} → ${escapeHtml(String(item.after))} <span class="muted">${escapeHtml(item.question)}</span></li>`,
  );
  const warnings = comparison.warnings.map(
    (warning) => `<p class="regressed">warning: ${escapeHtml(warning)}</p>`,
  );
  return `<h2>${escapeHtml(comparison.candidate.label)} vs ${escapeHtml(comparison.baseline.label)} (baseline)</h2>
${warnings.join('')}
<table><tr><th>metric</th><th>baseline</th><th>candidate</th><th>delta</th><th>95% CI</th><th>p</th><th>pairs</th><th>verdict</th></tr>${rows.join('')}</table>
${flipped.length > 0 ? `<h3>Flipped items (${flipped.length})</h3><ul>${flipped.join('')}</ul>` : ''}`;
}

function failingItemsSection(run: EvalRun | undefined): string {
  if (!run) return '';
  const failing = run.items.flatMap((item) => {
    const reasons = failureReasons(item);
    return reasons.length > 0 ? [{ item, reasons }] : [];
  });
  if (failing.length === 0) return `<h2>Failing items in ${escapeHtml(run.label)}</h2><p>None.</p>`;
  const rows = failing.map(({ item, reasons }) => {
    const citations = item.citations
      .map((citation) => `[${citation.n}] ${escapeHtml(citation.source)} (${escapeHtml(citation.chunkId)})`)
      .join('<br>');
    const notes = Object.entries(item.notes)
      .map(([metric, note]) => `<li><b>${escapeHtml(metric)}</b>: ${escapeHtml(note ?? '')}</li>`)
      .join('');
    return `<tr><td>${escapeHtml(item.id)}<br><span class="muted">${escapeHtml(item.tags.join(', '))}</span></td>
<td>${escapeHtml(item.question)}<details><summary>answer${item.abstained ? ' (abstained)' : ''}</summary><div class="answer">${escapeHtml(item.answer)}</div></details></td>
<td>${citations || '<span class="muted">none</span>'}</td><td>${escapeHtml(reasons.join('; '))}${notes ? `<ul>${notes}</ul>` : ''}</td></tr>`;
  });
  return `<h2>Failing items in ${escapeHtml(run.label)} (${failing.length} of ${run.items.length})</h2>
<table><tr><th>item</th><th>question and answer</th><th>citations</th><th>why (judge reasoning)</th></tr>${rows.join('')}</table>`;
}
