import fs from 'node:fs';
import path from 'node:path';
import { ingestThreads, openIndex } from '../engine/index.ts';
import {
  buildJudgeTrust,
  checkJudge,
  type JudgeCheckReport,
  type JudgeLabel,
  loadJudgeLabels,
  loadSciFactSupportLabels,
} from '../evaluate/index.ts';
import { TRUST_MIN_KAPPA } from '../evaluate/judge-check.ts';
import { CairnError } from '../spec/index.ts';
import { buildJudge } from './build-judge.ts';
import { embedderEndpoint } from './chunking-options.ts';
import { closeEmbedder } from './close-index.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { integerOption, parseOptions } from './parse-options.ts';

export const JUDGE_CHECK_HELP = `Usage: cairn eval judge-check --labels FILE [options]

Runs a judge over hand-labelled items and reports agreement, Cohen's kappa, precision/recall per
verdict, run-to-run stability, and which metrics the judge can be trusted for.

Options:
  --labels FILE[,FILE]  judge labels (.jsonl); several files are checked one by one (required
                        unless --scifact is given)
  --scifact DIR         also check the support judge on SciFact rationale sentences (BEIR folder
                        with extras/abstract_sentences.jsonl; read in place, never copied)
  --index FILE          index holding the corpus of answer labels (their cited passages are
                        re-read from it by chunk id)
  --vitest-docs DIR     the Vitest docs folder; answers of labels over that public corpus are
                        stored as spans of its files and rebuilt from it (default:
                        corpora/vitest-docs/docs in CAIRN_SHARED_DIR, else ../shared beside
                        the project)
  --save FILE           store the per-metric trust as JSON; as judge-trust.json next to an index
                        it is what eval answers, eval report and the web UI read to mark metrics
                        under kappa 0.4 untrusted (default there: corpus/judge-trust.json)
  --judge SPEC          offline | openai-compatible:<model> | anthropic:<model> (default: config judge.model)
  --split dev|test|all  which labels (default: all)
  --repeats N           run the judge N times to measure stability (default: 1; use 3+ for LLM judges)
  --json                print the report as JSON
`;

