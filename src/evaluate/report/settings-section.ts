import type { EvalRun } from '../eval-run.ts';
import { escapeHtml } from './escape-html.ts';

/**
 * One `path: value` line per leaf of a run's recorded settings (`retrieval.candidates: 17`), for
 * reports and text summaries; arrays are shown whole. Empty for runs that recorded none.
 */
export function flattenSettings(settings: EvalRun['settings']): Map<string, string> {
  const flat = new Map<string, string>();
  const visit = (value: unknown, at: string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) visit(inner, at === '' ? key : `${at}.${key}`);
      return;
    }
    flat.set(at, value === undefined ? '—' : JSON.stringify(value));
  };
  if (settings) visit(settings, '');
  return flat;
}

/**
 * The settings every run answered with (secrets masked), one column per run; rows where the runs
 * differ are marked, so a metric change can be told apart from a settings change.
 */
export function settingsSection(runs: readonly EvalRun[]): string {
  const flats = runs.map((run) => flattenSettings(run.settings));
  const paths = [...new Set(flats.flatMap((flat) => [...flat.keys()]))];
  if (paths.length === 0)
    return '<h2>Settings</h2><p class="muted">These runs did not record their settings.</p>';
  let anyDiffers = false;
  const rows = paths.map((at) => {
    const values = flats.map((flat) => flat.get(at) ?? '—');
    const differs = new Set(values).size > 1;
    anyDiffers ||= differs;
    return `<tr${differs ? ' class="regressed"' : ''}><td>${escapeHtml(at)}${differs ? ' (differs)' : ''}</td>${values
      .map((value) => `<td>${escapeHtml(value)}</td>`)
      .join('')}</tr>`;
  });
  const heads = runs.map((run) => `<th>${escapeHtml(run.label)}</th>`).join('');
  return `<h2>Settings</h2><p class="muted">What each run answered with, resolved as cairn ask and cairn serve resolve them; API keys are masked. Equal fingerprints mean equal answering settings.</p>
<details${anyDiffers ? ' open' : ''}><summary>${runs.map((run) => `${escapeHtml(run.label)}: ${escapeHtml(run.settings?.fingerprint ?? 'not recorded')}`).join(' · ')}</summary>
<table><tr><th>setting</th>${heads}</tr>${rows.join('')}</table></details>`;
}
