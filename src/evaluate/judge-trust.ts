import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnError } from '../spec/index.ts';
import { type JudgeCheckReport, TRUST_MIN_KAPPA } from './judge-check.ts';

/** Metrics whose values come from a judge or a lexical proxy of a person's grade. */
export const JUDGED_METRICS: ReadonlySet<string> = new Set([
  'faithfulness',
  'answer_relevance',
  'context_recall',
  'citation_accuracy',
  'key_fact_recall',
  'token_f1',
  'answer_correctness',
]);

// Lexical metrics do not depend on the judge, so their agreement holds whichever judge ran.
const JUDGE_INDEPENDENT: ReadonlySet<string> = new Set(['key_fact_recall', 'token_f1']);

/** Agreement of one metric with people, over every label set it was checked on. */
export interface MetricTrust {
  /** Every label set's kappa ≥ the minimum, ignoring sets where kappa is undefined (at least one measured). */
  trusted: boolean;
  /** The lowest kappa over the label sets (null when none could be measured). */
  kappa: number | null;
  sets: { labelSet: string; n: number; agreement: number; kappa: number | null }[];
}

/** A stored judge-check result: which metrics of which judge people agree with. */
export interface JudgeTrust {
  schemaVersion: 1;
  createdAt: string;
  /** The command that produced it. */
  command: string;
  split: 'dev' | 'test' | 'all';
  minKappa: number;
  /** Per judge id (as recorded in runs), per metric. */
  judges: Record<string, Record<string, MetricTrust>>;
}

/** What a report should say next to one metric of a run. */
export interface TrustMark {
  status: 'trusted' | 'untrusted' | 'unvalidated';
  kappa: number | null;
  /** One short phrase, e.g. "untrusted: kappa 0.15 < 0.4 (judge-check 2026-12-02)". */
  text: string;
}

/** Combines judge-check reports (one per label set) into a trust record. */
export function buildJudgeTrust(
  reports: JudgeCheckReport[],
  options: { command: string; split: JudgeTrust['split']; createdAt?: string },
): JudgeTrust {
  const judges: JudgeTrust['judges'] = {};
  for (const report of reports) {
    const metrics = judges[report.judge] ?? {};
    judges[report.judge] = metrics;
    for (const row of report.perMetric) {
      if (row.stats.n === 0) continue;
      const entry = metrics[row.metric] ?? { trusted: true, kappa: null, sets: [] };
      metrics[row.metric] = entry;
      entry.sets.push({
        labelSet: row.labelSet,
        n: row.stats.n,
        agreement: row.stats.agreement,
        kappa: row.stats.kappa,
      });
    }
  }
  for (const metrics of Object.values(judges)) {
    for (const entry of Object.values(metrics)) {
      const kappas = entry.sets.map((set) => set.kappa).filter((kappa): kappa is number => kappa !== null);
      entry.kappa = kappas.length === 0 ? null : Math.min(...kappas);
      // A set where kappa is undefined (people gave one verdict only) neither proves nor refutes.
      entry.trusted = entry.kappa !== null && entry.kappa >= TRUST_MIN_KAPPA;
    }
  }
  return {
    schemaVersion: 1,
    createdAt: options.createdAt ?? new Date().toISOString(),
    command: options.command,
    split: options.split,
    minKappa: TRUST_MIN_KAPPA,
    judges,
  };
}

/** The judge-check result bundled with cairn, produced by `npx tsx bench/judge-agreement.ts --write`. */
export const BUNDLED_JUDGE_TRUST = fileURLToPath(new URL('../../corpus/judge-trust.json', import.meta.url));

/** Reads a stored trust record; `null` when the file does not exist. */
export function readJudgeTrust(file: string): JudgeTrust | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const value = JSON.parse(text) as JudgeTrust;
    if (value.schemaVersion !== 1 || typeof value.judges !== 'object') throw new Error('unknown schema');
    return value;
  } catch (cause) {
    throw new CairnError(
      'dataset_invalid',
      `${file}: not a judge-check trust file (${(cause as Error).message})`,
      {
        cause,
      },
    );
  }
}

/** The trust file next to an index (`judge-trust.json`, written by `cairn eval judge-check --save`). */
export function judgeTrustFileFor(indexPath: string): string {
  return path.join(path.dirname(path.resolve(indexPath)), 'judge-trust.json');
}

/**
 * The trust record that applies to an index: the one next to it when present, else the bundled
 * `corpus/judge-trust.json`; `null` when neither exists.
 */
export function loadJudgeTrust(indexPath?: string): JudgeTrust | null {
  return (
    (indexPath ? readJudgeTrust(judgeTrustFileFor(indexPath)) : null) ?? readJudgeTrust(BUNDLED_JUDGE_TRUST)
  );
}

/**
 * How far one metric of a run judged by `judgeId` can be trusted; `null` for metrics that need
 * no judge (counts, abstention, latency...). A judged metric with no stored check is "unvalidated".
 */
export function trustMark(trust: JudgeTrust | null, judgeId: string, metric: string): TrustMark | null {
  if (!JUDGED_METRICS.has(metric)) return null;
  let entry = trust?.judges[judgeId]?.[metric];
  if (!entry && trust && JUDGE_INDEPENDENT.has(metric))
    entry = Object.values(trust.judges).find((metrics) => metrics[metric])?.[metric];
  const when = trust ? ` (judge-check ${trust.createdAt.slice(0, 10)})` : '';
  if (!entry || entry.kappa === null)
    return {
      status: 'unvalidated',
      kappa: null,
      text: `unvalidated: no judge-check agreement for ${judgeId}`,
    };
  const minKappa = trust?.minKappa ?? TRUST_MIN_KAPPA;
  return entry.trusted
    ? {
        status: 'trusted',
        kappa: entry.kappa,
        text: `trusted: kappa ${entry.kappa.toFixed(2)} ≥ ${minKappa}${when}`,
      }
    : {
        status: 'untrusted',
        kappa: entry.kappa,
        text: `UNTRUSTED: kappa ${entry.kappa.toFixed(2)} < ${minKappa}${when}`,
      };
}
