import type { CairnConfig } from '../config/index.ts';
import type { CalibrationSettings, ScoreSummary } from '../engine/abstention-calibration.ts';
import {
  type CalibrationReport,
  calibrateAbstention,
  MIN_CALIBRATION_DOCUMENTS,
} from '../engine/calibrate.ts';
import { openIndexStorage } from '../engine/index.ts';
import { DEFAULT_ABSTAIN_THRESHOLD } from '../generate/extractive-answerer.ts';
import type { EmbeddingModel, Store } from '../spec/index.ts';
import { embedderEndpoint } from './chunking-options.ts';
import { closeStorage } from './close-index.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { integerOption, numberOption, parseOptions } from './parse-options.ts';
import { requireIndex } from './require-index.ts';

export const CALIBRATE_HELP = `Usage: cairn calibrate [options]

Calibrates the extractive answerer's abstention threshold on the index itself: holds out a seeded
sample of documents (left out of retrieval, not deleted), asks questions derived from their
titles, headings and key sentences, and picks the threshold at which at most the target share of
questions about present documents abstain. The threshold is recorded in the index and used by
ask and serve unless answerer.abstainThreshold (or --abstain-threshold) is set. cairn ingest runs
it when the index was never calibrated or a fifth of its documents changed (--no-calibrate).

Options:
  --index FILE          index file (default: config index, $CAIRN_INDEX or .cairn/index.db)
  --namespace NAME      tenant namespace (default: default)
  --target X            largest share of present-document questions that may abstain (default: 0.05)
  --max-probes N        questions asked in all, held-out and present (default: 160)
  --seed N              seed of the document sample (default: 1)
  --dry-run             show the result without recording it
  --json                print the calibration as JSON
  --config FILE         configuration file (default: ./cairn.config.json or .yaml)
`;

/** `cairn calibrate`: chooses, records and shows the index's own abstention threshold. */
export async function calibrateCommand(args: string[], context: CommandContext): Promise<number> {
  const { values } = parseOptions('calibrate', args, {
    index: { type: 'string' },
    namespace: { type: 'string' },
    target: { type: 'string' },
    'max-probes': { type: 'string' },
    seed: { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    context.stdout.write(CALIBRATE_HELP);
    return EXIT.ok;
  }
  const config = context.config().config;
  const indexPath = values.index ?? config.index;
  requireIndex(indexPath);
  const opened = await openIndexStorage({
    indexPath,
    fallbackEmbedder: config.embedder.model,
    endpoint: embedderEndpoint(config),
  });
  const { store, settings } = opened.storage;
  const index = { store, settings, embedder: opened.embedder };
  const namespace = values.namespace ?? config.namespace;
  try {
    const documents = (await index.store.listDocuments(namespace)).filter(
      (document) => !document.quarantined,
    );
    if (documents.length < MIN_CALIBRATION_DOCUMENTS) {
      context.stderr.write(
        `cairn: calibration needs at least ${MIN_CALIBRATION_DOCUMENTS} documents; namespace "${namespace}" has ${documents.length}, so answers keep the default threshold ${DEFAULT_ABSTAIN_THRESHOLD}\n`,
      );
      return EXIT.index;
    }
    const report = await runCalibration(index, config, {
      namespace,
      target: numberOption('target', values.target, 0.05, 0, 0.5),
      maxProbes: integerOption('max-probes', values['max-probes'], 160, 4, 400),
      seed: integerOption('seed', values.seed, 1, 0),
      save: !values['dry-run'],
    });
    if (values.json) {
      const { fingerprints, ...shown } = report;
      context.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    } else {
      context.stdout.write(formatCalibration(report, config, values['dry-run'] ? undefined : indexPath));
    }
    return EXIT.ok;
  } finally {
    await closeStorage(opened);
  }
}

/** Calibrates one namespace of an open index with the configuration's retrieval settings. */
export function runCalibration(
  index: { store: Store; embedder: EmbeddingModel; settings?: CalibrationSettings },
  config: CairnConfig,
  options: { namespace: string; target?: number; maxProbes?: number; seed?: number; save?: boolean },
): Promise<CalibrationReport> {
  return calibrateAbstention({
    store: index.store,
    ...(index.settings ? { indexSettings: index.settings } : {}),
    embedder: index.embedder,
    namespace: options.namespace,
    retrieval: {
      mode: config.retrieval.mode,
      k: config.retrieval.k,
      fusion: config.retrieval.fusion,
      expandParents: config.retrieval.expandParents,
      ...(config.retrieval.candidates ? { candidates: config.retrieval.candidates } : {}),
      ...(config.retrieval.mmrLambda !== undefined ? { mmrLambda: config.retrieval.mmrLambda } : {}),
    },
    maxSentences: config.answerer.maxSentences,
    ...(options.target === undefined ? {} : { targetFalseAbstention: options.target }),
    ...(options.maxProbes === undefined ? {} : { maxProbes: options.maxProbes }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.save === undefined ? {} : { save: options.save }),
  });
}

/** The calibration as `cairn calibrate` prints it: threshold, samples, distributions, expectations. */
export function formatCalibration(
  report: CalibrationReport,
  config: CairnConfig,
  recordedIn?: string,
): string {
  const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
  const row = (name: string, s: ScoreSummary) =>
    `  ${name.padEnd(10)} ${String(s.n).padStart(4)} ${[
      s.min,
      s.p10,
      s.p25,
      s.median,
      s.p75,
      s.p90,
      s.max,
      s.mean,
    ]
      .map((value) => value.toFixed(3).padStart(7))
      .join('')}\n`;
  const lines = [
    `abstention threshold ${report.threshold.toFixed(4)} (default without calibration: ${DEFAULT_ABSTAIN_THRESHOLD})` +
      (recordedIn ? `, recorded in ${recordedIn}\n` : ' (dry run: not recorded)\n'),
    `probes: ${report.present.n} about present documents, ${report.heldOut.n} about held-out ones ` +
      `(of ${report.documents} documents; seed ${report.seed}) in ${(report.durationMs / 1000).toFixed(1)} s\n`,
    `evidence scores  n     min    p10    p25 median    p75    p90    max   mean\n`,
    row('present', report.present),
    row('held out', report.heldOut),
    `expected at this threshold: true abstention ${pct(report.expectedTrueAbstention)} of held-out probes, ` +
      `false abstention ${pct(report.expectedFalseAbstention)} of present ones (target at most ${pct(report.targetFalseAbstention)})\n`,
    `unanswerable-terms check: stops ${report.unanswerableTerms.heldOut} held-out and ${report.unanswerableTerms.present} present probes\n`,
  ];
  if (config.answerer.abstainThreshold !== undefined) {
    lines.push(
      `note: answerer.abstainThreshold is set to ${config.answerer.abstainThreshold} in the configuration; it overrides this calibration\n`,
    );
  }
  return lines.join('');
}

export { MIN_CALIBRATION_DOCUMENTS };
