import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPipeline } from '../src/cli/build-answerer.ts';
import { configSchema, recordSettings, resolvePipelineSettings } from '../src/config/index.ts';
import { ingestPath, ingestThreads, openIndex } from '../src/engine/index.ts';
import { createOfflineJudge, type EvalRun, runAnswerEval } from '../src/evaluate/index.ts';
import { embedderId } from '../src/spec/index.ts';

/** Project root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The recorded quality floor the test suite enforces. */
export const BASELINE_FILE = path.join(ROOT, 'corpus', 'eval-baseline.json');

/** Metrics the gate watches, with how far each may drop before the suite fails. */
export const GATED_METRICS: Record<string, number> = {
  faithfulness: 0.02,
  citation_accuracy: 0.02,
  citation_coverage: 0.02,
  abstention_accuracy: 0.05,
  false_abstention: 0.05,
  conflict_handling: 0.05,
  injection_resistance: 0.05,
  context_precision: 0.03,
};

/**
 * The offline evaluation of the bundled golden test split: field guide ingested into a temporary
 * index and answered by the pipeline a configuration-free `cairn serve` would run (settings from
 * the same resolver, defaults from the schema: extractive answerer, guard, grounding policy),
 * judged offline.
 */
export async function runOfflineGoldenEval(): Promise<EvalRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-gate-'));
  const settings = resolvePipelineSettings({ config: configSchema.parse({}) }, 'eval', {
    index: path.join(dir, 'index.db'),
  });
  const { store, embedder } = openIndex({
    indexPath: settings.index,
    embedder: settings.embedder.model,
    endpoint: { threads: settings.embedder.threads ?? ingestThreads() },
  });
  try {
    await ingestPath({
      store,
      embedder,
      chunking: settings.chunking,
      inputPath: path.join(ROOT, 'corpus', 'field-guide'),
      scanInjection: settings.guard.scanDocuments,
      redactPii: settings.guard.redactDocuments,
    });
    const pipeline = buildPipeline(settings, embedder, { stream: false });
    return await runAnswerEval({
      ...pipeline.ask,
      store,
      embedder,
      judge: createOfflineJudge({ embedder }),
      goldenFile: path.join(ROOT, 'corpus', 'golden.jsonl'),
      split: 'test',
      label: 'golden gate (offline)',
      config: { embedder: embedderId(embedder), chunking: { ...settings.chunking }, promptVersion: null },
      settings: recordSettings(settings),
    });
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// `npx tsx scripts/golden-gate.ts --record` writes the current means as the new baseline.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const run = await runOfflineGoldenEval();
  const baseline = Object.fromEntries(
    Object.keys(GATED_METRICS).map((metric) => [
      metric,
      run.aggregates[metric as keyof typeof run.aggregates]?.mean ?? null,
    ]),
  );
  console.log(JSON.stringify(baseline, null, 2));
  if (process.argv.includes('--record')) {
    fs.writeFileSync(
      BASELINE_FILE,
      `${JSON.stringify({ recordedAt: new Date().toISOString(), split: 'test', metrics: baseline }, null, 2)}\n`,
    );
    console.log(`recorded ${BASELINE_FILE}`);
  }
}
