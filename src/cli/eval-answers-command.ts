import fs from 'node:fs';
import { recordSettings, resolvePipelineSettings } from '../config/index.ts';
import { ingestPath, ingestThreads, openIndexStorage } from '../engine/index.ts';
import type { EvalRun } from '../evaluate/eval-run.ts';
import {
  compareRuns,
  evaluateFailOn,
  formatComparison,
  type JudgeTrust,
  loadJudgeTrust,
  parseFailOn,
  runAnswerEval,
  trustMark,
} from '../evaluate/index.ts';
import { readRun } from '../evaluate/runs-store.ts';
import { CairnError, embedderId, type IngestJobRecord } from '../spec/index.ts';
import { openDomains, storageFilePath } from '../store/open-storage.ts';
import { buildPipeline } from './build-answerer.ts';
import { buildJudge } from './build-judge.ts';
import { embedderEndpoint } from './chunking-options.ts';
import { closeStorage } from './close-index.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { openTraceExporter } from './open-trace-exporter.ts';
import { parseOptions } from './parse-options.ts';
import { ProgressBar } from './progress-bar.ts';

export const EVAL_ANSWERS_HELP = `Usage: cairn eval answers --golden FILE [options]

Answers every golden item through the configured pipeline (the settings cairn ask and cairn
serve resolve: retrieval, answerer, routing, deadline, guard and grounding policy; only the
answer cache is off), records those settings in the run, scores each answer (faithfulness,
answer relevance, context precision/recall, citation accuracy/coverage, abstention, conflicts,
injection resistance, cost, latency) and stores the run next to the index, in the folder of
its namespace (runs/<namespace>/): cairn eval runs, the API and the web UI show a run only to
that namespace (tenant).

Options:
  --golden FILE         golden set (.jsonl) (required)
  --split dev|test      only this split (default: all items)
  --corpus DIR          ingest this folder first (unchanged files are skipped)
  --judge SPEC          offline | openai-compatible:<model> | anthropic:<model> (default: config judge.model)
  --label TEXT          name of the run in reports (default: the answerer id)
  --baseline RUN        compare with a run file (or a stored run id of the namespace) and print the deltas
  --fail-on RULES       with --baseline: exit 6 when a delta crosses a rule,
                        e.g. "faithfulness<-0.02,abstention_accuracy<-0.05,latency_ms>50"
  --json                print the run as JSON on stdout
  --index FILE, --namespace NAME, --config FILE
`;

