import { ingestThreads, openIndex } from '../engine/index.ts';
import { checkJudge, type JudgeCheckReport, loadJudgeLabels } from '../evaluate/index.ts';
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
  --labels FILE         judge labels (.jsonl) (required)
  --judge SPEC          offline | openai-compatible:<model> | anthropic:<model> (default: config judge.model)
  --split dev|test|all  which labels (default: all)
  --repeats N           run the judge N times to measure stability (default: 1; use 3+ for LLM judges)
  --json                print the report as JSON
`;

/** `cairn eval judge-check`: how far to trust a judge, measured against human labels. */
export async function evalJudgeCheckCommand(args: string[], context: CommandContext): Promise<number> {
  const { values } = parseOptions('eval judge-check', args, {
    labels: { type: 'string' },
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
  if (!values.labels) throw new CairnError('invalid_option', 'cairn eval judge-check needs --labels FILE');
  const split = values.split ?? 'all';
  if (!['dev', 'test', 'all'].includes(split))
    throw new CairnError('invalid_option', `--split must be dev, test or all, got "${split}"`);
  const labels = loadJudgeLabels(values.labels).filter((label) => split === 'all' || label.split === split);
  const { config } = context.config();
  // The offline judge embeds with the configured embedder; no index is needed, so use a throwaway one.
  const { store, embedder } = openIndex({
    indexPath: ':memory:',
    embedder: config.embedder.model,
    endpoint: { ...embedderEndpoint(config), threads: ingestThreads() },
  });
  await store.close();
  const judge = buildJudge(config, embedder, values.judge);
  const report = await checkJudge(judge, labels, {
    repeats: integerOption('repeats', values.repeats, 1),
  }).finally(() => closeEmbedder(embedder));
  context.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatJudgeCheck(report));
  return EXIT.ok;
}

/** The human-readable judge-check report. */
export function formatJudgeCheck(report: JudgeCheckReport): string {
  const pct = (value: number | null) => (value === null ? '—' : value.toFixed(3));
  const lines = [
    `judge ${report.judge} (${report.kind === 'offline' ? 'offline proxy' : 'LLM'}), ${report.repeats} run(s)`,
  ];
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
