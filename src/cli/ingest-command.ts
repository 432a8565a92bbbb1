import fs from 'node:fs';
import type { CairnConfig } from '../config/index.ts';
import { type CalibrationSettings, needsCalibration } from '../engine/abstention-calibration.ts';
import { ingestPath, ingestThreads, openIndexStorage } from '../engine/index.ts';
import { CairnError, type EmbeddingModel, embedderId, type Store } from '../spec/index.ts';
import { MIN_CALIBRATION_DOCUMENTS, runCalibration } from './calibrate-command.ts';
import { CHUNKING_OPTIONS, chunkingFromFlags, embedderEndpoint } from './chunking-options.ts';
import { closeStorage } from './close-index.ts';
import type { CommandContext } from './command-context.ts';
import { countInputs } from './count-inputs.ts';
import { EXIT } from './exit-codes.ts';
import { openTraceExporter } from './open-trace-exporter.ts';
import { integerOption, parseOptions } from './parse-options.ts';
import { ProgressBar } from './progress-bar.ts';

export const INGEST_HELP = `Usage: cairn ingest <path> [options]

Loads Markdown, text, HTML, PDF, DOCX and BEIR corpus.jsonl files under <path>, chunks, embeds
and indexes them. Unchanged documents are skipped; changed ones are replaced.

Options:
  --index FILE          index file (default: $CAIRN_INDEX or .cairn/index.db)
  --namespace NAME      tenant namespace (default: default)
  --collection NAME     collection the documents go into; ids are NAME/<path> (default: the
                        collection this folder was ingested as, else the folder's name). Naming
                        a collection that holds another folder declares that folder moved here
  --embedder SPEC       local | hashing[:dims] | openai-compatible:<model> (default: the index's, else local)
  --chunker NAME        structure | token-window | parent-child (default: structure)
  --chunk-size N        max tokens per chunk (parent size for parent-child)
  --chunk-overlap N     overlap tokens for token-window
  --child-size N        child chunk tokens for parent-child
  --prune               remove documents of this collection whose files are gone
  --redact-pii          replace emails, phones, cards, IBANs, ids, IPs and secrets before storing
                        (config: guard.redactDocuments). Documents that read like instructions to
                        the model are quarantined (config: guard.scanDocuments; cairn quarantine)
  --reembed             switch the index to --embedder, re-embedding documents as they are ingested
  --max-file-mb N       skip files larger than N MB (default: 50)
  --max-unpacked-mb N   fail a DOCX or PDF whose zip entries or streams inflate past N MB in total
                        (zip-bomb guard; config: ingestLimits.maxUnpackedMb, default: 64)
  --max-text-mb N       fail a file whose extracted text passes N MB (config: ingestLimits.maxTextMb,
                        default: 16)
  --no-calibrate        do not recalibrate the abstention threshold afterwards when the config
                        turns it on (answerer.calibrate, default off; runs when never calibrated
                        or a fifth of the documents changed; see cairn calibrate)
  --json                print the summary as JSON
`;