/** `cairn eval answers`: a scored, stored evaluation run, optionally gated against a baseline. */
export async function evalAnswersCommand(args: string[], context: CommandContext): Promise<number> {
  const { values } = parseOptions('eval answers', args, {
    golden: { type: 'string' },
    split: { type: 'string' },
    corpus: { type: 'string' },
    judge: { type: 'string' },
    label: { type: 'string' },
    baseline: { type: 'string' },
    'fail-on': { type: 'string' },
    json: { type: 'boolean' },
    index: { type: 'string' },
    namespace: { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    context.stdout.write(EVAL_ANSWERS_HELP);
    return EXIT.ok;
  }
  if (!values.golden) throw new CairnError('invalid_option', 'cairn eval answers needs --golden FILE');
  if (values.split !== undefined && values.split !== 'dev' && values.split !== 'test') {
    throw new CairnError('invalid_option', `--split must be dev or test, got "${values.split}"`);
  }
  const rules = values['fail-on'] ? parseFailOn(values['fail-on']) : [];
  if (rules.length > 0 && !values.baseline)
    throw new CairnError('invalid_option', '--fail-on compares against a run: add --baseline RUN');
  const loaded = context.config();
  const { config } = loaded;
  // Resolved exactly as serve resolves them; only the answer cache is off (see resolvePipelineSettings).
  const settings = resolvePipelineSettings(loaded, 'eval', {
    ...(values.index ? { index: values.index } : {}),
    ...(values.namespace ? { namespace: values.namespace } : {}),
  });
  const { index: indexPath, namespace } = settings;
  const baseline = values.baseline ? await readBaseline(values.baseline, indexPath, namespace) : undefined;
  const indexFile = storageFilePath(indexPath);
  if (!values.corpus && indexFile !== undefined && !fs.existsSync(indexFile)) {
    throw new CairnError(
      'not_found',
      `no index at ${indexPath}: ingest the corpus first (cairn ingest <folder>) or pass --corpus DIR`,
    );
  }
  const opened = await openIndexStorage<IngestJobRecord, EvalRun>({
    indexPath,
    fallbackEmbedder: settings.embedder.model,
    endpoint: { ...embedderEndpoint(config), threads: settings.embedder.threads ?? ingestThreads() },
    ...(values.corpus ? { createDirectories: true } : {}),
  });
  const { storage, embedder } = opened;
  const { store } = storage;
  const traceExporter = await openTraceExporter(config.telemetry, (line) => context.stderr.write(line));
  try {
    if (values.corpus) {
      const summary = await ingestPath({
        store,
        embedder,
        chunking: settings.chunking,
        inputPath: values.corpus,
        namespace,
        scanInjection: settings.guard.scanDocuments,
        redactPii: settings.guard.redactDocuments,
        ...(traceExporter ? { traceExporter } : {}),
      });
      if (summary.failed.length > 0)
        context.stderr.write(`${summary.failed.length} corpus files failed to load; see cairn ingest\n`);
    }
    if ((await store.countChunks(namespace)) === 0) {
      throw new CairnError(
        'not_found',
        `the index ${indexPath} has no documents in namespace ${namespace}: pass --corpus DIR`,
      );
    }
    const pipeline = buildPipeline(settings, embedder, { stream: false });
    const judge = buildJudge(config, embedder, values.judge);
    const bar = new ProgressBar(context.stderr, 'evaluating');
    const run = await runAnswerEval({
      ...pipeline.ask,
      store,
      embedder,
      judge,
      goldenFile: values.golden,
      ...(values.split ? { split: values.split as 'dev' | 'test' } : {}),
      namespace,
      traceStore: storage.traces,
      ...(traceExporter ? { traceExporter } : {}),
      indexSettings: storage.settings,
      ...(values.label ? { label: values.label } : {}),
      config: {
        embedder: embedderId(embedder),
        chunking: { ...settings.chunking },
        promptVersion: pipeline.ask.answerer.id === 'extractive' ? null : settings.answerer.promptVersion,
      },
      settings: recordSettings(settings),
      onProgress: (done, total) => {
        bar.setTotal(total);
        bar.update(done);
      },
    });
    bar.done();
    const file = await storage.evalRuns.save(run);
    if (values.json) context.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
    else context.stdout.write(formatRunSummary(run, file, loadJudgeTrust(indexFile)));
    if (!baseline) return EXIT.ok;
    const comparison = compareRuns(baseline, run);
    const out = values.json ? context.stderr : context.stdout;
    out.write(`\n${formatComparison(comparison)}`);
    const gate = evaluateFailOn(comparison, rules);
    for (const note of gate.notes) out.write(`note: ${note}\n`);
    if (gate.failed) {
      for (const violation of gate.violations) context.stderr.write(`regression: ${violation}\n`);
      return EXIT.regression;
    }
    return EXIT.ok;
  } finally {
    await traceExporter?.shutdown();
    await closeStorage(opened);
  }
}

/** The baseline run, read before the index is opened so a wrong reference fails first. */
async function readBaseline(reference: string, indexPath: string, namespace: string): Promise<EvalRun> {
  const domains = await openDomains<IngestJobRecord, EvalRun>(indexPath);
  try {
    return await readRun(reference, domains.evalRuns, namespace);
  } finally {
    await domains.close();
  }
}

function formatRunSummary(
  run: Awaited<ReturnType<typeof runAnswerEval>>,
  file: string,
  trust: JudgeTrust | null,
): string {
  const lines = [
    `run ${run.runId} "${run.label}" · ${run.golden.items} items (${run.golden.split}) · judge ${run.judge.id}${run.judge.kind === 'offline' ? ' (proxy)' : ''}`,
  ];
  for (const [metric, aggregate] of Object.entries(run.aggregates)) {
    if (!aggregate) continue;
    const value = aggregate.mean === null ? 'unmeasured' : aggregate.mean.toFixed(3);
    const ci = aggregate.ci95 ? ` [${aggregate.ci95[0].toFixed(3)}, ${aggregate.ci95[1].toFixed(3)}]` : '';
    // A judged metric people disagree with (judge-check kappa < 0.4) is flagged next to its value.
    const mark = trustMark(trust, run.judge.id, metric);
    const flag = mark && mark.status !== 'trusted' ? `  ${mark.text}` : '';
    lines.push(`  ${metric.padEnd(22)} ${value}${ci}  (n=${aggregate.n})${flag}`);
  }
  lines.push(
    `  latency p50/p95 ${run.latency.total.p50.toFixed(0)}/${run.latency.total.p95.toFixed(0)} ms · wall ${(run.wallMs / 1000).toFixed(1)} s · cost/query ${run.cost.perQueryUsd === null ? 'unpriced' : `$${run.cost.perQueryUsd.toFixed(6)}`}`,
  );
  if (run.settings)
    lines.push(
      `  settings ${run.settings.fingerprint} (answer cache off: an evaluation measures the pipeline, not earlier answers)`,
    );
  lines.push(`  saved ${file}`);
  return `${lines.join('\n')}\n`;
}