/** `cairn eval judge-check`: how far to trust a judge, measured against human labels. */
export async function evalJudgeCheckCommand(args: string[], context: CommandContext): Promise<number> {
  const { values } = parseOptions('eval judge-check', args, {
    labels: { type: 'string' },
    scifact: { type: 'string' },
    index: { type: 'string' },
    'vitest-docs': { type: 'string' },
    save: { type: 'string' },
    judge: { type: 'string' },
    split: { type: 'string' },
    repeats: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    context.stdout.write(JUDGE_CHECK_HELP);
    return EXIT.ok;
  }
  if (!values.labels && !values.scifact)
    throw new CairnError('invalid_option', 'cairn eval judge-check needs --labels FILE (or --scifact DIR)');
  const split = values.split ?? 'all';
  if (!['dev', 'test', 'all'].includes(split))
    throw new CairnError('invalid_option', `--split must be dev, test or all, got "${split}"`);
  const inSplit = (label: JudgeLabel) => split === 'all' || label.split === split;
  const vitestDocs = values['vitest-docs'];
  const sources = vitestDocs === undefined ? {} : { sources: { 'vitest-docs': vitestDocs } };
  const sets: { name: string; labels: JudgeLabel[] }[] = (values.labels ?? '')
    .split(',')
    .filter((file) => file !== '')
    .map((file) => ({
      name: path.basename(file, '.jsonl'),
      labels: loadJudgeLabels(file, sources).filter(inSplit),
    }));
  if (values.scifact)
    sets.push({ name: 'scifact', labels: loadSciFactSupportLabels(values.scifact).filter(inSplit) });
  const needsIndex = sets.some((set) => set.labels.some((label) => label.kind === 'answer'));
  if (needsIndex && !values.index)
    throw new CairnError(
      'invalid_option',
      'answer labels re-read their cited passages from an index: pass --index FILE (e.g. cairn ingest /work/shared/corpora/vitest-docs/docs --index /tmp/vitest.db)',
    );
  if (values.index && !fs.existsSync(values.index))
    throw new CairnError('not_found', `no index at ${values.index}: ingest the labels' corpus first`);
  const { config } = context.config();
  // The offline judge embeds with the configured embedder; no index is needed, so use a throwaway one.
  const { store, embedder } = openIndex({
    indexPath: values.index ?? ':memory:',
    embedder: config.embedder.model,
    endpoint: { ...embedderEndpoint(config), threads: ingestThreads() },
  });
  const reports: JudgeCheckReport[] = [];
  try {
    const judge = buildJudge(config, embedder, values.judge);
    for (const set of sets) {
      reports.push(
        await checkJudge(judge, set.labels, {
          repeats: integerOption('repeats', values.repeats, 1),
          labelSet: set.name,
          passages: async (chunkIds) =>
            new Map(
              (await store.getChunks(config.namespace, chunkIds)).map((chunk) => [chunk.id, chunk.text]),
            ),
        }),
      );
    }
  } finally {
    await store.close();
    await closeEmbedder(embedder);
  }
  if (values.json)
    context.stdout.write(`${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
  else context.stdout.write(reports.map(formatJudgeCheck).join('\n'));
  if (values.save !== undefined) {
    const file = values.save;
    const trust = buildJudgeTrust(reports, {
      command: `cairn eval judge-check ${args.join(' ')}`,
      split: split as 'dev' | 'test' | 'all',
    });
    fs.writeFileSync(file, `${JSON.stringify(trust, null, 2)}\n`);
    (values.json ? context.stderr : context.stdout).write(`saved judge trust to ${file}\n`);
  }
  return EXIT.ok;
}

/** The human-readable judge-check report. */
export function formatJudgeCheck(report: JudgeCheckReport): string {
  const pct = (value: number | null) => (value === null ? '—' : value.toFixed(3));
  const lines = [
    `judge ${report.judge} (${report.kind === 'offline' ? 'offline proxy' : 'LLM'}) on ${report.labelSet}, ${report.repeats} run(s)`,
    '',
    `per metric (a metric under kappa ${TRUST_MIN_KAPPA} is untrusted):`,
  ];
  for (const row of report.perMetric) {
    const kappa = row.stats.kappa;
    const mark = kappa === null ? 'unmeasured' : row.trusted ? 'trusted' : 'UNTRUSTED';
    const threshold = row.threshold === null ? '' : ` at ≥ ${row.threshold}`;
    lines.push(
      `  ${row.metric.padEnd(20)} vs human ${row.human.padEnd(9)} n=${String(row.stats.n).padEnd(4)} kappa ${pct(kappa)}  ${mark}${threshold}${row.unmeasured > 0 ? ` (${row.unmeasured} unmeasured)` : ''}`,
    );
  }
  for (const kind of report.perKind) {
    const s = kind.stats;
    lines.push(
      '',
      `${kind.kind} judgements (feed ${kind.metrics.join(', ')}): ${s.n} items`,
      `  agreement ${pct(s.agreement)} · Cohen's kappa ${pct(s.kappa)} -> ${kind.trust}`,
      `  positive: precision ${pct(s.perVerdict.positive.precision)} recall ${pct(s.perVerdict.positive.recall)} (n=${s.perVerdict.positive.support})`,
      `  negative: precision ${pct(s.perVerdict.negative.precision)} recall ${pct(s.perVerdict.negative.recall)} (n=${s.perVerdict.negative.support})`,
      `  hard cases: agreement ${pct(kind.hardStats.agreement)} on ${kind.hardStats.n} items`,
      `  stability: agreement per run ${kind.repeatAgreements.map((a) => a.toFixed(3)).join(', ')}; variance ${kind.agreementVariance.toFixed(5)}; ${kind.unstableItems.length} items changed verdict`,
    );
    for (const miss of kind.disagreements.slice(0, 8)) {
      lines.push(
        `  - ${miss.id}: human ${miss.human ? 'yes' : 'no'}, judge ${miss.judge ? 'yes' : 'no'} — ${miss.reason.slice(0, 120)}`,
      );
    }
  }
  lines.push('', `judge cost: ${report.costUsd === null ? 'unpriced' : `$${report.costUsd.toFixed(4)}`}`);
  return `${lines.join('\n')}\n`;
}