/** `cairn ingest`: prints a progress bar on a terminal, then a summary; exit 3 if any input failed. */
export async function ingestCommand(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions('ingest', args, {
    index: { type: 'string' },
    namespace: { type: 'string' },
    collection: { type: 'string' },
    embedder: { type: 'string' },
    prune: { type: 'boolean' },
    'redact-pii': { type: 'boolean' },
    reembed: { type: 'boolean' },
    'max-file-mb': { type: 'string' },
    'max-unpacked-mb': { type: 'string' },
    'max-text-mb': { type: 'string' },
    'no-calibrate': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
    ...CHUNKING_OPTIONS,
  });
  if (values.help) {
    context.stdout.write(INGEST_HELP);
    return EXIT.ok;
  }
  const [inputPath, ...extra] = positionals;
  if (!inputPath || extra.length > 0) {
    throw new CairnError('invalid_option', 'cairn ingest takes exactly one <path>. See: cairn ingest --help');
  }
  if (!fs.existsSync(inputPath)) {
    throw new CairnError(
      'invalid_option',
      `${inputPath}: no such file or folder; pass an existing folder or file to cairn ingest <path>`,
    );
  }
  if (values.reembed && !values.embedder) {
    throw new CairnError('invalid_option', '--reembed needs --embedder naming the new embedder');
  }
  const { config } = context.config();
  const chunking = chunkingFromFlags(values, config.chunking);
  const namespace = values.namespace ?? config.namespace;
  const maxFileMb = integerOption('max-file-mb', values['max-file-mb'], 50);
  const maxUnpackedMb = integerOption(
    'max-unpacked-mb',
    values['max-unpacked-mb'],
    config.ingestLimits.maxUnpackedMb,
  );
  const maxTextMb = integerOption('max-text-mb', values['max-text-mb'], config.ingestLimits.maxTextMb);
  const indexPath = values.index ?? config.index;
  const opened = await openIndexStorage({
    indexPath,
    // The first ingest creates `.cairn/`.
    createDirectories: true,
    fallbackEmbedder: config.embedder.model,
    endpoint: { ...embedderEndpoint(config), threads: config.embedder.threads ?? ingestThreads() },
    ...(values.embedder ? { embedder: values.embedder } : {}),
    ...(values.reembed ? { reembed: true } : {}),
  });
  const { embedder } = opened;
  const { store } = opened.storage;
  const traceExporter = await openTraceExporter(config.telemetry, (line) => context.stderr.write(line));
  try {
    const progress = new ProgressBar(context.stderr, 'ingesting');
    countInputs(inputPath)
      .then((total) => progress.setTotal(total))
      .catch(() => undefined);
    const summary = await ingestPath({
      store,
      embedder,
      chunking,
      inputPath,
      namespace,
      ...(values.collection === undefined ? {} : { collection: values.collection }),
      prune: values.prune ?? false,
      maxFileBytes: maxFileMb * 1024 * 1024,
      maxUnpackedBytes: maxUnpackedMb * 1024 * 1024,
      maxTextBytes: maxTextMb * 1024 * 1024,
      scanInjection: config.guard.scanDocuments,
      redactPii: values['redact-pii'] ?? config.guard.redactDocuments,
      onProgress: ({ processed, current }) => progress.update(processed, current),
      ...(traceExporter ? { traceExporter } : {}),
    });
    progress.done();
    const documents = (await store.listDocuments(namespace)).length;
    const calibration =
      config.answerer.calibrate && !values['no-calibrate'] && documents >= MIN_CALIBRATION_DOCUMENTS
        ? await recalibrateIfNeeded({ store, embedder, settings: opened.storage.settings }, config, namespace)
        : undefined;
    if (values.json) {
      context.stdout.write(
        `${JSON.stringify({ ...summary, index: indexPath, embedder: embedderId(embedder), chunking, documents, ...(calibration ? { calibration } : {}) }, null, 2)}\n`,
      );
    } else {
      const seconds = summary.totalMs / 1000;
      context.stdout.write(
        `${summary.added} added, ${summary.updated} updated, ${summary.unchanged} unchanged, ` +
          `${summary.pruned} pruned, ${summary.failed.length} failed, ${summary.skipped.length} skipped ` +
          `in ${seconds.toFixed(1)} s (${summary.chunksWritten} chunks written; index ${indexPath} holds ${documents} documents)\n`,
      );
      for (const skipped of summary.skipped)
        context.stdout.write(`  skipped ${skipped.path}: ${skipped.reason}\n`);
      for (const failed of summary.failed)
        context.stderr.write(`  failed  ${failed.path}: ${failed.reason}\n`);
      for (const held of summary.quarantined) {
        context.stdout.write(
          `  quarantined ${held.source}: ${held.category} ("${held.excerpt}"); review with: cairn quarantine list\n`,
        );
      }
      if (calibration) {
        context.stdout.write(
          `  calibrated the abstention threshold: ${calibration.threshold.toFixed(4)} (expected true abstention ` +
            `${calibration.expectedTrueAbstention.toFixed(2)}, false ${calibration.expectedFalseAbstention.toFixed(2)}; ` +
            `${calibration.probes} probes in ${(calibration.durationMs / 1000).toFixed(1)} s; details: cairn calibrate --dry-run)\n`,
        );
      }
      const redacted = Object.entries(summary.piiRedacted);
      if (redacted.length > 0) {
        context.stdout.write(
          `  redacted ${redacted.map(([type, count]) => `${count} ${type}`).join(', ')}\n`,
        );
      }
    }
    return summary.failed.length > 0 ? EXIT.partial : EXIT.ok;
  } finally {
    await traceExporter?.shutdown();
    await closeStorage(opened);
  }
}

/**
 * Recalibrates the namespace's abstention threshold when it was never calibrated or its documents
 * changed by more than a fifth since; undefined when the calibration is still current.
 */
async function recalibrateIfNeeded(
  index: { store: Store; embedder: EmbeddingModel; settings: CalibrationSettings },
  config: CairnConfig,
  namespace: string,
) {
  if (!(await needsCalibration(index.store, namespace, undefined, index.settings))) return undefined;
  const report = await runCalibration(index, config, { namespace });
  return {
    threshold: report.threshold,
    expectedTrueAbstention: report.expectedTrueAbstention,
    expectedFalseAbstention: report.expectedFalseAbstention,
    probes: report.probes.length,
    durationMs: report.durationMs,
  };
}
